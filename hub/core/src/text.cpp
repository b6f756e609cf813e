#include "hub/core/text.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace hub {

bool is_valid_utf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        const unsigned char b = *p;
        if (b < 0x80) {
            // Control characters have no place in document text and can hide content from
            // a reader; TAB, CR and LF are the only ones plain text needs.
            if (b < 0x20 && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
            ++p;
            continue;
        }
        int len = 0;
        char32_t cp = 0;
        if (b >= 0xC2 && b <= 0xDF) {  // 0xC0/0xC1 could only start overlong forms
            len = 2;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (end - p < len) {
            return false;
        }
        for (int i = 1; i < len; ++i) {
            if ((p[i] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        static constexpr char32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMinimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        p += len;
    }
    return true;
}

std::string to_nfc(std::string_view text) {
    // ASCII is already in NFC; most header fields (codes, ids, times) are ASCII.
    bool ascii = true;
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        return std::string(text);
    }
    utf8proc_uint8_t* out = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &out,
                     static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
    if (n < 0) {
        return std::string(text);
    }
    return std::string(reinterpret_cast<const char*>(owned.get()), static_cast<std::size_t>(n));
}

}  // namespace hub
