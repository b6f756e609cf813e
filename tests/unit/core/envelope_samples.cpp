#include "envelope_samples.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace samples {
namespace {

std::uint32_t crc32(std::string_view data) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char c : data) {
        crc ^= static_cast<unsigned char>(c);
        for (int k = 0; k < 8; ++k) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

void put16(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v & 0xFF));
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xFFFF);
    put16(out, v >> 16);
}

void put32_be(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((v >> shift) & 0xFF));
    }
}

std::string png_chunk(std::string_view type, std::string_view data) {
    std::string out;
    put32_be(out, static_cast<std::uint32_t>(data.size()));
    std::string body(type);
    body += data;
    out += body;
    put32_be(out, crc32(body));
    return out;
}

constexpr std::string_view kContentTypesHead =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
    R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
    R"(<Default Extension="xml" ContentType="application/xml"/>)";

std::string rels(std::string_view target) {
    return std::string(
               R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
               R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
               R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target=")") +
           std::string(target) + R"("/></Relationships>)";
}

std::string opendocument(std::string_view mimetype, std::string_view body) {
    const std::string manifest =
        std::string(
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">)"
            R"(<manifest:file-entry manifest:full-path="/" manifest:media-type=")") +
        std::string(mimetype) +
        R"("/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>)";
    const std::string content =
        std::string(
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body>)") +
        std::string(body) + "</office:body></office:document-content>";
    return stored_zip({{"mimetype", std::string(mimetype)},
                       {"content.xml", content},
                       {"META-INF/manifest.xml", manifest}});
}

}  // namespace

std::string stored_zip(const std::vector<ZipItem>& items, std::string_view comment) {
    std::string out;
    std::string directory;
    for (const ZipItem& item : items) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        const std::uint32_t crc = crc32(item.data);
        const auto size = static_cast<std::uint32_t>(item.data.size());
        const std::uint32_t method = item.claim_deflated ? 8 : 0;
        put32(out, 0x04034b50);
        put16(out, 20);  // version needed
        put16(out, 0);   // flags
        put16(out, method);
        put16(out, 0);     // time
        put16(out, 0x21);  // date: 1980-01-01
        put32(out, crc);
        put32(out, size);
        put32(out, size);
        put16(out, static_cast<std::uint32_t>(item.name.size()));
        put16(out, 0);  // extra length
        out += item.name;
        out += item.data;

        put32(directory, 0x02014b50);
        put16(directory, 20);  // version made by
        put16(directory, 20);  // version needed
        put16(directory, 0);
        put16(directory, method);
        put16(directory, 0);
        put16(directory, 0x21);
        put32(directory, crc);
        put32(directory, size);
        put32(directory, size);
        put16(directory, static_cast<std::uint32_t>(item.name.size()));
        put16(directory, 0);  // extra
        put16(directory, 0);  // comment
        put16(directory, 0);  // disk
        put16(directory, 0);  // internal attributes
        put32(directory, 0);  // external attributes
        put32(directory, offset);
        directory += item.name;
    }
    const auto directory_offset = static_cast<std::uint32_t>(out.size());
    out += directory;
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint32_t>(items.size()));
    put16(out, static_cast<std::uint32_t>(items.size()));
    put32(out, static_cast<std::uint32_t>(directory.size()));
    put32(out, directory_offset);
    put16(out, static_cast<std::uint32_t>(comment.size()));
    out += comment;
    return out;
}

std::string pdf() {
    // Binary comment bytes after the header, as PDF writers add, make it non-text.
    std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    const char* objects[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    };
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < std::size(objects); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = out.size();
    out += "xref\n0 4\n0000000000 65535 f \n";
    for (const std::size_t offset : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        out += line;
    }
    out += "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
}

std::string docx() {
    const std::string types =
        std::string(kContentTypesHead) +
        R"(<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>)";
    const std::string document =
        R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
        R"(<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">)"
        R"(<w:body><w:p><w:r><w:t>Phụ lục</w:t></w:r></w:p></w:body></w:document>)";
    return stored_zip({{"[Content_Types].xml", types},
                       {"_rels/.rels", rels("word/document.xml")},
                       {"word/document.xml", document}});
}

std::string xlsx() {
    const std::string types =
        std::string(kContentTypesHead) +
        R"(<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>)";
    const std::string workbook =
        R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
        R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>)";
    return stored_zip({{"[Content_Types].xml", types},
                       {"_rels/.rels", rels("xl/workbook.xml")},
                       {"xl/workbook.xml", workbook}});
}

std::string odt() {
    return opendocument("application/vnd.oasis.opendocument.text",
                        "<office:text>Báo cáo</office:text>");
}

std::string ods() {
    return opendocument("application/vnd.oasis.opendocument.spreadsheet", "<office:spreadsheet/>");
}

std::string ole2() {
    std::string out("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    out.append(16, '\0');  // CLSID
    put16(out, 0x003E);    // minor version
    put16(out, 0x0003);    // major version 3: 512-byte sectors
    put16(out, 0xFFFE);    // byte order mark
    put16(out, 9);         // sector shift
    put16(out, 6);         // mini sector shift
    out.append(6, '\0');
    put32(out, 0);           // directory sectors (0 in version 3)
    put32(out, 1);           // FAT sectors
    put32(out, 1);           // first directory sector
    put32(out, 0);           // transaction signature
    put32(out, 0x1000);      // mini stream cutoff
    put32(out, 0xFFFFFFFE);  // first mini FAT sector: end of chain
    put32(out, 0);
    put32(out, 0xFFFFFFFE);  // first DIFAT sector: end of chain
    put32(out, 0);
    put32(out, 0);  // DIFAT[0]: the FAT is sector 0
    while (out.size() < 512) {
        put32(out, 0xFFFFFFFF);
    }
    return out;
}

std::string rtf() {
    return "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 C\\u244?ng "
           "v\\u259?n\\par}";
}

std::string png() {
    std::string ihdr;
    put32_be(ihdr, 1);                               // width
    put32_be(ihdr, 1);                               // height
    ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grey, deflate, no interlace
    // zlib stream with one stored block holding the scanline: filter 0, one black pixel.
    const std::string idat("\x78\x01\x01\x02\x00\xFD\xFF\x00\x00\x00\x02\x00\x01", 13);
    return std::string("\x89PNG\r\n\x1A\n", 8) + png_chunk("IHDR", ihdr) + png_chunk("IDAT", idat) +
           png_chunk("IEND", {});
}

std::string jpeg() {
    return std::string(
        "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        "\xFF\xD9",
        22);
}

std::string gif() {
    return std::string(
        "GIF89a\x01\x00\x01\x00\x80\x00\x00\xFF\xFF\xFF\x00\x00\x00\x21\xF9\x04\x01\x00\x00"
        "\x00\x00\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3B",
        43);
}

std::string tiff_le() { return std::string("II*\0\x08\0\0\0\0\0\0\0\0\0", 14); }

std::string tiff_be() { return std::string("MM\0*\0\0\0\x08\0\0\0\0\0\0", 14); }

std::string svg() {
    return "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!-- biểu đồ -->\n"
           "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
           "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
           "<rect width=\"10\" height=\"10\"/></svg>\n";
}

std::string sha256(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest failed");
    }
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        char byte[3];
        std::snprintf(byte, sizeof byte, "%02x", md[i]);
        hex += byte;
    }
    return hex;
}

std::string wire_field(int number, std::string_view bytes) {
    std::string out;
    auto varint = [&out](std::uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<char>((v & 0x7F) | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<char>(v));
    };
    varint((static_cast<std::uint64_t>(number) << 3) | 2);
    varint(bytes.size());
    out += bytes;
    return out;
}

lienthong::v1::AttachmentRef& EnvelopeSample::add(const std::string& content_id,
                                                  const std::string& media_type,
                                                  lienthong::v1::AttachmentRole role,
                                                  const std::string& content) {
    lienthong::v1::Attachment attachment;
    attachment.set_content_id(content_id);
    attachment.set_content(content);
    attachments.push_back(attachment);
    lienthong::v1::AttachmentRef& ref = *header.add_attachments();
    ref.set_content_id(content_id);
    ref.set_name(content_id);
    ref.set_media_type(media_type);
    ref.set_size(content.size());
    ref.set_sha256(sha256(content));
    ref.set_role(role);
    return ref;
}

std::string EnvelopeSample::header_bytes(std::string_view extra_wire) const {
    return header.SerializeAsString() + std::string(extra_wire);
}

lienthong::v1::SignedEnvelope EnvelopeSample::envelope(std::string_view extra_wire) const {
    lienthong::v1::SignedEnvelope out;
    out.set_header(header_bytes(extra_wire));
    out.set_signature(signature);
    for (const auto& attachment : attachments) {
        *out.add_attachments() = attachment;
    }
    return out;
}

EnvelopeSample valid_envelope() {
    EnvelopeSample s;
    auto& h = s.header;
    h.set_envelope_id("6f1c2a9e-3b7d-4e58-9a0c-5d2e8f41b7a3");
    h.set_business_type(lienthong::v1::NEW);
    h.set_document_id("000.00.00.H39,2026/11/20,125/UBND-VP");
    h.mutable_from()->set_code("000.00.00.H39");
    h.mutable_from()->set_name("Ủy ban nhân dân tỉnh Long An");
    h.add_to("H39.05");
    h.add_to("000.00.00.G22");
    h.mutable_code()->set_number("125");
    h.mutable_code()->set_notation("UBND-VP");
    h.mutable_promulgation()->set_place("Long An");
    h.mutable_promulgation()->set_date("2026-11-20");
    h.mutable_document_type()->set_type(1);
    h.mutable_document_type()->set_type_name("Công văn");
    h.set_subject("Về việc triển khai phần mềm quản lý văn bản");
    h.set_content("Triển khai trước ngày 31/12/2026.");
    h.mutable_signer()->set_competence("KT.");
    h.mutable_signer()->set_position("Phó Chủ tịch");
    h.mutable_signer()->set_full_name("Nguyễn Văn An");
    h.set_priority(lienthong::v1::URGENT);
    h.add_to_places("Như trên");
    h.add_to_places("Lưu: VT");
    h.set_created_at("2026-11-25T14:03:07.250+07:00");
    s.add("main", "application/pdf", lienthong::v1::MAIN, pdf());
    s.add("appendix-1", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          lienthong::v1::APPENDIX, docx());
    return s;
}

}  // namespace samples
