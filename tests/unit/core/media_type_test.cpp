#include "hub/core/media_type.h"

#include <catch2/catch.hpp>

#include <string>

#include "envelope_samples.h"

namespace {

constexpr const char* kPdf = "application/pdf";
constexpr const char* kDoc = "application/msword";
constexpr const char* kXls = "application/vnd.ms-excel";
constexpr const char* kDocx =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr const char* kOdt = "application/vnd.oasis.opendocument.text";
constexpr const char* kOds = "application/vnd.oasis.opendocument.spreadsheet";

std::string with_bytes_changed(std::string s, std::size_t at, std::string_view bytes) {
    s.replace(at, bytes.size(), bytes);
    return s;
}

}  // namespace

TEST_CASE("R-06 allowed media types are recognized whatever their case and parameters",
          "[media_type]") {
    const char* allowed[] = {kPdf,         kDoc,         kXls,         kDocx,
                             kXlsx,        kOdt,         kOds,         "application/rtf",
                             "text/rtf",   "text/plain", "text/csv",   "image/png",
                             "image/jpeg", "image/gif",  "image/tiff", "image/svg+xml"};
    for (const char* type : allowed) {
        INFO(type);
        CHECK(hub::is_allowed_media_type(type));
    }
    CHECK(hub::is_allowed_media_type("Application/PDF"));
    CHECK(hub::is_allowed_media_type("text/plain; charset=utf-8"));
    CHECK(hub::is_allowed_media_type("  TEXT/CSV ;charset=UTF-8;header=present"));
    CHECK(hub::normalize_media_type(" Image/SVG+XML; charset=utf-8") == "image/svg+xml");

    const char* refused[] = {"application/zip",
                             "application/octet-stream",
                             "application/x-msdownload",
                             "application/javascript",
                             "text/html",
                             "image/webp",
                             "image/jpg",
                             "",
                             "pdf",
                             "application/pdf/extra",
                             "application /pdf",
                             "/pdf",
                             "application/"};
    for (const char* type : refused) {
        INFO(type);
        CHECK_FALSE(hub::is_allowed_media_type(type));
    }
    CHECK(hub::normalize_media_type("application /pdf").empty());
}

TEST_CASE("R-06 declared type must match the content's magic bytes", "[media_type]") {
    using namespace samples;
    struct Case {
        const char* why;
        const char* declared;
        std::string content;
        bool matches;
    };
    const std::string docx_without_types =
        stored_zip({{"_rels/.rels", "<Relationships/>"}, {"word/document.xml", "<w:document/>"}});
    const std::string types_without_word =
        stored_zip({{"[Content_Types].xml", "<Types/>"}, {"docProps/app.xml", "<Properties/>"}});
    const std::string odt_mimetype_second =
        stored_zip({{"content.xml", "<office:document-content/>"},
                    {"mimetype", "application/vnd.oasis.opendocument.text"}});
    const std::string odt_mimetype_deflated = stored_zip(
        {{"mimetype", "application/vnd.oasis.opendocument.text", /*claim_deflated=*/true},
         {"content.xml", "<office:document-content/>"}});
    const std::string odt_other_mimetype =
        stored_zip({{"mimetype", "application/vnd.oasis.opendocument.presentation"},
                    {"content.xml", "<office:document-content/>"}});
    const std::string docx_text = docx();

    const Case cases[] = {
        {"PDF", kPdf, pdf(), true},
        {"PDF with parameters", "Application/PDF; name=cv.pdf", pdf(), true},
        {"PNG declared as PDF", kPdf, png(), false},
        {"PDF marker not at the start", kPdf, " %PDF-1.4\n", false},
        {"empty content as PDF", kPdf, "", false},

        {"DOC (OLE2)", kDoc, ole2(), true},
        {"XLS (OLE2)", kXls, ole2(), true},
        {"DOCX declared as DOC", kDoc, docx(), false},
        {"PDF declared as XLS", kXls, pdf(), false},

        {"DOCX", kDocx, docx(), true},
        {"XLSX", kXlsx, xlsx(), true},
        {"DOCX declared as XLSX", kXlsx, docx(), false},
        {"XLSX declared as DOCX", kDocx, xlsx(), false},
        {"zip without [Content_Types].xml as DOCX", kDocx, docx_without_types, false},
        {"[Content_Types].xml but no word/ part as DOCX", kDocx, types_without_word, false},
        {"ODT declared as DOCX", kDocx, odt(), false},
        {"OLE2 declared as DOCX", kDocx, ole2(), false},
        {"DOCX with a zip comment", kDocx,
         stored_zip({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w:document/>"}},
                    "made by a test"),
         true},
        {"DOCX cut short (no end of central directory)", kDocx,
         docx_text.substr(0, docx_text.size() - 10), false},
        {"DOCX whose central directory offset points past the end", kDocx,
         with_bytes_changed(docx_text, docx_text.size() - 6, std::string("\xFF\xFF\xFF\x7F", 4)),
         false},
        {"zip signature followed by garbage", kDocx, std::string("PK\x03\x04garbage", 11), false},

        {"ODT", kOdt, odt(), true},
        {"ODS", kOds, ods(), true},
        {"ODT declared as ODS", kOds, odt(), false},
        {"ODS declared as ODT", kOdt, ods(), false},
        {"ODT whose mimetype entry is not first", kOdt, odt_mimetype_second, false},
        {"ODT whose mimetype entry is compressed", kOdt, odt_mimetype_deflated, false},
        {"ODP declared as ODT", kOdt, odt_other_mimetype, false},
        {"DOCX declared as ODT", kOdt, docx(), false},

        {"RTF as application/rtf", "application/rtf", rtf(), true},
        {"RTF as text/rtf", "text/rtf", rtf(), true},
        {"plain text declared as RTF", "application/rtf", "rtf1 but no brace", false},

        {"Vietnamese plain text", "text/plain", "Kính gửi: Sở Nội vụ\r\nNội dung.\n", true},
        {"CSV", "text/csv", "ma,ten\r\nH39,\"Long An\"\r\n", true},
        {"text with NUL", "text/plain", std::string("abc\0def", 7), false},
        {"Latin-1 text", "text/plain", std::string("caf\xE9", 4), false},
        {"PDF declared as CSV", "text/csv", pdf(), false},
        {"PNG declared as text", "text/plain", png(), false},

        {"PNG", "image/png", png(), true},
        {"GIF declared as PNG", "image/png", gif(), false},
        {"JPEG", "image/jpeg", jpeg(), true},
        {"PNG declared as JPEG", "image/jpeg", png(), false},
        {"GIF89a", "image/gif", gif(), true},
        {"GIF87a", "image/gif", with_bytes_changed(gif(), 0, "GIF87a"), true},
        {"GIF88a is no GIF", "image/gif", with_bytes_changed(gif(), 0, "GIF88a"), false},
        {"TIFF little-endian", "image/tiff", tiff_le(), true},
        {"TIFF big-endian", "image/tiff", tiff_be(), true},
        {"TIFF with mixed byte order mark", "image/tiff", std::string("II\0*\0\0\0\x08", 8), false},
        {"JPEG declared as TIFF", "image/tiff", jpeg(), false},

        {"SVG with BOM, declaration, comment and doctype", "image/svg+xml", svg(), true},
        {"bare SVG", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", true},
        {"SVG doctype with an internal subset", "image/svg+xml",
         "<!DOCTYPE svg [ <!ENTITY e \"x>y\"> ]>\n<svg>&e;</svg>", true},
        {"HTML wrapping an SVG", "image/svg+xml", "<html><svg></svg></html>", false},
        {"an <svgfoo> root", "image/svg+xml", "<svgfoo/>", false},
        {"unterminated comment before <svg>", "image/svg+xml", "<!-- <svg>", false},
        {"SVG with invalid UTF-8", "image/svg+xml", std::string("<svg>\xC3\x28</svg>"), false},
        {"PNG declared as SVG", "image/svg+xml", png(), false},

        {"PDF declared as a type not allowed", "application/zip", pdf(), false},
        {"DOCX declared as application/zip", "application/zip", docx(), false},
        {"PDF declared as octet-stream", "application/octet-stream", pdf(), false},
    };
    for (const Case& c : cases) {
        INFO(c.why);
        CHECK(hub::content_matches(c.declared, c.content) == c.matches);
    }
}

TEST_CASE("media_kind tells DOC from XLS by the declared type only", "[media_type]") {
    CHECK(hub::media_kind(kDoc) == hub::MediaKind::doc);
    CHECK(hub::media_kind(kXls) == hub::MediaKind::xls);
    CHECK(hub::media_kind("TEXT/RTF") == hub::MediaKind::rtf);
    CHECK(hub::media_kind("application/rtf") == hub::MediaKind::rtf);
    CHECK_FALSE(hub::media_kind("application/zip").has_value());
}
