// Mapping packages to the hub's messages and back, field by field (envelope.md).

#include "hub/national/edxml_mapping.h"

#include "hub/core/validation.h"
#include "hub/national/edxml.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "golden.h"

using namespace hub::national;
using national_test::golden;
namespace v1 = lienthong::v1;

namespace {

// A registry stand-in: H39 registered with both forms, and a directory entry for a ministry
// system known only by its axis id.
CodeLookup test_lookup() {
    static const std::map<std::string, CodeForms, std::less<>> kKnown{
        {"000.00.00.H39", {"H39", "000.00.00.H39"}},
        {"H39", {"H39", "000.00.00.H39"}},
        {"H39.01", {"H39.01", "000.00.01.H39"}},
    };
    return [](std::string_view code) -> std::optional<CodeForms> {
        auto it = kKnown.find(code);
        return it != kKnown.end() ? std::optional<CodeForms>(it->second) : std::nullopt;
    };
}

MappedEnvelope map(const std::string& name, DecodeMode mode = DecodeMode::strict) {
    const std::string xml = golden(name);
    DecodeOptions options;
    options.mode = mode;
    auto p = decode_envelope_package(xml, options);
    REQUIRE(p.has_value());
    auto m = to_signed_envelope(*p, xml, test_lookup(), mode);
    INFO(name << ": " << (m ? std::string() : m.error().field + " " + m.error().message));
    REQUIRE(m.has_value());
    return *m;
}

}  // namespace

TEST_CASE("a new package maps to an EnvelopeHeader field by field", "[national][mapping]") {
    const MappedEnvelope m = map("new.edxml");
    const v1::EnvelopeHeader& h = m.header;
    CHECK(h.business_type() == v1::NEW);
    CHECK(h.document_id() == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(h.from().code() == "H39");
    CHECK(h.from().name() == "Ủy ban nhân dân tỉnh Long An");
    CHECK(h.from().address() == "61 Nguyễn Huệ, Tân An, Long An");
    CHECK(h.from().phone() == "0272 3826 000");
    CHECK(h.from().in_charge() == "Ủy ban nhân dân tỉnh Long An");
    REQUIRE(h.to_size() == 2);
    CHECK(h.to(0) == "G22");  // not registered: parsed to its canonical form
    CHECK(h.to(1) == "H41");
    CHECK(h.code().number() == "125");
    CHECK(h.code().notation() == "UBND-VP");
    CHECK(h.promulgation().place() == "Long An");
    CHECK(h.promulgation().date() == "2026-11-25");
    CHECK(h.document_type().type() == 1);
    CHECK(h.document_type().type_name() == "Công văn");
    CHECK(h.signer().full_name() == "Nguyễn Văn An");
    CHECK(h.priority() == v1::URGENT);
    CHECK(h.secrecy() == v1::NONE);
    CHECK(h.paper_copy_follows());
    CHECK(h.reply_requested());
    CHECK(h.reply_due() == "2026-12-15");
    REQUIRE(h.in_reply_to_size() == 1);
    CHECK(h.in_reply_to(0) == "000.00.00.G22,2026/11/02,7816/VPCP-TTĐT");
    CHECK(h.steering_type() == 1);
    CHECK(h.sphere_of_promulgation() == "Liên thông văn bản quốc gia");
    CHECK(h.page_amount() == 2);
    CHECK(h.to_places_size() == 2);
    CHECK(h.created_at() == "2026-11-25T14:03:07.000+07:00");
    REQUIRE(h.attachments_size() == 2);
    CHECK(h.attachments(0).content_id() == "main-1");
    CHECK(h.attachments(0).role() == v1::MAIN);
    CHECK(h.attachments(0).media_type() == "application/pdf");
    CHECK(h.attachments(0).sha256() == national_test::kMainPdfSha256);
    CHECK(h.attachments(0).size() == national_test::kMainPdfSize);
    CHECK(h.attachments(1).role() == v1::APPENDIX);
    CHECK(h.attachments(1).media_type() == "text/plain");
    CHECK(h.attachments(1).name() == "phu-luc.txt");
    CHECK(m.envelope.edxml_package() == golden("new.edxml"));
    CHECK(m.envelope.signature().empty());
    CHECK(m.flags.empty());

    // Everything the hub checks offline passes but the CMS signature, which XMLDSig replaces.
    auto checked = hub::validate_envelope(m.envelope);
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error().field == "signature");
}

TEST_CASE("the envelope id is a name-based UUID of sender, document and business type",
          "[national][mapping]") {
    const std::string a = edxml_envelope_id("H39", "000.00.00.H39,2026/11/25,125/UBND-VP", "0");
    CHECK(a.size() == 36);
    CHECK(a[14] == '5');
    CHECK(a == edxml_envelope_id("H39", "000.00.00.H39,2026/11/25,125/UBND-VP", "0"));
    CHECK(a != edxml_envelope_id("H39", "000.00.00.H39,2026/11/25,125/UBND-VP", "1"));
    CHECK(a != edxml_envelope_id("H41", "000.00.00.H39,2026/11/25,125/UBND-VP", "0"));
    CHECK(map("new.edxml").header.envelope_id() == a);
}

TEST_CASE("recall, update and replace carry the document acted on", "[national][mapping]") {
    const auto recall = map("recall.edxml").header;
    CHECK(recall.business_type() == v1::RECALL);
    CHECK(recall.replaces().document_id() == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(recall.replaces().reason() == "Thu hồi do sai sót số liệu");
    CHECK(map("update.edxml").header.business_type() == v1::UPDATE);
    const auto replace = map("replace.edxml").header;
    CHECK(replace.business_type() == v1::REPLACE);
    CHECK(replace.replaces().document_id() == "000.00.00.H39,2026/11/25,125/UBND-VP");
}

TEST_CASE("zipped attachments map to the files inside, the first PDF is MAIN",
          "[national][mapping]") {
    const auto m = map("zipped.edxml");
    REQUIRE(m.header.attachments_size() == 2);
    CHECK(m.header.attachments(0).name() == "cv-129.pdf");
    CHECK(m.header.attachments(0).role() == v1::MAIN);
    CHECK(m.header.attachments(0).sha256() == national_test::kMainPdfSha256);
    CHECK(m.header.attachments(1).role() == v1::APPENDIX);
    CHECK(m.header.attachments(1).media_type() == "application/pdf");
    REQUIRE(m.envelope.attachments_size() == 2);
    CHECK(m.envelope.attachments(1).content().size() == national_test::kAppendixPdfSize);
}

TEST_CASE("a package without a PDF is ATTACHMENT_TYPE in strict mode", "[national][mapping]") {
    const std::string xml = golden("new.edxml");
    auto p = decode_envelope_package(xml);
    REQUIRE(p.has_value());
    p->attachments.erase(p->attachments.begin());
    auto m = to_signed_envelope(*p, xml, test_lookup());
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == hub::errc::attachment_type);
    auto lenient = to_signed_envelope(*p, xml, test_lookup(), DecodeMode::lenient);
    REQUIRE(lenient.has_value());
    CHECK(lenient->flags == std::vector<std::string>{"main_document_missing:attachments"});
}

TEST_CASE("the axis package maps leniently, keeping what does not map", "[national][mapping]") {
    const auto m = map("axis_lenient.edxml", DecodeMode::lenient);
    CHECK(m.header.from().code() == "vxp.saas.03");
    CHECK(m.header.to(0) == "H39");
    CHECK(m.header.document_id() == "6f1c2a9e-3b7d-4c1e-9a2f-5d8e7b6a4c30");
    CHECK(m.header.created_at() == "2026-11-20T10:15:00.000+07:00");
    CHECK(m.header.attachments(0).role() == v1::MAIN);
    CHECK(m.header.attachments(0).name() == "4521-BTC-NSNN.pdf");
    bool unmapped = false;
    for (const auto& f : m.flags) {
        unmapped =
            unmapped ||
            f == "org_code_unmapped:edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId";
    }
    CHECK(unmapped);
}

TEST_CASE("a SignedEnvelope maps back to a package the decoder reads the same",
          "[national][mapping]") {
    const MappedEnvelope m = map("replace.edxml");
    auto p = from_signed_envelope(m.envelope, test_lookup());
    REQUIRE(p.has_value());
    CHECK(p->header.from.organ_id == "000.00.00.H39");
    CHECK(p->header.to[0].organ_id == "000.00.00.G22");  // its edXML form, from parsing
    CHECK(p->header.promulgation_date == "2026/11/25");
    CHECK(p->header.due_date == "2026/12/15");
    CHECK(p->traces.at(0).timestamp == "2026/11/25 14:03:07");
    CHECK(p->business.doc_type == "3");
    REQUIRE(p->business.replacements.size() == 1);
    auto xml = encode_envelope_package(*p);
    REQUIRE(xml.has_value());
    auto back = decode_envelope_package(*xml);
    INFO((back ? std::string() : back.error().field + " " + back.error().message));
    REQUIRE(back.has_value());
    auto again = to_signed_envelope(*back, *xml, test_lookup());
    REQUIRE(again.has_value());
    CHECK(again->header.document_id() == m.header.document_id());
    CHECK(again->header.created_at() == m.header.created_at());
    CHECK(again->header.replaces().document_id() == m.header.replaces().document_id());
    REQUIRE(again->header.attachments_size() == m.header.attachments_size());
    CHECK(again->header.attachments(0).sha256() == m.header.attachments(0).sha256());
    CHECK(again->header.attachments(0).role() == v1::MAIN);
    CHECK(again->header.envelope_id() == m.header.envelope_id());
}

TEST_CASE("status packages map to StatusUpdate and back", "[national][mapping][status]") {
    auto s = decode_status_package(golden("status_02.edxml"));
    REQUIRE(s.has_value());
    auto m = to_status_update(*s, test_lookup());
    REQUIRE(m.has_value());
    CHECK(m->from == "G22");
    CHECK(m->update.to() == "H39");
    CHECK(m->update.document_id() == "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(m->update.code() == "02");
    CHECK(m->update.description() == "Từ chối tiếp nhận: văn bản gửi nhầm nơi nhận");
    CHECK(m->update.staff().name() == "Lê Văn Cường");
    CHECK(m->update.timestamp() == "2026-11-26T08:05:30.000+07:00");

    v1::StatusUpdate update;
    update.set_document_id("H39.01,2026/11/25,77/SNV-VP");
    update.set_to("H39.01");
    update.set_code("03");
    update.set_timestamp("2026-11-26T02:00:00Z");
    update.mutable_staff()->set_name("Phạm Thị Dung");
    v1::Organization from;
    from.set_code("H39");
    from.set_name("UBND tỉnh Long An");
    auto p = from_status_update(update, from, test_lookup());
    REQUIRE(p.has_value());
    CHECK(p->from.organ_id == "000.00.00.H39");
    CHECK(p->response_for.organ_id == "000.00.01.H39");
    CHECK(p->response_for.code == "77/SNV-VP");
    CHECK(p->response_for.promulgation_date == "2026/11/25");
    CHECK(p->timestamp == "2026/11/26 09:00:00");
    CHECK(p->staff.staff == "Phạm Thị Dung");
    auto xml = encode_status_package(*p);
    REQUIRE(xml.has_value());
    auto back = decode_status_package(*xml);
    REQUIRE(back.has_value());
    CHECK(back->status_code == "03");

    update.set_code("07");
    auto bad = from_status_update(update, from, test_lookup());
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == hub::errc::invalid_status);

    v1::StatusNotice notice;
    notice.set_document_id("000.00.00.H39,2026/11/25,125/UBND-VP");
    notice.set_from("H39.01");
    notice.set_to("000.00.00.H39");
    notice.set_code("01");
    notice.set_timestamp("2026-11-25T16:20:00.000+07:00");
    auto from_notice = from_status_notice(notice, test_lookup());
    REQUIRE(from_notice.has_value());
    CHECK(from_notice->from.organ_id == "000.00.01.H39");
    CHECK(from_notice->response_for.organ_id == "000.00.00.H39");
    CHECK(from_notice->timestamp == "2026/11/25 16:20:00");

    // A report sent without the reporter's time goes out stamped with the hub's record of it.
    notice.clear_timestamp();
    notice.set_recorded_at("2026-11-25T16:21:30.000+07:00");
    from_notice = from_status_notice(notice, test_lookup());
    REQUIRE(from_notice.has_value());
    CHECK(from_notice->timestamp == "2026/11/25 16:21:30");
}

TEST_CASE("registry_lookup maps either written form of a registered organization",
          "[national][mapping]") {
    v1::Registry source;
    auto* org = source.add_organizations();
    org->set_code("000.00.01.H39");
    org->set_name("Sở Nội vụ");
    const CodeLookup lookup = registry_lookup(hub::Registry::build(source));
    auto by_edxml = lookup("000.00.01.H39");
    REQUIRE(by_edxml.has_value());
    CHECK(by_edxml->canonical == "H39.01");
    CHECK(by_edxml->edxml == "000.00.01.H39");
    auto by_qd20 = lookup("H39.01");
    REQUIRE(by_qd20.has_value());
    CHECK(by_qd20->edxml == "000.00.01.H39");
    CHECK_FALSE(lookup("H39.02").has_value());
    // Not registered, but a code: its forms come from parsing.
    auto parsed = code_forms("G12.01", lookup);
    REQUIRE(parsed.has_value());
    CHECK(parsed->edxml == "000.00.01.G12");
    CHECK_FALSE(code_forms("vxp.saas.03", lookup).has_value());
}
