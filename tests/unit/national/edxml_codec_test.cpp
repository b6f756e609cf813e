// Decoding the golden packages field by field, encoding them back, and the hostile zips.

#include "hub/core/digest.h"
#include "hub/national/edxml.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "golden.h"

using namespace hub::national;
using national_test::golden;

namespace {

EnvelopePackage decode(const std::string& name, DecodeMode mode = DecodeMode::strict) {
    DecodeOptions options;
    options.mode = mode;
    auto p = decode_envelope_package(golden(name), options);
    INFO(name << ": " << (p ? std::string() : p.error().message) << " "
              << (p ? std::string() : p.error().field));
    REQUIRE(p.has_value());
    return *p;
}

}  // namespace

TEST_CASE("golden new.edxml decodes every MessageHeader field", "[national][edxml]") {
    const EnvelopePackage p = decode("new.edxml");
    const EdxmlMessageHeader& h = p.header;
    CHECK(h.from.organ_id == "000.00.00.H39");
    CHECK(h.from.organ_name == "Ủy ban nhân dân tỉnh Long An");
    CHECK(h.from.organization_in_charge == "Ủy ban nhân dân tỉnh Long An");
    CHECK(h.from.organ_add == "61 Nguyễn Huệ, Tân An, Long An");
    CHECK(h.from.email == "vanthu@example.gov.vn");
    CHECK(h.from.telephone == "0272 3826 000");
    CHECK(h.from.fax == "0272 3826 001");
    CHECK(h.from.website == "https://example.gov.vn");
    REQUIRE(h.to.size() == 2);
    CHECK(h.to[0].organ_id == "000.00.00.G22");
    CHECK(h.to[1].organ_id == "000.00.00.H41");
    CHECK(h.to[1].organ_name == "Ủy ban nhân dân tỉnh Nghệ An");
    CHECK(h.document_id == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(h.code_number == "125");
    CHECK(h.code_notation == "UBND-VP");
    CHECK(h.promulgation_place == "Long An");
    CHECK(h.promulgation_date == "2026/11/25");
    CHECK(h.type == "1");
    CHECK(h.type_detail == "0");
    CHECK(h.type_name == "Công văn");
    CHECK(h.subject == "Về việc triển khai trục liên thông văn bản cấp tỉnh");
    CHECK(h.content == "Đề nghị các cơ quan phối hợp kết nối & thử nghiệm trước ngày 15/12/2026.");
    CHECK(h.signer_competence == "TM.");
    CHECK(h.signer_position == "Chủ tịch");
    CHECK(h.signer_full_name == "Nguyễn Văn An");
    CHECK(h.due_date == "2026/12/15");
    CHECK(h.other_info.priority == "1");
    CHECK(h.other_info.sphere_of_promulgation == "Liên thông văn bản quốc gia");
    CHECK(h.other_info.typer_notation == "VT");
    CHECK(h.other_info.promulgation_amount == "3");
    CHECK(h.other_info.page_amount == "2");
    CHECK(h.other_info.direction == "false");
    REQUIRE(h.other_info.appendixes.size() == 1);
    CHECK(h.other_info.appendixes[0] == "Phụ lục I: danh sách đầu mối");
    CHECK(h.steering_type == "1");
    CHECK(h.to_places == std::vector<std::string>{"Như trên", "Lưu: VT"});
    REQUIRE(h.response_for.size() == 1);
    CHECK(h.response_for[0].organ_id == "000.00.00.G22");
    CHECK(h.response_for[0].code == "7816/VPCP-TTĐT");
    CHECK(h.response_for[0].promulgation_date == "2026/11/02");
    CHECK(h.response_for[0].document_id == "000.00.00.G22,2026/11/02,7816/VPCP-TTĐT");
    CHECK(p.flags.empty());
    CHECK_FALSE(p.has_signature);
}

TEST_CASE("golden new.edxml decodes traces, business and attachments", "[national][edxml]") {
    const EnvelopePackage p = decode("new.edxml");
    REQUIRE(p.traces.size() == 1);
    CHECK(p.traces[0].organ_id == "000.00.00.H39");
    CHECK(p.traces[0].timestamp == "2026/11/25 14:03:07");
    CHECK(p.business.doc_type == "0");
    CHECK(p.business.paper == "1");
    CHECK(p.business.staff.department == "Văn phòng");
    CHECK(p.business.staff.staff == "Trần Thị Bình");
    CHECK(p.business.staff.mobile == "0900000001");
    CHECK(p.business.staff.email == "binh@example.gov.vn");
    REQUIRE(p.references.size() == 2);
    CHECK(p.references[0].content_id == "cid:main-1");
    CHECK(p.references[0].content_type == "application/pdf");
    CHECK(p.references[0].attachment_name == "cv-125.pdf");
    CHECK(p.references[1].description == "Phụ lục");
    REQUIRE(p.attachments.size() == 2);
    CHECK(p.attachments[0].attachment_name == "cv-125.pdf");
    CHECK_FALSE(p.attachments[0].zipped);
    CHECK(p.attachments[0].content.size() == national_test::kMainPdfSize);
    CHECK(hub::sha256_hex(p.attachments[0].content) == national_test::kMainPdfSha256);
    CHECK(p.attachments[1].content_type == "text/plain");
    CHECK(hub::sha256_hex(p.attachments[1].content) == national_test::kAppendixTxtSha256);
}

TEST_CASE("golden recall, update and replace packages", "[national][edxml]") {
    const EnvelopePackage recall = decode("recall.edxml");
    CHECK(recall.business.doc_type == "1");
    CHECK(recall.business.document_id == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(recall.business.doc_reason == "Thu hồi do sai sót số liệu");
    CHECK(recall.header.document_id == "000.00.00.H39,2026/11/25,126/UBND-VP");

    const EnvelopePackage update = decode("update.edxml");
    CHECK(update.business.doc_type == "2");
    CHECK(update.business.has_document_info);
    CHECK(update.business.document_info == "0");
    CHECK(update.business.document_receiver == "1");
    REQUIRE(update.business.receivers.size() == 1);
    CHECK(update.business.receivers[0].organ_id == "000.00.00.H41");
    CHECK(update.business.receivers[0].receiver_type == "1");

    const EnvelopePackage replace = decode("replace.edxml");
    CHECK(replace.business.doc_type == "3");
    REQUIRE(replace.business.replacements.size() == 1);
    CHECK(replace.business.replacements[0].document_id == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(replace.business.replacements[0].organ_ids ==
          std::vector<std::string>{"000.00.00.G22", "000.00.00.H41"});
    CHECK(replace.business.doc_reason == "Thay thế văn bản số 125/UBND-VP");
}

TEST_CASE("golden zipped.edxml opens each single-entry zip", "[national][edxml]") {
    const EnvelopePackage p = decode("zipped.edxml");
    REQUIRE(p.attachments.size() == 2);
    CHECK(p.attachments[0].zipped);
    CHECK(p.attachments[0].attachment_name == "cv-129.zip");
    CHECK(p.attachments[0].inner_name == "cv-129.pdf");
    CHECK(hub::sha256_hex(p.attachments[0].content) == national_test::kMainPdfSha256);
    CHECK(p.attachments[0].carried != p.attachments[0].content);
    CHECK(p.attachments[1].inner_name == "phu-luc-129.pdf");
    CHECK(p.attachments[1].content.size() == national_test::kAppendixPdfSize);
    CHECK(hub::sha256_hex(p.attachments[1].content) == national_test::kAppendixPdfSha256);
}

TEST_CASE("a zip with two entries and a zip bomb are refused", "[national][edxml][guard]") {
    auto two = decode_envelope_package(golden("zip_two_entries.edxml"));
    REQUIRE_FALSE(two.has_value());
    CHECK(refusal_of(two.error()) == refused::kZipEntries);
    CHECK(two.error().field.find("AttachmentEncoded/Attachment[0]") != std::string::npos);

    DecodeOptions options;
    options.max_inflated_bytes = 1024 * 1024;  // the bomb inflates to 2 MiB from a few KiB
    auto bomb = decode_envelope_package(golden("zip_bomb.edxml"), options);
    REQUIRE_FALSE(bomb.has_value());
    CHECK(refusal_of(bomb.error()) == refused::kZipSize);
    options.max_inflated_bytes = 4 * 1024 * 1024;
    CHECK(decode_envelope_package(golden("zip_bomb.edxml"), options).has_value());
}

TEST_CASE("golden status packages decode", "[national][edxml]") {
    CHECK(package_kind(golden("status_01.edxml")).value() == PackageKind::status);
    CHECK(package_kind(golden("new.edxml")).value() == PackageKind::envelope);
    auto s = decode_status_package(golden("status_02.edxml"));
    REQUIRE(s.has_value());
    CHECK(s->from.organ_id == "000.00.00.G22");
    CHECK(s->from.organ_name == "Văn phòng Chính phủ");
    CHECK(s->response_for.organ_id == "000.00.00.H39");
    CHECK(s->response_for.code == "125/UBND-VP");
    CHECK(s->response_for.promulgation_date == "2026/11/25");
    CHECK(s->response_for.document_id == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(s->staff.department == "Phòng Hành chính");
    CHECK(s->staff.staff == "Lê Văn Cường");
    CHECK(s->status_code == "02");
    CHECK(s->description == "Từ chối tiếp nhận: văn bản gửi nhầm nơi nhận");
    CHECK(s->timestamp == "2026/11/26 08:05:30");
    auto s1 = decode_status_package(golden("status_01.edxml"));
    REQUIRE(s1.has_value());
    CHECK(s1->status_code == "01");
    auto s3 = decode_status_package(golden("status_03.edxml"));
    REQUIRE(s3.has_value());
    CHECK(s3->status_code == "03");
    CHECK(s3->description.empty());
}

TEST_CASE("the axis-style package: strict refuses it, lenient decodes and flags",
          "[national][edxml]") {
    auto strict = decode_envelope_package(golden("axis_lenient.edxml"));
    REQUIRE_FALSE(strict.has_value());
    CHECK(strict.error().code == hub::errc::invalid_org_code);
    CHECK(strict.error().field == "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId");

    const EnvelopePackage p = decode("axis_lenient.edxml", DecodeMode::lenient);
    CHECK(p.header.from.organ_id == "vxp.saas.03");  // kept as written
    CHECK(p.header.document_id == "6f1c2a9e-3b7d-4c1e-9a2f-5d8e7b6a4c30");
    REQUIRE(p.traces.size() == 2);
    CHECK(p.traces[0].organ_id.empty());
    CHECK(p.traces[1].timestamp == "2026/11/20 10:15:00");
    CHECK_FALSE(p.has_signature);
    REQUIRE(p.attachments.size() == 1);
    CHECK(p.attachments[0].zipped);
    CHECK(hub::sha256_hex(p.attachments[0].content) == national_test::kMainPdfSha256);
    auto has = [&](const std::string& flag) {
        for (const auto& f : p.flags) {
            if (f == flag) {
                return true;
            }
        }
        return false;
    };
    const std::string mh = "edXML/edXMLEnvelope/edXMLHeader/MessageHeader";
    const std::string th = "edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/TraceHeader";
    INFO("flags: " << [&] {
        std::string all;
        for (const auto& f : p.flags) {
            all += f + " ";
        }
        return all;
    }());
    CHECK(has("org_code_unparsed:" + mh + "/From/OrganId"));
    CHECK(has("document_id_unparsed:" + mh + "/DocumentId"));
    CHECK(has("null_value:" + th + "/OrganId"));
    CHECK(has("null_value:" + th + "/Timestamp"));
    CHECK(
        has("null_value:edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/"
            "BussinessDocReason"));
    CHECK(has("not_a_signature:edXML/edXMLEnvelope/edXMLHeader/Signature"));
}

TEST_CASE("encode then decode gives the same package", "[national][edxml]") {
    for (const char* name :
         {"new.edxml", "recall.edxml", "update.edxml", "replace.edxml", "zipped.edxml"}) {
        INFO(name);
        const EnvelopePackage p = decode(name);
        auto xml = encode_envelope_package(p);
        REQUIRE(xml.has_value());
        CHECK(xml->find("<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"") !=
              std::string::npos);
        CHECK(xml->find("<edXML:edXMLEnvelope>") != std::string::npos);
        CHECK(xml->find("<edXML:Bussiness>") != std::string::npos);
        auto back = decode_envelope_package(*xml);
        REQUIRE(back.has_value());
        CHECK(back->header.subject == p.header.subject);
        CHECK(back->header.document_id == p.header.document_id);
        CHECK(back->header.to_places == p.header.to_places);
        CHECK(back->header.response_for.size() == p.header.response_for.size());
        CHECK(back->business.doc_type == p.business.doc_type);
        CHECK(back->business.replacements.size() == p.business.replacements.size());
        CHECK(back->business.receivers.size() == p.business.receivers.size());
        REQUIRE(back->attachments.size() == p.attachments.size());
        for (std::size_t i = 0; i < p.attachments.size(); ++i) {
            CHECK(back->attachments[i].carried == p.attachments[i].carried);
            CHECK(back->attachments[i].content == p.attachments[i].content);
        }
    }
    auto status = decode_status_package(golden("status_02.edxml"));
    REQUIRE(status.has_value());
    auto xml = encode_status_package(*status);
    REQUIRE(xml.has_value());
    auto back = decode_status_package(*xml);
    REQUIRE(back.has_value());
    CHECK(back->description == status->description);
    CHECK(back->response_for.document_id == status->response_for.document_id);
    CHECK(back->timestamp == status->timestamp);
}

TEST_CASE("encoding escapes values through libxml2", "[national][edxml]") {
    EnvelopePackage p = decode("new.edxml");
    p.header.subject = "<script>&\"x\"</script>";
    auto xml = encode_envelope_package(p);
    REQUIRE(xml.has_value());
    CHECK(xml->find("<script>") == std::string::npos);
    auto back = decode_envelope_package(*xml);
    REQUIRE(back.has_value());
    CHECK(back->header.subject == "<script>&\"x\"</script>");
}

TEST_CASE("strict mode names the element at fault", "[national][edxml]") {
    std::string xml = golden("new.edxml");
    const std::string from =
        "<edXML:DocumentId>000.00.00.H39,2026/11/25,125/UBND-VP</edXML:DocumentId>";
    const auto at = xml.find(from);
    REQUIRE(at != std::string::npos);
    xml.replace(at, from.size(), "<edXML:DocumentId>abc</edXML:DocumentId>");
    auto p = decode_envelope_package(xml);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == hub::errc::invalid_document_id);
    CHECK(p.error().field == "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/DocumentId");

    auto wrong_ns = decode_envelope_package("<edXML xmlns=\"urn:other\"><x/></edXML>");
    REQUIRE_FALSE(wrong_ns.has_value());
    CHECK(refusal_of(wrong_ns.error()) == refused::kNamespace);
}

TEST_CASE("base64 round trip", "[national][edxml]") {
    for (const std::string& s :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        auto back = base64_decode(base64_encode(s, 4));
        REQUIRE(back.has_value());
        CHECK(*back == s);
    }
    CHECK_FALSE(base64_decode("abc").has_value());
    CHECK_FALSE(base64_decode("ab!c").has_value());
}

TEST_CASE("status packages: strict refuses an unknown code, lenient flags it",
          "[national][edxml][status]") {
    std::string xml = golden("status_03.edxml");
    const std::string code = "<edXML:StatusCode>03</edXML:StatusCode>";
    xml.replace(xml.find(code), code.size(), "<edXML:StatusCode>09</edXML:StatusCode>");
    auto strict = decode_status_package(xml);
    REQUIRE_FALSE(strict.has_value());
    CHECK(strict.error().code == hub::errc::invalid_status);
    CHECK(strict.error().field == "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/StatusCode");
    DecodeOptions lenient;
    lenient.mode = DecodeMode::lenient;
    auto flagged = decode_status_package(xml, lenient);
    REQUIRE(flagged.has_value());
    CHECK(flagged->status_code == "09");
    CHECK(flagged->flags ==
          std::vector<std::string>{
              "status_unknown:edXML/edXMLEnvelope/edXMLHeader/MessageHeader/StatusCode"});
}
