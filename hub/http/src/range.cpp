#include "hub/http/range.h"

#include <charconv>

namespace hub::http {

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    if (text.empty()) {
        return std::nullopt;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::optional<ByteRange> parse_byte_range(std::string_view header, std::uint64_t size) {
    const ByteRange whole{0, size, false};
    constexpr std::string_view kUnit = "bytes=";
    if (header.substr(0, kUnit.size()) != kUnit) {
        return whole;  // absent, or a unit we do not serve: the whole (RFC 9110 §14.2)
    }
    std::string_view spec = header.substr(kUnit.size());
    if (spec.find(',') != std::string_view::npos) {
        return whole;
    }
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return whole;
    }
    const auto first = spec.substr(0, dash);
    const auto last = spec.substr(dash + 1);
    if (first.empty()) {
        auto suffix = number(last);
        if (!suffix) {
            return whole;
        }
        if (*suffix == 0 || size == 0) {
            return std::nullopt;
        }
        const std::uint64_t length = std::min(*suffix, size);
        return ByteRange{size - length, length, true};
    }
    auto start = number(first);
    if (!start) {
        return whole;
    }
    if (*start >= size) {
        return std::nullopt;
    }
    std::uint64_t end = size - 1;
    if (!last.empty()) {
        auto given = number(last);
        if (!given || *given < *start) {
            return whole;
        }
        end = std::min(*given, size - 1);
    }
    return ByteRange{*start, end - *start + 1, true};
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
