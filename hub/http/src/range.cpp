#include "hub/http/range.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

#include "header_text.h"

namespace hub::http {
using detail::lower;
using detail::trim;

namespace {

// Digits only (no sign, no spaces); nullopt on anything else or on overflow.
std::optional<std::uint64_t> number(std::string_view s) {
    if (s.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return value;
}

RangeRequest whole(std::uint64_t size) { return RangeRequest{RangeRequest::Kind::whole, 0, size}; }

RangeRequest unsatisfiable() { return RangeRequest{RangeRequest::Kind::unsatisfiable, 0, 0}; }

}  // namespace

RangeRequest parse_range(std::string_view header, std::uint64_t size) {
    std::string_view text = trim(header);
    std::size_t eq = text.find('=');
    if (eq == std::string_view::npos || !boost::beast::iequals(trim(text.substr(0, eq)), "bytes")) {
        return whole(size);
    }
    std::string_view spec = trim(text.substr(eq + 1));
    // Several ranges would need multipart/byteranges; serving the whole is allowed instead.
    if (spec.find(',') != std::string_view::npos) {
        return whole(size);
    }
    std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return whole(size);
    }
    std::string_view first_text = trim(spec.substr(0, dash));
    std::string_view last_text = trim(spec.substr(dash + 1));
    if (first_text.empty()) {
        auto suffix = number(last_text);
        if (!suffix) {
            return whole(size);
        }
        if (*suffix == 0 || size == 0) {
            return unsatisfiable();
        }
        std::uint64_t length = std::min(*suffix, size);
        return RangeRequest{RangeRequest::Kind::partial, size - length, length};
    }
    auto first = number(first_text);
    if (!first) {
        return whole(size);
    }
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        auto given = number(last_text);
        if (!given || *given < *first) {
            return whole(size);  // invalid syntax: the header is ignored
        }
        last = std::min(last, *given);
    }
    if (*first >= size) {
        return unsatisfiable();
    }
    return RangeRequest{RangeRequest::Kind::partial, *first, last - *first + 1};
}

std::string content_range(const RangeRequest& range, std::uint64_t size) {
    return "bytes " + std::to_string(range.offset) + "-" +
           std::to_string(range.offset + range.length - 1) + "/" + std::to_string(size);
}

std::string unsatisfied_content_range(std::uint64_t size) {
    return "bytes */" + std::to_string(size);
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace hub::http
