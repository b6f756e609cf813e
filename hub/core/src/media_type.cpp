#include "hub/core/media_type.h"

#include "hub/core/text.h"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace hub {
namespace {

constexpr std::array<std::pair<std::string_view, MediaKind>, 16> kAllowed{{
    {"application/pdf", MediaKind::pdf},
    {"application/msword", MediaKind::doc},
    {"application/vnd.ms-excel", MediaKind::xls},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", MediaKind::docx},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", MediaKind::xlsx},
    {"application/vnd.oasis.opendocument.text", MediaKind::odt},
    {"application/vnd.oasis.opendocument.spreadsheet", MediaKind::ods},
    {"application/rtf", MediaKind::rtf},
    {"text/rtf", MediaKind::rtf},
    {"text/plain", MediaKind::txt},
    {"text/csv", MediaKind::csv},
    {"image/png", MediaKind::png},
    {"image/jpeg", MediaKind::jpeg},
    {"image/gif", MediaKind::gif},
    {"image/tiff", MediaKind::tiff},
    {"image/svg+xml", MediaKind::svg},
}};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// RFC 9110 token characters.
bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::uint16_t le16(std::string_view s, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) |
                                      (static_cast<unsigned char>(s[at + 1]) << 8));
}

std::uint32_t le32(std::string_view s, std::size_t at) {
    return static_cast<std::uint32_t>(le16(s, at)) |
           (static_cast<std::uint32_t>(le16(s, at + 2)) << 16);
}

struct ZipEntry {
    std::string_view name;
    std::uint16_t method = 0;
    std::uint32_t compressed_size = 0;
    std::uint32_t local_offset = 0;
};

constexpr std::string_view kLocalHeaderSig("PK\x03\x04", 4);
constexpr std::string_view kCentralHeaderSig("PK\x01\x02", 4);
constexpr std::string_view kEndOfCentralDirSig("PK\x05\x06", 4);
constexpr std::size_t kEndOfCentralDirSize = 22;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kLocalHeaderSize = 30;

// Reads the End Of Central Directory record at the end of the archive and walks the central
// directory it points to. Only single-disk, non-Zip64 archives are read: attachments are far
// below 4 GiB, and anything else is refused rather than guessed at.
std::optional<std::vector<ZipEntry>> read_zip_directory(std::string_view zip) {
    if (zip.size() < kEndOfCentralDirSize || !zip.starts_with(kLocalHeaderSig)) {
        return std::nullopt;
    }
    // The record is the last thing in the file, followed only by a comment of <= 64 KiB.
    std::size_t eocd = std::string_view::npos;
    const std::size_t last = zip.size() - kEndOfCentralDirSize;
    const std::size_t first = last > 0xFFFF ? last - 0xFFFF : 0;
    for (std::size_t at = last + 1; at-- > first;) {
        if (zip.substr(at, 4) == kEndOfCentralDirSig &&
            at + kEndOfCentralDirSize + le16(zip, at + 20) == zip.size()) {
            eocd = at;
            break;
        }
    }
    if (eocd == std::string_view::npos) {
        return std::nullopt;
    }
    const std::uint16_t disk = le16(zip, eocd + 4);
    const std::uint16_t cd_disk = le16(zip, eocd + 6);
    const std::uint16_t entries_here = le16(zip, eocd + 8);
    const std::uint16_t entries = le16(zip, eocd + 10);
    const std::uint32_t cd_size = le32(zip, eocd + 12);
    const std::uint32_t cd_offset = le32(zip, eocd + 16);
    if (disk != 0 || cd_disk != 0 || entries_here != entries ||
        static_cast<std::uint64_t>(cd_offset) + cd_size > eocd) {
        return std::nullopt;
    }
    std::vector<ZipEntry> out;
    out.reserve(entries);
    std::size_t at = cd_offset;
    const std::size_t cd_end = static_cast<std::size_t>(cd_offset) + cd_size;
    for (std::uint32_t i = 0; i < entries; ++i) {
        if (cd_end - at < kCentralHeaderSize || zip.substr(at, 4) != kCentralHeaderSig) {
            return std::nullopt;
        }
        ZipEntry e;
        e.method = le16(zip, at + 10);
        e.compressed_size = le32(zip, at + 20);
        const std::size_t name_len = le16(zip, at + 28);
        const std::size_t extra_len = le16(zip, at + 30);
        const std::size_t comment_len = le16(zip, at + 32);
        e.local_offset = le32(zip, at + 42);
        const std::size_t record = kCentralHeaderSize + name_len + extra_len + comment_len;
        if (cd_end - at < record) {
            return std::nullopt;
        }
        e.name = zip.substr(at + kCentralHeaderSize, name_len);
        out.push_back(e);
        at += record;
    }
    return out;
}

bool is_ooxml(std::string_view content, std::string_view part_prefix) {
    const auto entries = read_zip_directory(content);
    if (!entries) {
        return false;
    }
    bool has_types = false;
    bool has_part = false;
    for (const ZipEntry& e : *entries) {
        has_types = has_types || e.name == "[Content_Types].xml";
        has_part = has_part || e.name.starts_with(part_prefix);
    }
    return has_types && has_part;
}

// OpenDocument packages start with an uncompressed `mimetype` entry so that the type can be
// read at a fixed place (ODF 1.2 part 3, 3.3).
bool is_opendocument(std::string_view content, std::string_view mimetype) {
    const auto entries = read_zip_directory(content);
    if (!entries || entries->empty()) {
        return false;
    }
    const ZipEntry& e = entries->front();
    if (e.name != "mimetype" || e.method != 0 || e.local_offset != 0 ||
        content.size() < kLocalHeaderSize) {
        return false;
    }
    // The central directory holds the sizes even when the local header defers them.
    const std::size_t data = kLocalHeaderSize + le16(content, 26) + le16(content, 28);
    if (data > content.size() || content.size() - data < e.compressed_size) {
        return false;
    }
    return content.substr(kLocalHeaderSize, le16(content, 26)) == "mimetype" &&
           content.substr(data, e.compressed_size) == mimetype;
}

// An XML document whose root element is <svg>: optional BOM, XML declaration, processing
// instructions, comments and doctype may come first.
bool is_svg(std::string_view content) {
    if (!is_valid_utf8(content)) {
        return false;
    }
    std::string_view s = content;
    if (s.starts_with("\xEF\xBB\xBF")) {
        s.remove_prefix(3);
    }
    for (;;) {
        s = trim(s);
        std::size_t skip = std::string_view::npos;
        if (s.starts_with("<?")) {
            skip = s.find("?>");
            skip = skip == std::string_view::npos ? skip : skip + 2;
        } else if (s.starts_with("<!--")) {
            skip = s.find("-->", 4);
            skip = skip == std::string_view::npos ? skip : skip + 3;
        } else if (s.starts_with("<!DOCTYPE")) {
            // The internal subset in [...] may itself hold '>' characters.
            bool in_subset = false;
            for (std::size_t i = 9; i < s.size(); ++i) {
                if (s[i] == '[') {
                    in_subset = true;
                } else if (s[i] == ']') {
                    in_subset = false;
                } else if (s[i] == '>' && !in_subset) {
                    skip = i + 1;
                    break;
                }
            }
        } else if (s.starts_with("<svg") && s.size() > 4) {
            const char next = s[4];
            return is_space(next) || next == '>' || next == '/';
        } else {
            return false;
        }
        if (skip == std::string_view::npos) {
            return false;
        }
        s.remove_prefix(skip);
    }
}

}  // namespace

std::string normalize_media_type(std::string_view declared) {
    std::string_view s = declared.substr(0, declared.find(';'));
    s = trim(s);
    std::string out;
    out.reserve(s.size());
    std::size_t slashes = 0;
    for (char c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c == '/') {
            ++slashes;
        } else if (!is_token_char(c)) {
            return {};
        }
        out.push_back(c);
    }
    if (slashes != 1 || out.front() == '/' || out.back() == '/') {
        return {};
    }
    return out;
}

std::optional<MediaKind> media_kind(std::string_view declared) {
    const std::string name = normalize_media_type(declared);
    for (const auto& [allowed, kind] : kAllowed) {
        if (name == allowed) {
            return kind;
        }
    }
    return std::nullopt;
}

bool is_allowed_media_type(std::string_view declared) { return media_kind(declared).has_value(); }

bool content_matches(std::string_view declared, std::string_view content) {
    const auto kind = media_kind(declared);
    if (!kind) {
        return false;
    }
    switch (*kind) {
        case MediaKind::pdf:
            return content.starts_with("%PDF-");
        case MediaKind::doc:
        case MediaKind::xls:
            return content.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
        case MediaKind::docx:
            return is_ooxml(content, "word/");
        case MediaKind::xlsx:
            return is_ooxml(content, "xl/");
        case MediaKind::odt:
            return is_opendocument(content, "application/vnd.oasis.opendocument.text");
        case MediaKind::ods:
            return is_opendocument(content, "application/vnd.oasis.opendocument.spreadsheet");
        case MediaKind::rtf:
            return content.starts_with("{\\rtf");
        case MediaKind::txt:
        case MediaKind::csv:
            return is_valid_utf8(content);
        case MediaKind::png:
            return content.starts_with("\x89PNG\r\n\x1A\n");
        case MediaKind::jpeg:
            return content.starts_with("\xFF\xD8\xFF");
        case MediaKind::gif:
            return content.starts_with("GIF87a") || content.starts_with("GIF89a");
        case MediaKind::tiff:
            return content.starts_with(std::string_view("II*\0", 4)) ||
                   content.starts_with(std::string_view("MM\0*", 4));
        case MediaKind::svg:
            return is_svg(content);
    }
    return false;
}

}  // namespace hub
