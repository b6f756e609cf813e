// Base64 and single-entry zips as edXML attachments carry them.

#include "hub/national/edxml.h"

#include <zip.h>

#include <array>
#include <memory>
#include <string>

#include "xml_doc.h"

namespace hub::national {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> decode_table() {
    std::array<signed char, 256> t{};
    for (auto& v : t) {
        v = -1;
    }
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
    }
    return t;
}
constexpr auto kDecode = decode_table();

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

struct ZipClose {
    void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
struct ZipFileClose {
    void operator()(zip_file_t* f) const noexcept { zip_fclose(f); }
};

}  // namespace

std::string base64_encode(std::string_view bytes, std::size_t line) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4 + (line != 0 ? bytes.size() / line + 1 : 0));
    std::size_t column = 0;
    auto put = [&](char c) {
        if (line != 0 && column == line) {
            out += '\n';
            column = 0;
        }
        out += c;
        ++column;
    };
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
        put(kAlphabet[(n >> 18) & 63]);
        put(kAlphabet[(n >> 12) & 63]);
        put(kAlphabet[(n >> 6) & 63]);
        put(kAlphabet[n & 63]);
    }
    if (const std::size_t rest = bytes.size() - i; rest != 0) {
        unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) {
            n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        put(kAlphabet[(n >> 18) & 63]);
        put(kAlphabet[(n >> 12) & 63]);
        put(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        put('=');
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    unsigned buffer = 0;
    int bits = 0;
    std::size_t padding = 0;
    std::size_t symbols = 0;
    for (char c : text) {
        if (is_space(c)) {
            continue;
        }
        if (c == '=') {
            ++padding;
            ++symbols;
            continue;
        }
        const signed char v = kDecode[static_cast<unsigned char>(c)];
        if (v < 0 || padding != 0) {
            return detail::refusal(refused::kBase64, "", "invalid base64 character");
        }
        ++symbols;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    if (symbols % 4 != 0 || padding > 2) {
        return detail::refusal(refused::kBase64, "", "base64 length is not a multiple of 4");
    }
    return out;
}

bool looks_like_zip(std::string_view bytes) noexcept {
    return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

Result<ZipEntry> open_single_entry_zip(std::string_view zip,
                                       std::size_t max_inflated,
                                       const std::string& field) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
    if (source == nullptr) {
        zip_error_fini(&error);
        return detail::refusal(refused::kZipInvalid, field, "not a readable zip");
    }
    std::unique_ptr<zip_t, ZipClose> archive(
        zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
    zip_error_fini(&error);
    if (!archive) {
        zip_source_free(source);  // not taken over by a failed open
        return detail::refusal(refused::kZipInvalid, field, "not a readable zip");
    }
    const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
    if (entries != 1) {
        return detail::refusal(
            refused::kZipEntries, field,
            "a zipped attachment must hold exactly one file, not " + std::to_string(entries));
    }
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive.get(), 0, 0, &stat) != 0 || (stat.valid & ZIP_STAT_NAME) == 0) {
        return detail::refusal(refused::kZipInvalid, field, "unreadable zip entry");
    }
    ZipEntry out;
    out.name = stat.name;
    if (out.name.empty() || out.name.back() == '/') {
        return detail::refusal(refused::kZipEntries, field, "the zip's entry is not a file");
    }
    if ((stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > max_inflated) {
        return detail::refusal(refused::kZipSize, field,
                               "inflated size " + std::to_string(stat.size) +
                                   " is over the limit of " + std::to_string(max_inflated));
    }
    std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(archive.get(), 0, 0));
    if (!file) {
        return detail::refusal(refused::kZipInvalid, field, "zip entry cannot be opened");
    }
    // The declared size may lie: count what actually inflates and stop past the limit.
    std::array<char, 64 * 1024> chunk{};
    for (;;) {
        const zip_int64_t n = zip_fread(file.get(), chunk.data(), chunk.size());
        if (n < 0) {
            return detail::refusal(refused::kZipInvalid, field, "zip entry does not inflate");
        }
        if (n == 0) {
            break;
        }
        if (out.content.size() + static_cast<std::size_t>(n) > max_inflated) {
            return detail::refusal(
                refused::kZipSize, field,
                "inflated content is over the limit of " + std::to_string(max_inflated));
        }
        out.content.append(chunk.data(), static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace hub::national
