#include "hub/http/multipart.h"

#include <algorithm>
#include <cctype>

#include "header_text.h"

namespace hub::http {
using detail::lower;
using detail::trim;
namespace {

constexpr std::string_view kCrlf = "\r\n";
// RFC 2046: a boundary is 1 to 70 characters.
constexpr std::size_t kMaxBoundary = 70;

// The value of parameter `name` in a header value such as `form-data; name="x"`; quotes
// removed (a backslash escapes the next character). Empty when absent.
std::string parameter(std::string_view value, std::string_view name) {
    std::size_t at = 0;
    while ((at = value.find(';', at)) != std::string_view::npos) {
        ++at;
        auto rest = trim(value.substr(at));
        const auto eq = rest.find('=');
        if (eq == std::string_view::npos || lower(trim(rest.substr(0, eq))) != name) {
            continue;
        }
        auto raw = trim(rest.substr(eq + 1));
        std::string out;
        if (!raw.empty() && raw.front() == '"') {
            for (std::size_t i = 1; i < raw.size() && raw[i] != '"'; ++i) {
                if (raw[i] == '\\' && i + 1 < raw.size()) {
                    ++i;
                }
                out.push_back(raw[i]);
            }
            return out;
        }
        return std::string(raw.substr(0, raw.find(';')));
    }
    return {};
}

Failure malformed(std::string why) { return fail(errc::malformed, "multipart", std::move(why)); }

// The part's headers, up to the empty line; `part` is left at its body.
Result<FormPart> read_headers(std::string_view& part) {
    FormPart out;
    bool disposition = false;
    while (true) {
        const auto end = part.find(kCrlf);
        if (end == std::string_view::npos) {
            return malformed("a part's headers do not end");
        }
        const auto line = part.substr(0, end);
        part.remove_prefix(end + kCrlf.size());
        if (line.empty()) {
            break;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return malformed("a part's header has no ':'");
        }
        const auto name = lower(trim(line.substr(0, colon)));
        const auto value = trim(line.substr(colon + 1));
        if (name == "content-disposition") {
            if (lower(value.substr(0, value.find(';'))) != "form-data") {
                return malformed("a part is not form-data");
            }
            out.name = parameter(value, "name");
            out.filename = parameter(value, "filename");
            disposition = true;
        } else if (name == "content-type") {
            out.content_type = std::string(value);
        }
    }
    if (!disposition || out.name.empty()) {
        return malformed("a part has no Content-Disposition name");
    }
    return out;
}

}  // namespace

Result<std::vector<FormPart>> parse_form_data(std::string_view content_type,
                                              std::string_view body,
                                              std::size_t max_parts) {
    const auto type = lower(trim(content_type.substr(0, content_type.find(';'))));
    const auto boundary = parameter(content_type, "boundary");
    if (type != "multipart/form-data" || boundary.empty() || boundary.size() > kMaxBoundary) {
        return fail(errc::unsupported_media_type, "",
                    "Content-Type must be multipart/form-data with a boundary");
    }
    const std::string delimiter = "--" + boundary;
    const std::string separator = std::string(kCrlf) + delimiter;
    // The preamble before the first delimiter is ignored (RFC 2046 5.1.1).
    auto first = body.starts_with(delimiter) ? 0 : body.find(separator);
    if (first == std::string_view::npos) {
        return malformed("no part starts with the boundary");
    }
    first += body.starts_with(delimiter) ? delimiter.size() : separator.size();
    std::string_view rest = body.substr(first);
    std::vector<FormPart> parts;
    while (true) {
        if (rest.starts_with("--")) {
            return parts;  // the close delimiter; an epilogue is ignored
        }
        if (!rest.starts_with(kCrlf)) {
            return malformed("a boundary line has trailing characters");
        }
        rest.remove_prefix(kCrlf.size());
        if (parts.size() == max_parts) {
            return malformed("more than " + std::to_string(max_parts) + " parts");
        }
        auto part = read_headers(rest);
        if (!part) {
            return part.error();
        }
        const auto end = rest.find(separator);
        if (end == std::string_view::npos) {
            return malformed("the body ends inside a part");
        }
        part->body = rest.substr(0, end);
        parts.push_back(std::move(*part));
        rest.remove_prefix(end + separator.size());
    }
}

const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name) {
    auto it =
        std::find_if(parts.begin(), parts.end(), [&](const FormPart& p) { return p.name == name; });
    return it == parts.end() ? nullptr : &*it;
}

}  // namespace hub::http
