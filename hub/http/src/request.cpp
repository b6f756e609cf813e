#include "request.h"

#include <boost/url/parse.hpp>

#include <openssl/rand.h>

#include <atomic>
#include <cctype>

#include "header_text.h"

namespace hub::http {
using detail::lower;
using detail::trim;
namespace beast = boost::beast;

namespace {

const std::string kEmpty;

}  // namespace

const std::string& Request::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? kEmpty : it->second;
}

std::string new_request_id() {
    unsigned char bytes[8];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        // The RNG failing is not a reason to refuse a request; the id only correlates logs.
        static std::atomic<unsigned long long> counter{0};
        unsigned long long n = ++counter;
        for (auto& b : bytes) {
            b = static_cast<unsigned char>(n);
            n >>= 8;
        }
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

Result<void> fill_request(const beast::http::request_header<>& header, Request& out) {
    out.method = header.method();
    auto target = header.target();
    auto url = boost::urls::parse_origin_form(std::string_view(target.data(), target.size()));
    if (!url) {
        return fail(errc::malformed, "target", "the request target is not a path");
    }
    out.path = url->path();
    for (auto param : url->params()) {
        out.query[param.key] = param.value;
    }
    for (const auto& field : header) {
        std::string name =
            lower(std::string_view(field.name_string().data(), field.name_string().size()));
        std::string value(field.value());
        auto [it, inserted] = out.headers.emplace(name, value);
        if (!inserted) {
            it->second += ", ";
            it->second += value;
        }
    }
    out.content_type = out.header("content-type");
    out.accept = out.header("accept");
    return {};
}

}  // namespace hub::http
