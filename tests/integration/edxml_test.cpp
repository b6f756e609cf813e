// POST /v1/edxml against the real lienthongd (issue 9): packages built and signed by the test
// with the national codec (xmlsec1), the same checks as POST /v1/envelopes, delivery to a
// protobuf/JSON recipient with the original package, statuses back.

#include "hub/national/edxml.h"

#include "hub/core/org_code.h"
#include "hub/national/edxml_mapping.h"
#include "hub/national/xmldsig.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>

#include "api.h"
#include "delivery_support.h"
#include "edxml_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using hub::http::Client;
using hub::national::XmlSignatureMethod;

namespace {

v1::Receipt accepted(const hub::http::ClientResponse& response, unsigned expected = 202) {
    INFO("HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == expected);
    return it::parse_receipt(response.body);
}

bool has(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

std::string field_of(const hub::http::ClientResponse& response) {
    return it::parse_error(response.body).field();
}

// Sets OrgEntry.unsigned_edxml_allowed for `code` in the environment's registry.json and
// restarts the daemon, which imports the file at start.
void allow_unsigned(it::Hub& hub, const std::string& code) {
    const std::string path = hub.dir() + "/registry.json";
    v1::Registry registry;
    REQUIRE(google::protobuf::util::JsonStringToMessage(it::read_text(path), &registry).ok());
    bool found = false;
    for (auto& org : *registry.mutable_organizations()) {
        if (org.code() == code) {
            org.set_unsigned_edxml_allowed(true);
            found = true;
        }
    }
    REQUIRE(found);
    std::string json;
    REQUIRE(google::protobuf::util::MessageToJsonString(registry, &json).ok());
    std::ofstream(path, std::ios::trunc) << json;
    hub.restart();
}

}  // namespace

TEST_CASE("edXML: a signed package is accepted, reaches the recipient, and 01 comes back",
          "[edxml]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));

    const auto package = it::edxml_package(a, {b});
    const std::string xml = it::signed_package(hub, package);
    auto first = it::post_edxml(sender, xml);
    const v1::Receipt receipt = accepted(first);
    CHECK(receipt.recipients_size() == 1);
    CHECK(receipt.document_id() == package.header.document_id);
    // The documented name-based id: sender's canonical code, DocumentId, business type.
    CHECK(receipt.envelope_id() == hub::national::edxml_envelope_id(hub::canonical_org_code(a),
                                                                    package.header.document_id,
                                                                    "0"));

    SECTION("the same bytes again get the first receipt") {
        const v1::Receipt again = accepted(it::post_edxml(sender, xml), 200);
        CHECK(again.envelope_id() == receipt.envelope_id());
        CHECK(again.signed_().receipt() == receipt.signed_().receipt());
    }
    SECTION("other bytes under the same id are a conflict") {
        // The same DocumentId and business type signed again: another signature, other bytes.
        auto changed = package;
        changed.header.subject += " (sửa)";
        auto conflict = it::post_edxml(sender, it::signed_package(hub, changed));
        CHECK_FAILS_WITH(conflict, 409, "DUPLICATE_CONFLICT");
    }
    SECTION("the recipient gets the mapped header and the original package, then 01 goes back") {
        const v1::InboxItem item = it::receive(recipient, receipt.envelope_id());
        const v1::SignedEnvelope& envelope = item.envelope();
        CHECK(envelope.edxml_package() == xml);
        CHECK(envelope.signature().empty());
        const v1::EnvelopeHeader header = it::header_of(envelope);
        CHECK(header.document_id() == package.header.document_id);
        CHECK(header.subject() == package.header.subject);
        REQUIRE(header.attachments_size() == 1);
        CHECK(header.attachments(0).role() == v1::MAIN);
        REQUIRE(envelope.attachments_size() == 1);
        CHECK(envelope.attachments(0).content() == package.attachments[0].content);

        auto statuses = it::collect_statuses(sender, receipt.envelope_id(), 1);
        REQUIRE(statuses.size() == 1);
        CHECK(statuses[0].status().code() == "01");

        const v1::Trace trace = it::trace_of(sender, receipt.envelope_id());
        CHECK(has(trace.warnings(), "signature_xmldsig"));
        CHECK_FALSE(has(trace.warnings(), "signature_algorithm_weak"));
    }
}

TEST_CASE("edXML: each signature failure is refused with its code", "[edxml]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string dir = hub.agency_dir(a);
    Client sender(hub.agency(a));
    const auto package = it::edxml_package(a, {b});
    const std::string xml = it::encode(package);

    SECTION("tampered after signing: SIGNATURE_INVALID") {
        std::string signed_xml = it::signed_package(hub, package);
        const auto at = signed_xml.find("thử nghiệm edXML");
        REQUIRE(at != std::string::npos);
        signed_xml.replace(at, 2, "TH");
        CHECK_FAILS_WITH(it::post_edxml(sender, signed_xml), 422, "SIGNATURE_INVALID");
    }
    SECTION("a signer from an untrusted CA: CERTIFICATE_UNTRUSTED") {
        const std::string foreign = hub.dir() + "/foreign";
        auto r = it::post_edxml(
            sender, it::sign_with(xml, foreign + "/signer.key", foreign + "/signer.crt"));
        CHECK_FAILS_WITH(r, 422, "CERTIFICATE_UNTRUSTED");
    }
    SECTION("a revoked signer: CERTIFICATE_REVOKED") {
        auto r = it::post_edxml(
            sender, it::sign_with(xml, dir + "/signer-revoked.key", dir + "/signer-revoked.crt"));
        CHECK_FAILS_WITH(r, 422, "CERTIFICATE_REVOKED");
    }
    SECTION("another organization's signer: SIGNER_MISMATCH") {
        auto r = it::post_edxml(sender, it::sign_with(xml, dir + "/signer-other-org.key",
                                                      dir + "/signer-other-org.crt"));
        CHECK_FAILS_WITH(r, 422, "SIGNER_MISMATCH");
    }
    SECTION("unsigned: MALFORMED Signature") {
        auto r = it::post_edxml(sender, xml);
        CHECK_FAILS_WITH(r, 400, "MALFORMED");
        CHECK(field_of(r) == "Signature");
    }
    SECTION("a Signature outside the XMLDSig namespace is no signature") {
        std::string fake = xml;
        const auto at = fake.find("</edXML:MessageHeader>");
        REQUIRE(at != std::string::npos);
        fake.insert(at + std::string("</edXML:MessageHeader>").size(),
                    "<edXML:Signature>not a signature</edXML:Signature>");
        auto r = it::post_edxml(sender, fake);
        CHECK_FAILS_WITH(r, 400, "MALFORMED");
        CHECK(field_of(r) == "Signature");
    }
    SECTION("hostile XML is refused, naming what") {
        std::string hostile = xml;
        hostile.insert(hostile.find("<edXML "), "<!DOCTYPE edXML [<!ENTITY x \"x\">]>\n");
        auto r = it::post_edxml(sender, hostile);
        CHECK_FAILS_WITH(r, 400, "MALFORMED");
        CHECK(it::parse_error(r.body).message().rfind("doctype", 0) == 0);
    }
}

TEST_CASE("edXML: rsa-sha1 is accepted and flagged until trust.sha1_allowed_until", "[edxml]") {
    const bool past = GENERATE(false, true);
    boost::json::object trust;
    trust["sha1_allowed_until"] = past ? "2020-01-01" : "2099-12-31";
    boost::json::object overrides;
    overrides["trust"] = trust;
    it::Hub hub(it::with_config(overrides));
    const std::string a = hub.code(0);
    Client sender(hub.agency(a));
    const auto package = it::edxml_package(a, {hub.code(1)});
    auto r = it::post_edxml(sender, it::signed_package(hub, package, XmlSignatureMethod::rsa_sha1));
    if (past) {
        CHECK_FAILS_WITH(r, 422, "SIGNATURE_POLICY");
    } else {
        const v1::Receipt receipt = accepted(r);
        const v1::Trace trace = it::trace_of(sender, receipt.envelope_id());
        CHECK(has(trace.warnings(), "signature_algorithm_weak"));
    }
}

TEST_CASE("edXML: an agency posting as another agency is refused", "[edxml]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client impostor(hub.agency(b));
    const std::string xml = it::signed_package(hub, it::edxml_package(a, {b}));
    CHECK_FAILS_WITH(it::post_edxml(impostor, xml), 403, "FORBIDDEN_SENDER");
}

TEST_CASE("edXML: unsigned packages only from an organization allowed them", "[edxml]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string xml = it::encode(it::edxml_package(a, {b}));
    {
        Client sender(hub.agency(a));
        CHECK_FAILS_WITH(it::post_edxml(sender, xml), 400, "MALFORMED");
    }
    allow_unsigned(hub, a);
    Client sender(hub.agency(a));
    const v1::Receipt receipt = accepted(it::post_edxml(sender, xml));
    const v1::Trace trace = it::trace_of(sender, receipt.envelope_id());
    CHECK(has(trace.warnings(), "unsigned_edxml"));
    // Only that organization: another one is still refused.
    Client other(hub.agency(b));
    CHECK_FAILS_WITH(it::post_edxml(other, it::encode(it::edxml_package(b, {a}))), 400,
                     "MALFORMED");
}

TEST_CASE("edXML both ways with a protobuf client: XML answers, XML inbox, status packages",
          "[edxml]") {
    it::Hub hub;
    const std::string a = hub.code(0);  // speaks only edXML and XML
    const std::string b = hub.code(1);  // speaks the protobuf/JSON API
    Client edxml_client(hub.agency(a));
    Client proto_client(hub.agency(b));

    // edXML -> protobuf, answered in XML.
    const auto package = it::edxml_package(a, {b});
    auto posted = it::post_edxml(edxml_client, it::signed_package(hub, package), it::kXml);
    INFO("body: " << posted.body);
    REQUIRE(posted.status == 202);
    CHECK(posted.header("content-type").rfind("application/xml", 0) == 0);
    it::require_schema_valid(posted.body);
    CHECK(posted.body.find("<Receipt xmlns=\"urn:lienthong:v1\">") != std::string::npos);
    const std::string envelope_id = hub::national::edxml_envelope_id(
        hub::canonical_org_code(a), package.header.document_id, "0");
    CHECK(posted.body.find("<EnvelopeId>" + envelope_id + "</EnvelopeId>") != std::string::npos);

    // An error in XML too.
    auto refused = it::post_edxml(edxml_client, it::encode(package), it::kXml);
    CHECK(refused.status == 400);
    it::require_schema_valid(refused.body);
    CHECK(refused.body.find("<Code>MALFORMED</Code>") != std::string::npos);

    it::receive(proto_client, envelope_id);  // the ack sends 01 to the edXML side
    auto arrived = it::collect_xml(edxml_client, "status", envelope_id, 1);
    REQUIRE(arrived.size() == 1);
    auto status01 = hub::national::decode_status_package(
        arrived[0].package, {hub::national::DecodeMode::lenient, {}, 64u << 20});
    REQUIRE(status01.has_value());
    CHECK(status01->status_code == "01");
    CHECK(status01->response_for.document_id == package.header.document_id);

    // protobuf -> edXML: the mapped package in the XML inbox.
    const v1::SignedEnvelope reply = it::make_envelope(hub, b, {a});
    const v1::Receipt reply_receipt = it::post_accepted(proto_client, reply);
    auto items = it::collect_xml(edxml_client, "envelope", reply_receipt.envelope_id(), 1);
    REQUIRE(items.size() == 1);
    auto mapped = hub::national::decode_envelope_package(
        items[0].package, {hub::national::DecodeMode::lenient, {}, 64u << 20});
    REQUIRE(mapped.has_value());
    CHECK(mapped->header.document_id == it::header_of(reply).document_id());
    REQUIRE(mapped->attachments.size() == 1);
    CHECK(mapped->attachments[0].content == reply.attachments(0).content());

    // The edXML side reports 03 as a status package; the protobuf side hears it.
    const std::string status_xml = [&] {
        auto encoded = hub::national::encode_status_package(
            it::status_package(a, b, it::header_of(reply).document_id(), "03"));
        REQUIRE(encoded.has_value());
        return *encoded;
    }();
    auto reported = it::post_edxml(edxml_client, status_xml, it::kXml);
    INFO("status body: " << reported.body);
    REQUIRE(reported.status == 202);
    it::require_schema_valid(reported.body);
    CHECK(reported.body.find("<Code>03</Code>") != std::string::npos);
    auto heard = it::collect_statuses(proto_client, reply_receipt.envelope_id(), 2);
    std::vector<std::string> codes;
    for (const auto& item : heard) {
        codes.push_back(item.status().code());
    }
    CHECK(std::find(codes.begin(), codes.end(), "03") != codes.end());
}
