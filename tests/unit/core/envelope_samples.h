#pragma once
/// Real minimal files of every allowed attachment format, built in memory, and a valid
/// SignedEnvelope that each validation test breaks in exactly one way.

#include "lienthong/v1/envelope.pb.h"

#include <string>
#include <string_view>
#include <vector>

namespace samples {

/// One entry of a zip written by stored_zip.
struct ZipItem {
    std::string name;
    std::string data;
    /// Only the method number written in the headers: the data stays stored, which is enough
    /// to check that a sniffer refuses a compressed entry where a stored one is required.
    bool claim_deflated = false;
};

/// A zip archive whose entries are stored (no compression), with real CRC-32s, a central
/// directory and an End Of Central Directory record carrying `comment`.
std::string stored_zip(const std::vector<ZipItem>& items, std::string_view comment = {});

std::string pdf();   ///< a one-page PDF with a correct xref table
std::string docx();  ///< [Content_Types].xml, _rels/.rels, word/document.xml
std::string xlsx();  ///< [Content_Types].xml, _rels/.rels, xl/workbook.xml
std::string odt();   ///< stored `mimetype` first, then content.xml, META-INF/manifest.xml
std::string ods();
std::string ole2();  ///< a Compound File Binary header sector (DOC / XLS container)
std::string rtf();
std::string png();      ///< a 1x1 PNG (signature, IHDR, IDAT, IEND)
std::string jpeg();     ///< SOI, APP0 JFIF, EOI
std::string gif();      ///< a 1x1 GIF89a
std::string tiff_le();  ///< "II*\0" header and an empty IFD
std::string tiff_be();  ///< "MM\0*" header and an empty IFD
std::string svg();      ///< XML declaration, comment, doctype, then <svg>

/// Lowercase hex SHA-256, computed here with OpenSSL directly so tests do not check
/// hub::sha256_hex against itself.
std::string sha256(std::string_view data);

/// A protobuf length-delimited field (tag, length, bytes) to append to serialized bytes:
/// for a singular string the last occurrence wins, a message merges, a repeated field
/// gains an element. This is how tests put bytes protobuf would refuse to write.
std::string wire_field(int number, std::string_view bytes);

/// A valid envelope from H39 (edXML form) to two recipients, with a PDF as MAIN and a DOCX
/// appendix. Tests change `header` or `attachments`, then call envelope().
struct EnvelopeSample {
    lienthong::v1::EnvelopeHeader header;
    std::vector<lienthong::v1::Attachment> attachments;
    std::string signature = std::string("\x30\x82\x01\x00", 4);  // checked elsewhere

    /// Adds an attachment and its matching reference; returns the reference.
    lienthong::v1::AttachmentRef& add(const std::string& content_id,
                                      const std::string& media_type,
                                      lienthong::v1::AttachmentRole role,
                                      const std::string& content);
    /// The header serialized, plus `extra_wire` appended (see wire_field).
    std::string header_bytes(std::string_view extra_wire = {}) const;
    lienthong::v1::SignedEnvelope envelope(std::string_view extra_wire = {}) const;
};

EnvelopeSample valid_envelope();

}  // namespace samples
