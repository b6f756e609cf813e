#include "hub/core/validation.h"

#include "hub/core/digest.h"
#include "hub/core/time.h"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "envelope_samples.h"

namespace {

using lienthong::v1::EnvelopeHeader;
using samples::EnvelopeSample;
using samples::valid_envelope;
using samples::wire_field;

// Compares wire names so a failing check prints "MALFORMED" rather than an enum number.
void require_failure(const hub::Result<hub::CheckedEnvelope>& result,
                     hub::errc code,
                     const std::string& field) {
    REQUIRE(result.has_error());
    INFO("message: " << result.error().text());
    CHECK(hub::code_name(result.error().code) == hub::code_name(code));
    CHECK(result.error().field == field);
}

hub::Result<hub::CheckedEnvelope> validate(const EnvelopeSample& s,
                                           std::string_view extra_wire = {}) {
    return hub::validate_envelope(s.envelope(extra_wire));
}

const std::string kBadUtf8("\xC3\x28", 2);

}  // namespace

TEST_CASE("a complete envelope passes and comes back parsed", "[validation]") {
    const EnvelopeSample s = valid_envelope();
    auto checked = validate(s);
    REQUIRE(checked.has_value());
    CHECK(checked->from.canonical == "H39");
    REQUIRE(checked->to.size() == 2);
    CHECK(checked->to[0].canonical == "H39.05");
    CHECK(checked->to[1].canonical == "G22");
    CHECK(checked->document.number == "125");
    CHECK(checked->document.notation == "UBND-VP");
    CHECK(checked->document.date == std::chrono::year_month_day(std::chrono::year(2026),
                                                                std::chrono::month(11),
                                                                std::chrono::day(20)));
    CHECK(hub::format_instant(checked->created_at) == "2026-11-25T14:03:07.250+07:00");
    CHECK(checked->header.subject() == s.header.subject());
    CHECK(checked->header.attachments_size() == 2);

    auto header_only = hub::validate_header(s.header_bytes());
    REQUIRE(header_only.has_value());
    CHECK(header_only->document.number == "125");
}

TEST_CASE("validate_header does not look at attachment content", "[validation]") {
    EnvelopeSample s = valid_envelope();
    s.attachments.clear();
    CHECK(hub::validate_header(s.header_bytes()).has_value());
    require_failure(validate(s), hub::errc::attachment_digest, "attachments");
}

TEST_CASE("R-05 header text is normalized to NFC", "[validation]") {
    EnvelopeSample s = valid_envelope();
    const std::string decomposed = "Tie\xCC\x82\xCC\x81ng Vie\xCC\xA3\xCC\x82t";
    const std::string composed = "Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t";
    s.header.set_subject(decomposed);
    s.header.set_to_places(1, "Lu\xCC\x9B\xCC\x9Bu");  // u + horn twice stays as typed
    s.header.mutable_signer()->set_full_name("Nguye\xCC\x82\xCC\x83n Va\xCC\x86n An");
    s.header.mutable_attachments(1)->set_description(decomposed);
    // The document id and code.notation agree once both are in NFC: "Sở" typed two ways.
    s.header.set_document_id("000.00.00.H39,2026/11/20,125/TTr-S\xE1\xBB\x9F");
    s.header.mutable_code()->set_notation("TTr-So\xCC\x9B\xCC\x89");

    auto checked = validate(s);
    REQUIRE(checked.has_value());
    CHECK(checked->header.subject() == composed);
    CHECK(checked->header.signer().full_name() == "Nguy\xE1\xBB\x85n V\xC4\x83n An");
    CHECK(checked->header.attachments(1).description() == composed);
    CHECK(checked->header.code().notation() == "TTr-S\xE1\xBB\x9F");
    CHECK(checked->document.notation == "TTr-S\xE1\xBB\x9F");
    CHECK(checked->header.to_places(0) == "Như trên");
}

TEST_CASE("a header that does not parse is MALFORMED header", "[validation]") {
    EnvelopeSample s = valid_envelope();
    auto envelope = s.envelope();

    envelope.set_header("");
    require_failure(hub::validate_envelope(envelope), hub::errc::malformed, "header");

    envelope.set_header(std::string("\xFF\xFF\xFF\xFF", 4));
    require_failure(hub::validate_envelope(envelope), hub::errc::malformed, "header");

    // A length that runs past the end of the bytes.
    envelope.set_header(s.header_bytes() + std::string("\x4A\x7F", 2) + "short");
    require_failure(hub::validate_envelope(envelope), hub::errc::malformed, "header");

    // The subject field given as a nested message that is itself garbage.
    envelope.set_header(s.header_bytes() + wire_field(11, std::string("\x0A\x50", 2)));
    require_failure(hub::validate_envelope(envelope), hub::errc::malformed, "header");

    require_failure(hub::validate_header(""), hub::errc::malformed, "header");
}

TEST_CASE("an envelope without a signature is MALFORMED signature", "[validation]") {
    EnvelopeSample s = valid_envelope();
    s.signature.clear();
    require_failure(validate(s), hub::errc::malformed, "signature");
}

TEST_CASE("R-10 required header fields are MALFORMED when missing", "[validation]") {
    struct Case {
        const char* field;
        std::function<void(EnvelopeHeader&)> change;
    };
    const Case cases[] = {
        {"header.envelope_id", [](EnvelopeHeader& h) { h.clear_envelope_id(); }},
        {"header.envelope_id",
         [](EnvelopeHeader& h) { h.set_envelope_id("6f1c2a9e3b7d4e589a0c5d2e8f41b7a3"); }},
        {"header.envelope_id",
         [](EnvelopeHeader& h) { h.set_envelope_id("6f1c2a9e-3b7d-4e58-9a0c-5d2e8f41b7ag"); }},
        {"header.document_id", [](EnvelopeHeader& h) { h.clear_document_id(); }},
        {"header.from.code", [](EnvelopeHeader& h) { h.mutable_from()->clear_code(); }},
        {"header.from.code", [](EnvelopeHeader& h) { h.clear_from(); }},
        {"header.to", [](EnvelopeHeader& h) { h.clear_to(); }},
        {"header.code.number", [](EnvelopeHeader& h) { h.mutable_code()->clear_number(); }},
        {"header.code.notation", [](EnvelopeHeader& h) { h.mutable_code()->clear_notation(); }},
        {"header.promulgation.date",
         [](EnvelopeHeader& h) { h.mutable_promulgation()->clear_date(); }},
        {"header.subject", [](EnvelopeHeader& h) { h.clear_subject(); }},
        {"header.created_at", [](EnvelopeHeader& h) { h.clear_created_at(); }},
        {"header.attachments", [](EnvelopeHeader& h) { h.clear_attachments(); }},
    };
    for (const Case& c : cases) {
        INFO(c.field);
        EnvelopeSample s = valid_envelope();
        c.change(s.header);
        require_failure(validate(s), hub::errc::malformed, c.field);
    }

    EnvelopeSample upper = valid_envelope();
    upper.header.set_envelope_id("6F1C2A9E-3B7D-4E58-9A0C-5D2E8F41B7A3");
    CHECK(validate(upper).has_value());
}

TEST_CASE("R-05 text that is not valid UTF-8 is INVALID_TEXT with its path", "[validation]") {
    const EnvelopeSample s = valid_envelope();

    SECTION("bytes C3 28 in the subject, which protobuf itself refuses to parse") {
        const std::string extra = wire_field(9, kBadUtf8);
        require_failure(validate(s, extra), hub::errc::invalid_text, "header.subject");
        require_failure(hub::validate_header(s.header_bytes(extra)), hub::errc::invalid_text,
                        "header.subject");
    }
    SECTION("inside a nested message") {
        const std::string extra = wire_field(11, wire_field(3, kBadUtf8));
        require_failure(validate(s, extra), hub::errc::invalid_text, "header.signer.full_name");
    }
    SECTION("an element of a repeated string") {
        const std::string extra = wire_field(22, std::string("\xED\xA0\x80", 3));  // surrogate
        require_failure(validate(s, extra), hub::errc::invalid_text, "header.to_places[2]");
    }
    SECTION("inside an element of a repeated message") {
        const std::string extra =
            wire_field(23, wire_field(1, "extra") + wire_field(7, std::string("\xC0\xAF", 2)));
        require_failure(validate(s, extra), hub::errc::invalid_text,
                        "header.attachments[2].description");
    }
    SECTION("a control character, which protobuf accepts") {
        EnvelopeSample c = s;
        c.header.set_content("see \x1B[1mbold\x1B[0m");
        require_failure(validate(c), hub::errc::invalid_text, "header.content");
    }
    SECTION("a missing required field is reported before bad text") {
        EnvelopeSample c = s;
        c.header.clear_created_at();
        require_failure(validate(c, wire_field(9, kBadUtf8)), hub::errc::malformed,
                        "header.created_at");
    }
    SECTION("bad text is reported before secrecy") {
        EnvelopeSample c = s;
        c.header.set_secrecy(lienthong::v1::SECRET);
        require_failure(validate(c, wire_field(9, kBadUtf8)), hub::errc::invalid_text,
                        "header.subject");
    }
}

TEST_CASE("R-02 classified documents are SECRET_NOT_ALLOWED", "[validation]") {
    for (const auto level : {lienthong::v1::CONFIDENTIAL, lienthong::v1::SECRET,
                             lienthong::v1::TOP_SECRET, static_cast<lienthong::v1::Secrecy>(9)}) {
        INFO("secrecy " << static_cast<int>(level));
        EnvelopeSample s = valid_envelope();
        s.header.set_secrecy(level);
        require_failure(validate(s), hub::errc::secret_not_allowed, "header.secrecy");
    }
    // Secrecy comes before any other content check, whatever else is wrong.
    EnvelopeSample s = valid_envelope();
    s.header.set_secrecy(lienthong::v1::TOP_SECRET);
    s.header.mutable_from()->set_code("not a code");
    require_failure(validate(s), hub::errc::secret_not_allowed, "header.secrecy");
}

TEST_CASE("R-10 organization codes are INVALID_ORG_CODE with the field", "[validation]") {
    {
        EnvelopeSample s = valid_envelope();
        s.header.mutable_from()->set_code("H39-05");
        require_failure(validate(s), hub::errc::invalid_org_code, "header.from.code");
    }
    {
        EnvelopeSample s = valid_envelope();
        s.header.set_to(1, "ABC");
        require_failure(validate(s), hub::errc::invalid_org_code, "header.to[1]");
    }
    {
        EnvelopeSample s = valid_envelope();
        s.header.add_to("");
        require_failure(validate(s), hub::errc::invalid_org_code, "header.to[2]");
    }
}

TEST_CASE("R-10 a recipient written in both forms is delivered once", "[validation]") {
    EnvelopeSample s = valid_envelope();
    s.header.add_to("000.00.05.H39");  // the edXML form of H39.05
    s.header.add_to("H39.05");
    auto checked = validate(s);
    REQUIRE(checked.has_value());
    REQUIRE(checked->to.size() == 2);
    CHECK(checked->to[0].canonical == "H39.05");
    CHECK(checked->to[0].given == "H39.05");
    CHECK(checked->to[1].canonical == "G22");
    CHECK(checked->header.to_size() == 4);  // the signed header is kept as sent
}

TEST_CASE("R-17 times are INVALID_TIME with the field", "[validation]") {
    struct Case {
        const char* field;
        std::function<void(EnvelopeHeader&)> change;
    };
    const Case cases[] = {
        {"header.created_at",
         [](EnvelopeHeader& h) { h.set_created_at("2026-11-25T14:03:07"); }},  // no offset
        {"header.created_at", [](EnvelopeHeader& h) { h.set_created_at("2026-11-25"); }},
        {"header.reply_due", [](EnvelopeHeader& h) { h.set_reply_due("25/12/2026"); }},
        {"header.reply_due", [](EnvelopeHeader& h) { h.set_reply_due("2026-12-25T17:00:00"); }},
        {"header.promulgation.date",
         [](EnvelopeHeader& h) { h.mutable_promulgation()->set_date("2026/11/20"); }},
        {"header.promulgation.date",
         [](EnvelopeHeader& h) { h.mutable_promulgation()->set_date("2026-02-30"); }},
    };
    for (const Case& c : cases) {
        INFO(c.field);
        EnvelopeSample s = valid_envelope();
        c.change(s.header);
        require_failure(validate(s), hub::errc::invalid_time, c.field);
    }
    for (const char* due : {"2026-12-25", "2026-12-25T17:00:00+07:00", "2026-12-25T10:00:00Z"}) {
        INFO(due);
        EnvelopeSample s = valid_envelope();
        s.header.set_reply_requested(true);
        s.header.set_reply_due(due);
        CHECK(validate(s).has_value());
    }
}

TEST_CASE("R-10 the document id must parse and agree with the header", "[validation]") {
    struct Case {
        const char* why;
        const char* document_id;
    };
    const Case cases[] = {
        {"not an id at all", "125/UBND-VP"},
        {"issuer is not an organization code", "XYZ,2026/11/20,125/UBND-VP"},
        {"issuer is another organization", "000.00.00.G22,2026/11/20,125/UBND-VP"},
        {"date is not the promulgation date", "000.00.00.H39,2026/11/21,125/UBND-VP"},
        {"impossible date", "000.00.00.H39,2026/02/30,125/UBND-VP"},
        {"number is not code.number", "000.00.00.H39,2026/11/20,126/UBND-VP"},
        {"notation is not code.notation", "000.00.00.H39,2026/11/20,125/UBND-TH"},
    };
    for (const Case& c : cases) {
        INFO(c.why);
        EnvelopeSample s = valid_envelope();
        s.header.set_document_id(c.document_id);
        require_failure(validate(s), hub::errc::invalid_document_id, "header.document_id");
    }

    EnvelopeSample other_form = valid_envelope();
    other_form.header.set_document_id("H39,2026/11/20,125/UBND-VP");  // issuer in QĐ 20 form
    CHECK(validate(other_form).has_value());
}

TEST_CASE("R-14 in_reply_to must hold document ids", "[validation]") {
    EnvelopeSample s = valid_envelope();
    s.header.add_in_reply_to("000.00.00.G22,2026/10/01,88/VPCP-TTĐT");
    CHECK(validate(s).has_value());
    s.header.add_in_reply_to("88/VPCP-TTĐT");
    require_failure(validate(s), hub::errc::invalid_document_id, "header.in_reply_to[1]");
}

TEST_CASE("RECALL, UPDATE and REPLACE must say what they replace and why", "[validation]") {
    for (const auto type : {lienthong::v1::RECALL, lienthong::v1::UPDATE, lienthong::v1::REPLACE}) {
        INFO("business type " << static_cast<int>(type));
        EnvelopeSample s = valid_envelope();
        s.header.set_business_type(type);
        require_failure(validate(s), hub::errc::malformed, "header.replaces");

        s.header.mutable_replaces()->set_reason("Sai sót số liệu");
        require_failure(validate(s), hub::errc::malformed, "header.replaces.document_id");

        s.header.mutable_replaces()->set_document_id("000.00.00.H39,2026/11/19");
        require_failure(validate(s), hub::errc::invalid_document_id, "header.replaces.document_id");

        s.header.mutable_replaces()->set_document_id("000.00.00.H39,2026/11/19,120/UBND-VP");
        s.header.mutable_replaces()->clear_reason();
        require_failure(validate(s), hub::errc::malformed, "header.replaces.reason");

        s.header.mutable_replaces()->set_reason("Sai sót số liệu");
        CHECK(validate(s).has_value());
    }
    EnvelopeSample fresh = valid_envelope();
    fresh.header.mutable_replaces()->set_reason("ignored on a new document");
    CHECK(validate(fresh).has_value());

    EnvelopeSample unknown = valid_envelope();
    unknown.header.set_business_type(static_cast<lienthong::v1::BusinessType>(7));
    require_failure(validate(unknown), hub::errc::malformed, "header.business_type");
}

TEST_CASE("attachment references are checked in the header", "[validation]") {
    SECTION("content_id present and unique") {
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(1)->clear_content_id();
        require_failure(validate(s), hub::errc::malformed, "header.attachments[1].content_id");
        s.header.mutable_attachments(1)->set_content_id("main");
        require_failure(validate(s), hub::errc::malformed, "header.attachments[1].content_id");
    }
    SECTION("sha256 is 64 hex digits, either case") {
        EnvelopeSample s = valid_envelope();
        auto* ref = s.header.mutable_attachments(0);
        const std::string digest = ref->sha256();
        ref->set_sha256(digest.substr(0, 63));
        require_failure(validate(s), hub::errc::malformed, "header.attachments[0].sha256");
        ref->set_sha256(digest.substr(0, 63) + "g");
        require_failure(validate(s), hub::errc::malformed, "header.attachments[0].sha256");
        std::string upper = digest;
        for (char& c : upper) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        ref->set_sha256(upper);
        CHECK(validate(s).has_value());
    }
    SECTION("exactly one MAIN") {
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(0)->set_role(lienthong::v1::APPENDIX);
        require_failure(validate(s), hub::errc::malformed, "header.attachments");
        s.header.mutable_attachments(0)->set_role(lienthong::v1::MAIN);
        s.header.mutable_attachments(1)->set_role(lienthong::v1::MAIN);
        require_failure(validate(s), hub::errc::malformed, "header.attachments");
    }
    SECTION("R-06 declared media types must be allowed") {
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(1)->set_media_type("application/zip");
        require_failure(validate(s), hub::errc::attachment_type,
                        "header.attachments[1].media_type");
    }
    SECTION("R-06 the main document is a PDF") {
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(0)->set_media_type("image/png");
        require_failure(validate(s), hub::errc::attachment_type,
                        "header.attachments[0].media_type");
    }
}

TEST_CASE("attachments must match their references one to one", "[validation]") {
    SECTION("a referenced attachment is missing") {
        EnvelopeSample s = valid_envelope();
        s.attachments.pop_back();
        require_failure(validate(s), hub::errc::attachment_digest, "attachments");
    }
    SECTION("an attachment the header does not list") {
        EnvelopeSample s = valid_envelope();
        lienthong::v1::Attachment extra;
        extra.set_content_id("smuggled");
        extra.set_content(samples::pdf());
        s.attachments.push_back(extra);
        require_failure(validate(s), hub::errc::attachment_digest, "attachments[2]");
    }
    SECTION("the same attachment twice") {
        EnvelopeSample s = valid_envelope();
        s.attachments.push_back(s.attachments[0]);
        require_failure(validate(s), hub::errc::attachment_digest, "attachments[2]");
    }
    SECTION("size differs") {
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(1)->set_size(s.attachments[1].content().size() + 1);
        require_failure(validate(s), hub::errc::attachment_digest, "attachments[1]");
    }
    SECTION("content altered after signing") {
        EnvelopeSample s = valid_envelope();
        std::string content = s.attachments[0].content();
        content[content.size() - 2] = 'X';
        s.attachments[0].set_content(content);
        require_failure(validate(s), hub::errc::attachment_digest, "attachments[0]");
    }
    SECTION("R-06 content that is not the declared type") {
        EnvelopeSample s = valid_envelope();
        s.add("chart", "image/png", lienthong::v1::OTHER, samples::gif());
        require_failure(validate(s), hub::errc::attachment_type, "attachments[2]");
    }
    SECTION("R-06 a DOCX declared as XLSX") {
        EnvelopeSample s = valid_envelope();
        s.add("table", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              lienthong::v1::APPENDIX, samples::docx());
        require_failure(validate(s), hub::errc::attachment_type, "attachments[2]");
    }
    SECTION("attachments in another order than their references") {
        EnvelopeSample s = valid_envelope();
        s.add("scan", "image/tiff", lienthong::v1::OTHER, samples::tiff_le());
        std::swap(s.attachments[0], s.attachments[2]);
        CHECK(validate(s).has_value());
    }
}

TEST_CASE("check_attachment_content reports under the caller's field", "[validation]") {
    const std::string content = samples::odt();
    lienthong::v1::AttachmentRef ref;
    ref.set_content_id("odt");
    ref.set_media_type("application/vnd.oasis.opendocument.text");
    ref.set_size(content.size());
    ref.set_sha256(samples::sha256(content));
    CHECK(hub::check_attachment_content(ref, content, "part[0]").has_value());

    ref.set_media_type("application/vnd.oasis.opendocument.spreadsheet");
    auto wrong_type = hub::check_attachment_content(ref, content, "part[0]");
    REQUIRE(wrong_type.has_error());
    CHECK(hub::code_name(wrong_type.error().code) == "ATTACHMENT_TYPE");
    CHECK(wrong_type.error().field == "part[0]");

    ref.set_media_type("application/vnd.oasis.opendocument.text");
    ref.set_sha256(samples::sha256("something else"));
    auto wrong_digest = hub::check_attachment_content(ref, content, "part[0]");
    REQUIRE(wrong_digest.has_error());
    CHECK(hub::code_name(wrong_digest.error().code) == "ATTACHMENT_DIGEST");
}

TEST_CASE("sha256_hex gives the FIPS 180-2 test vectors", "[digest]") {
    CHECK(hub::sha256_hex("") ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hub::sha256_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string pdf = samples::pdf();
    CHECK(hub::sha256_hex(pdf) == samples::sha256(pdf));
}

TEST_CASE("attachment names are plain file names", "[validation]") {
    const std::vector<std::string> refused = {
        "../../etc/passwd",
        "a/b.pdf",
        "dir\\b.pdf",
        "..",
        ".",
        "tab\there.pdf",
        "line\nbreak.pdf",
        "del\x7f.pdf",
        "c1\xc2\x85.pdf",  // U+0085 NEL
        "invoice\xe2\x80\xae"
        "fdp.exe",            // U+202E RIGHT-TO-LEFT OVERRIDE
        "a\xe2\x80\xaa.pdf",  // U+202A
        "a\xe2\x81\xa6.pdf",  // U+2066
        "a\xe2\x81\xa9.pdf",  // U+2069
        "a\xe2\x80\x8e.pdf",  // U+200E
        "a\xe2\x80\x8f.pdf",  // U+200F
        "a\xd8\x9c.pdf",      // U+061C ARABIC LETTER MARK
    };
    for (const auto& name : refused) {
        INFO("name: " << name);
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(1)->set_name(name);
        require_failure(validate(s), hub::errc::malformed, "header.attachments[1].name");
    }
    // Other C0 controls are not valid text at all, with the same field.
    EnvelopeSample nul = valid_envelope();
    nul.header.mutable_attachments(0)->set_name(std::string("a\x01.pdf"));
    require_failure(validate(nul), hub::errc::invalid_text, "header.attachments[0].name");

    for (const std::string name : {"Công văn số 12..final.pdf", "..hidden", "a..b", "Tờ trình.pdf",
                                   "\xe2\x80\x8b"
                                   "zero-width-space.pdf"}) {
        INFO("name: " << name);
        EnvelopeSample s = valid_envelope();
        s.header.mutable_attachments(1)->set_name(name);
        CHECK(validate(s).has_value());
    }
}
