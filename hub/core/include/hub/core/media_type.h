#pragma once
/// Attachment formats allowed by R-06 (.txt .rtf .doc .docx .odt, .csv .xls .xlsx .ods,
/// .pdf, images and charts) and a check of each declared type against the content's magic
/// bytes. Sniffing is bounded: archives are inspected through their zip central directory
/// (and, for OpenDocument, the stored `mimetype` entry), never decompressed.

#include <optional>
#include <string>
#include <string_view>

namespace hub {

/// One allowed format. DOC and XLS share the OLE2 container and are told apart by the
/// declared type only.
enum class MediaKind {
    pdf,   ///< application/pdf
    doc,   ///< application/msword
    xls,   ///< application/vnd.ms-excel
    docx,  ///< application/vnd.openxmlformats-officedocument.wordprocessingml.document
    xlsx,  ///< application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
    odt,   ///< application/vnd.oasis.opendocument.text
    ods,   ///< application/vnd.oasis.opendocument.spreadsheet
    rtf,   ///< application/rtf, text/rtf
    txt,   ///< text/plain
    csv,   ///< text/csv
    png,   ///< image/png
    jpeg,  ///< image/jpeg
    gif,   ///< image/gif
    tiff,  ///< image/tiff
    svg,   ///< image/svg+xml
};

/// `type/subtype` in lowercase, without parameters (`; charset=utf-8`) or surrounding
/// spaces. Returns an empty string when `declared` has no `type/subtype` shape.
std::string normalize_media_type(std::string_view declared);

/// The allowed format a declared media type names, or nullopt when it is not allowed.
std::optional<MediaKind> media_kind(std::string_view declared);

/// True when the declared type (case-insensitive, parameters ignored) is on R-06's list.
bool is_allowed_media_type(std::string_view declared);

/// True when `content` looks like the declared type by its magic bytes (and, for text
/// formats, is valid UTF-8 without control characters). False for a type not allowed.
/// Reads at most the zip central directory of an archive. Pure; thread-safe.
bool content_matches(std::string_view declared, std::string_view content);

}  // namespace hub
