// POST /v1/envelopes against the real lienthongd: every check of api.md that intake can
// reach, the receipt, TLS versions, durability across crashes and restarts, and certificate
// changes without a restart. Each test case starts its own daemon.

#include "hub/core/clock.h"
#include "hub/core/digest.h"
#include "hub/core/time.h"
#include "hub/crypto/fingerprint.h"
#include "hub/crypto/verify.h"
#include "lienthong/testca/test_ca.h"
#include "lienthong/v1/registry.pb.h"

#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <chrono>
#include <regex>
#include <set>

#include "api.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using boost::beast::http::verb;
using hub::http::Client;
using it::Draft;

// Status, stable code and X-Request-Id of an error answer, with the body shown on failure.
#define CHECK_ERROR(response, expected_status, expected_code)      \
    do {                                                           \
        const auto& r_ = (response);                               \
        INFO("HTTP " << r_.status << " body: " << r_.body);        \
        CHECK(r_.status == (expected_status));                     \
        CHECK(it::parse_error(r_.body).code() == (expected_code)); \
        CHECK_FALSE(r_.header("x-request-id").empty());            \
    } while (false)

namespace {

std::string field_of(const hub::http::ClientResponse& response) {
    return it::parse_error(response.body).field();
}

// Every instant the hub writes: ISO 8601 with milliseconds and +07:00 (R-17).
bool is_hub_time(const std::string& text) {
    static const std::regex kShape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00)");
    return std::regex_match(text, kShape) && hub::parse_instant(text).has_value();
}

v1::EnvelopeHeader header_of(const v1::SignedEnvelope& envelope) {
    v1::EnvelopeHeader header;
    REQUIRE(header.ParseFromString(envelope.header()));
    return header;
}

v1::Receipt accepted(const hub::http::ClientResponse& response, unsigned expected = 202) {
    INFO("HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == expected);
    return it::parse_receipt(response.body);
}

void check_same_receipt(const v1::Receipt& first, const v1::Receipt& again) {
    v1::Receipt a = first;
    v1::Receipt b = again;
    a.clear_signed_();
    b.clear_signed_();
    INFO("first: " << a.ShortDebugString() << "\nagain: " << b.ShortDebugString());
    CHECK(google::protobuf::util::MessageDifferencer::Equals(a, b));
    CHECK(first.signed_().receipt() == again.signed_().receipt());
}

}  // namespace

// --- the happy path --------------------------------------------------------------------

TEST_CASE("R-15 an accepted envelope gets 202 and a hub-signed receipt", "[intake]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client client(hub.agency(a));
    const auto envelope = it::make_envelope(hub, a, {b, c});
    const auto header = header_of(envelope);

    const auto before = hub::SystemClock().now();
    const auto response = it::post(client, envelope);
    const auto after = hub::SystemClock().now();
    const auto receipt = accepted(response);
    CHECK_FALSE(response.header("x-request-id").empty());

    CHECK(receipt.envelope_id() == header.envelope_id());
    CHECK(receipt.document_id() == header.document_id());
    CHECK(receipt.from() == a);
    CHECK(receipt.header_sha256() == hub::sha256_hex(envelope.header()));
    CHECK(is_hub_time(receipt.accepted_at()));
    CHECK(is_hub_time(receipt.sent_at()));
    // The hub is its agencies' time reference (R-17): its stamp is the current time.
    if (auto at = hub::parse_instant(receipt.accepted_at())) {
        CHECK(*at >= before - std::chrono::seconds(2));
        CHECK(*at <= after + std::chrono::seconds(2));
    }

    REQUIRE(receipt.recipients_size() == 2);
    std::set<std::string> delivery_ids;
    for (int i = 0; i < 2; ++i) {
        CHECK(receipt.recipients(i).code() == header.to(i));
        CHECK(receipt.recipients(i).route() == v1::LOCAL);
        CHECK_FALSE(receipt.recipients(i).delivery_id().empty());
        delivery_ids.insert(receipt.recipients(i).delivery_id());
    }
    CHECK(delivery_ids.size() == 2);

    REQUIRE(receipt.has_signed_());
    const auto verified = hub::crypto::verify_detached_with_cert(
        receipt.signed_().receipt(), receipt.signed_().signature(),
        it::slurp(hub.dir() + "/hub/receipt.crt"));
    INFO((verified ? std::string("verified") : verified.error().text()));
    CHECK(verified.has_value());
    v1::Receipt inner;
    REQUIRE(inner.ParseFromString(receipt.signed_().receipt()));
    v1::Receipt readable = receipt;
    readable.clear_signed_();
    INFO("signed: " << inner.ShortDebugString() << "\nreadable: " << readable.ShortDebugString());
    CHECK(google::protobuf::util::MessageDifferencer::Equals(inner, readable));
}

TEST_CASE("Intake accepts the canonical JSON form of a SignedEnvelope", "[intake]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(2)});
    const auto receipt = accepted(it::post_json(client, envelope));
    CHECK(receipt.envelope_id() == header_of(envelope).envelope_id());
    CHECK(receipt.header_sha256() == hub::sha256_hex(envelope.header()));

    // A media type parameter does not change the type.
    const auto another = it::make_envelope(hub, hub.code(0), {hub.code(2)});
    accepted(it::post_raw(client, it::to_json(another), "application/json; charset=utf-8"));
}

TEST_CASE("R-10 either written form of a code names the registered organization", "[intake]") {
    it::Hub hub;
    const std::string a = hub.code(0);  // registered as 000.00.00.H39, alias H39
    Client client(hub.agency(a));
    // Recipients written in the form the registry lists as alias: H39.01 is 000.00.01.H39,
    // 000.00.02.H39 is H39.02. The receipt shows them as given.
    const auto to_aliases = it::make_envelope(hub, a, {"H39.01", "000.00.02.H39"});
    const auto receipt = accepted(it::post(client, to_aliases));
    REQUIRE(receipt.recipients_size() == 2);
    CHECK(receipt.recipients(0).code() == "H39.01");
    CHECK(receipt.recipients(1).code() == "000.00.02.H39");
    CHECK(receipt.recipients(0).route() == v1::LOCAL);
    CHECK(receipt.recipients(1).route() == v1::LOCAL);

    // The sender writing its own code in the other form, in from and in the document id.
    const auto from_alias = it::make_envelope(hub, a, {hub.code(1)}, [](Draft& d) {
        d.header.mutable_from()->set_code("H39");
        const std::string id = d.header.document_id();
        d.header.set_document_id("H39" + id.substr(id.find(',')));
    });
    CHECK(accepted(it::post(client, from_alias)).from() == "H39");
}

TEST_CASE("Intake answers in the format Accept asks for, JSON by default", "[intake]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    Client client(hub.agency(a));
    SECTION("Accept: application/x-protobuf gives a binary Receipt") {
        const auto envelope = it::make_envelope(hub, a, {hub.code(1)});
        auto response = client.request(verb::post, "/v1/envelopes", envelope.SerializeAsString(),
                                       it::kProtobuf, it::kProtobuf);
        REQUIRE(response.has_value());
        INFO("HTTP " << response->status << " content-type " << response->header("content-type"));
        REQUIRE(response->status == 202);
        CHECK(response->header("content-type").rfind(it::kProtobuf, 0) == 0);
        v1::Receipt receipt;
        REQUIRE(receipt.ParseFromString(response->body));
        CHECK(receipt.envelope_id() == header_of(envelope).envelope_id());
    }
    SECTION("no Accept header gives JSON, errors included") {
        auto response =
            client.request(verb::post, "/v1/envelopes", "not a protobuf", it::kProtobuf);
        REQUIRE(response.has_value());
        CHECK(response->header("content-type").rfind(it::kJson, 0) == 0);
        CHECK_ERROR(*response, 400, "MALFORMED");
    }
}

// --- 400, 401, 403, 409, 413, 415 -----------------------------------------------------

TEST_CASE("MALFORMED: a body that is not a serialized SignedEnvelope", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    // Field 1, length-delimited, with a length far beyond the body.
    const std::string garbage("\x0a\xff\xff\xff\xff\x0f not a protobuf", 21);
    CHECK_ERROR(it::post_raw(client, garbage, it::kProtobuf), 400, "MALFORMED");
}

TEST_CASE("MALFORMED: a JSON body that does not parse", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    CHECK_ERROR(it::post_raw(client, R"({"header": "AAAA", "signature": )", it::kJson), 400,
                "MALFORMED");
}

TEST_CASE("MALFORMED: a signed header without a required field", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)},
                                            [](Draft& d) { d.header.clear_subject(); });
    const auto response = it::post(client, envelope);
    CHECK_ERROR(response, 400, "MALFORMED");
    CHECK(field_of(response) == "header.subject");
}

TEST_CASE("R-04 UNAUTHENTICATED: no client certificate", "[intake][errors][auth]") {
    it::Hub hub;
    Client client(hub.agency_with("", ""));
    CHECK_ERROR(it::post(client, it::make_envelope(hub, hub.code(0), {hub.code(1)})), 401,
                "UNAUTHENTICATED");
}

TEST_CASE("R-04 UNAUTHENTICATED: a certificate of our CA that the registry does not know",
          "[intake][errors][auth]") {
    it::Hub hub;
    Client client(hub.agency_with(hub.dir() + "/unregistered/client.crt",
                                  hub.dir() + "/unregistered/client.key"));
    CHECK_ERROR(it::post(client, it::make_envelope(hub, hub.code(0), {hub.code(1)})), 401,
                "UNAUTHENTICATED");
}

TEST_CASE("FORBIDDEN_SENDER: an agency posting an envelope from another agency",
          "[intake][errors][auth]") {
    it::Hub hub;
    // Agency B's system posts A's correctly signed envelope.
    Client client(hub.agency(hub.code(1)));
    const auto response = it::post(client, it::make_envelope(hub, hub.code(0), {hub.code(2)}));
    CHECK_ERROR(response, 403, "FORBIDDEN_SENDER");
    CHECK(field_of(response) == "header.from.code");
}

TEST_CASE("R-03 FORBIDDEN_SENDER: a suspended organization cannot send", "[intake][errors][auth]") {
    it::Hub hub;
    const std::string c = hub.code(2);
    Client op(hub.operator_client());
    const auto suspended = it::send(op, verb::post, "/admin/v1/orgs/" + c + "/suspend");
    INFO("suspend: HTTP " << suspended.status << " " << suspended.body);
    REQUIRE(suspended.status / 100 == 2);

    Client client(hub.agency(c));
    CHECK_ERROR(it::post(client, it::make_envelope(hub, c, {hub.code(0)})), 403,
                "FORBIDDEN_SENDER");

    // envelope.md: a recipient is local only while it is active.
    Client sender(hub.agency(hub.code(0)));
    CHECK_ERROR(it::post(sender, it::make_envelope(hub, hub.code(0), {c})), 422,
                "UNKNOWN_RECIPIENT");
}

TEST_CASE("DUPLICATE_CONFLICT: the same envelope id with different content", "[intake][errors]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    Client client(hub.agency(a));
    const auto first = it::make_envelope(hub, a, {hub.code(1)});
    accepted(it::post(client, first));
    const std::string id = header_of(first).envelope_id();
    const auto second =
        it::make_envelope(hub, a, {hub.code(1)}, [&](Draft& d) { d.header.set_envelope_id(id); });
    REQUIRE(second.header() != first.header());
    CHECK_ERROR(it::post(client, second), 409, "DUPLICATE_CONFLICT");
}

TEST_CASE("Nothing is stored for a rejected envelope: its id is free once corrected",
          "[intake][errors]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    Client client(hub.agency(a));
    const std::string adir = hub.agency_dir(a);
    const auto rejected = it::make_envelope(hub, a, {hub.code(1)}, [&](Draft& d) {
        d.sign_cert = adir + "/signer-revoked.crt";
        d.sign_key = adir + "/signer-revoked.key";
    });
    CHECK_ERROR(it::post(client, rejected), 422, "CERTIFICATE_REVOKED");
    const std::string id = header_of(rejected).envelope_id();
    const auto corrected =
        it::make_envelope(hub, a, {hub.code(1)}, [&](Draft& d) { d.header.set_envelope_id(id); });
    CHECK(accepted(it::post(client, corrected)).envelope_id() == id);
}

TEST_CASE("R-23 posting the same bytes again returns 200 and the first receipt", "[intake]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    Client client(hub.agency(a));
    const auto envelope = it::make_envelope(hub, a, {hub.code(1), hub.code(2)});
    const auto first = accepted(it::post(client, envelope), 202);
    const auto again = accepted(it::post(client, envelope), 200);
    check_same_receipt(first, again);
}

TEST_CASE("R-22 PAYLOAD_TOO_LARGE: a body over limits.max_body_bytes", "[intake][errors]") {
    boost::json::object overrides;
    overrides["limits"] = boost::json::object{{"max_body_bytes", 100000}};
    it::Hub hub({.agencies = 3, .config_overrides = overrides, .transport = {}, .amqp_url = {}});
    const std::string a = hub.code(0);
    const auto big = it::make_envelope(hub, a, {hub.code(1)}, [](Draft& d) {
        d.add("cid:annex", "phu-luc.txt", "text/plain", v1::APPENDIX, std::string(200'000, 'a'));
    });
    REQUIRE(big.ByteSizeLong() > 200'000);
    Client client(hub.agency(a));
    CHECK_ERROR(it::post(client, big), 413, "PAYLOAD_TOO_LARGE");

    // The limit refuses only what is over it.
    Client fresh(hub.agency(a));
    accepted(it::post(fresh, it::make_envelope(hub, a, {hub.code(1)})));
}

TEST_CASE("UNSUPPORTED_MEDIA_TYPE: a body sent as text/plain", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)});
    CHECK_ERROR(it::post_raw(client, envelope.SerializeAsString(), "text/plain"), 415,
                "UNSUPPORTED_MEDIA_TYPE");
}

// --- 422: header checks ------------------------------------------------------------------

TEST_CASE("R-10 INVALID_ORG_CODE: a recipient code without the identifier format",
          "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto response =
        it::post(client, it::make_envelope(hub, hub.code(0), {hub.code(1), "H39-02"}));
    CHECK_ERROR(response, 422, "INVALID_ORG_CODE");
    CHECK(field_of(response) == "header.to[1]");
}

TEST_CASE("R-01 UNKNOWN_RECIPIENT: a well-formed code that is not registered", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    SECTION("a Long An code the registry does not have") {
        const auto response =
            it::post(client, it::make_envelope(hub, hub.code(0), {hub.code(1), "H39.77"}));
        CHECK_ERROR(response, 422, "UNKNOWN_RECIPIENT");
        CHECK(field_of(response) == "header.to[1]");
    }
    SECTION("another province while the national adapter is disabled") {
        const auto response = it::post(client, it::make_envelope(hub, hub.code(0), {"H41"}));
        CHECK_ERROR(response, 422, "UNKNOWN_RECIPIENT");
        CHECK(field_of(response) == "header.to[0]");
    }
}

TEST_CASE("R-05 INVALID_TEXT: a subject that is not UTF-8 inside the signed header",
          "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [](Draft& d) {
        // Field 9 (subject) again, last one wins: bytes protobuf would refuse to write.
        d.header_suffix = it::wire_field(9,
                                         "Tr\xC3\xAD"
                                         "ch y\xE1\xBA\xBF"
                                         "u \xC3\x28 h\xE1\xBB");
    });
    const auto response = it::post(client, envelope);
    CHECK_ERROR(response, 422, "INVALID_TEXT");
    CHECK(field_of(response) == "header.subject");
}

TEST_CASE("R-17 INVALID_TIME: created_at without an offset", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [](Draft& d) {
        d.header.set_created_at("2026-11-26T09:30:00");
    });
    const auto response = it::post(client, envelope);
    CHECK_ERROR(response, 422, "INVALID_TIME");
    CHECK(field_of(response) == "header.created_at");
}

TEST_CASE("R-10 INVALID_DOCUMENT_ID: a document id disagreeing with the code number",
          "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [](Draft& d) {
        d.header.mutable_code()->set_number(d.header.code().number() + "0");
    });
    const auto response = it::post(client, envelope);
    CHECK_ERROR(response, 422, "INVALID_DOCUMENT_ID");
    CHECK(field_of(response) == "header.document_id");
}

TEST_CASE("R-02 SECRET_NOT_ALLOWED: a classified document is refused", "[intake][errors]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(
        hub, hub.code(0), {hub.code(1)}, [](Draft& d) { d.header.set_secrecy(v1::CONFIDENTIAL); });
    const auto response = it::post(client, envelope);
    CHECK_ERROR(response, 422, "SECRET_NOT_ALLOWED");
    CHECK(field_of(response) == "header.secrecy");
    // R-02: the attempt is logged.
    const std::string log = it::slurp(hub.dir() + "/run/lienthongd.log");
    CHECK(log.find("SECRET_NOT_ALLOWED") != std::string::npos);
}

TEST_CASE("R-14 REPLY_TARGET_UNKNOWN: a reply to a local document the hub never saw",
          "[intake][errors][reply]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client client(hub.agency(b));
    // Issued by a registered local agency, so the hub would have carried it.
    const std::string unseen = hub.code(2) + ",2026/01/05,77/STC-VP";
    const auto response = it::post(client, it::make_envelope(hub, b, {a}, [&](Draft& d) {
                                       d.header.add_in_reply_to(unseen);
                                   }));
    CHECK_ERROR(response, 422, "REPLY_TARGET_UNKNOWN");
    CHECK(field_of(response) == "header.in_reply_to[0]");
}

TEST_CASE("R-14 a reply to a document the hub accepted is accepted", "[intake][reply]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client client_a(hub.agency(a));
    const auto original = it::make_envelope(hub, a, {b});
    accepted(it::post(client_a, original));

    Client client_b(hub.agency(b));
    const std::string answered = header_of(original).document_id();
    const auto reply =
        it::make_envelope(hub, b, {a}, [&](Draft& d) { d.header.add_in_reply_to(answered); });
    accepted(it::post(client_b, reply));
}

// --- 422: attachments and signatures -----------------------------------------------------

TEST_CASE("R-06 ATTACHMENT_TYPE: declared types must be allowed and match the content",
          "[intake][errors][attachments]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    SECTION("a MAIN document declared application/pdf holding PNG bytes") {
        const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [](Draft& d) {
            d.header.clear_attachments();
            d.attachments.clear();
            d.add("cid:main", "van-ban.pdf", "application/pdf", v1::MAIN, it::minimal_png());
        });
        CHECK_ERROR(it::post(client, envelope), 422, "ATTACHMENT_TYPE");
    }
    SECTION("an executable appendix") {
        const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [](Draft& d) {
            d.add("cid:setup", "setup.exe", "application/x-msdownload", v1::APPENDIX,
                  std::string("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF", 14));
        });
        CHECK_ERROR(it::post(client, envelope), 422, "ATTACHMENT_TYPE");
    }
}

TEST_CASE("R-11 ATTACHMENT_DIGEST: attachments must be the ones the signed header lists",
          "[intake][errors][attachments]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    SECTION("content changed after signing, same size") {
        const auto envelope =
            it::make_envelope(hub, hub.code(0), {hub.code(1)}, {}, [](v1::SignedEnvelope& e) {
                std::string& pdf = *e.mutable_attachments(0)->mutable_content();
                pdf[pdf.size() - 8] ^= 0x01;
            });
        CHECK_ERROR(it::post(client, envelope), 422, "ATTACHMENT_DIGEST");
    }
    SECTION("an attachment listed in the header is missing") {
        const auto envelope = it::make_envelope(
            hub, hub.code(0), {hub.code(1)},
            [](Draft& d) {
                d.add("cid:note", "ghi-chu.txt", "text/plain", v1::APPENDIX,
                      "Ghi chú kèm theo văn bản.");
            },
            [](v1::SignedEnvelope& e) { e.mutable_attachments()->RemoveLast(); });
        CHECK_ERROR(it::post(client, envelope), 422, "ATTACHMENT_DIGEST");
    }
}

TEST_CASE("R-11 SIGNATURE_INVALID: the signature must verify over the header bytes",
          "[intake][errors][signature]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    SECTION("header changed after signing") {
        const auto envelope =
            it::make_envelope(hub, hub.code(0), {hub.code(1)}, {}, [](v1::SignedEnvelope& e) {
                v1::EnvelopeHeader header;
                REQUIRE(header.ParseFromString(e.header()));
                header.set_subject(header.subject() + " (đã sửa)");
                e.set_header(header.SerializeAsString());
            });
        CHECK_ERROR(it::post(client, envelope), 422, "SIGNATURE_INVALID");
    }
    SECTION("a signature that is not a CMS structure") {
        const auto envelope = it::make_envelope(
            hub, hub.code(0), {hub.code(1)}, {},
            [](v1::SignedEnvelope& e) { e.set_signature("this is not a CMS SignedData"); });
        CHECK_ERROR(it::post(client, envelope), 422, "SIGNATURE_INVALID");
    }
}

namespace {

// A valid envelope from the first agency signed with other signer files.
v1::SignedEnvelope signed_by(const it::Hub& hub, const std::string& cert, const std::string& key) {
    return it::make_envelope(hub, hub.code(0), {hub.code(1)}, [&](Draft& d) {
        d.sign_cert = cert;
        d.sign_key = key;
    });
}

}  // namespace

TEST_CASE("R-11 CERTIFICATE_UNTRUSTED: the signer must chain to a trusted CA and be valid",
          "[intake][errors][signature]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    SECTION("a signer from a CA the hub does not trust") {
        const auto envelope =
            signed_by(hub, hub.dir() + "/foreign/signer.crt", hub.dir() + "/foreign/signer.key");
        CHECK_ERROR(it::post(client, envelope), 422, "CERTIFICATE_UNTRUSTED");
    }
    SECTION("an expired signer") {
        const std::string adir = hub.agency_dir(hub.code(0));
        const auto envelope =
            signed_by(hub, adir + "/signer-expired.crt", adir + "/signer-expired.key");
        CHECK_ERROR(it::post(client, envelope), 422, "CERTIFICATE_UNTRUSTED");
    }
}

TEST_CASE("R-11 CERTIFICATE_REVOKED: a signer listed in the CA's CRL",
          "[intake][errors][signature]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    const std::string adir = hub.agency_dir(hub.code(0));
    CHECK_ERROR(it::post(client, signed_by(hub, adir + "/signer-revoked.crt",
                                           adir + "/signer-revoked.key")),
                422, "CERTIFICATE_REVOKED");
}

TEST_CASE("R-11 SIGNER_MISMATCH: the signer must belong to the sender",
          "[intake][errors][signature]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    SECTION("a trusted signer of an organization the registry does not have") {
        const std::string adir = hub.agency_dir(hub.code(0));
        CHECK_ERROR(it::post(client, signed_by(hub, adir + "/signer-other-org.crt",
                                               adir + "/signer-other-org.key")),
                    422, "SIGNER_MISMATCH");
    }
    SECTION("the signer of another registered agency") {
        const std::string bdir = hub.agency_dir(hub.code(1));
        CHECK_ERROR(it::post(client, signed_by(hub, bdir + "/signer.crt", bdir + "/signer.key")),
                    422, "SIGNER_MISMATCH");
    }
}

// --- transport, durability, certificates, shutdown ---------------------------------------

TEST_CASE("R-22 only TLS 1.2 and 1.3 are spoken", "[intake][tls]") {
    it::Hub hub;
    auto old = hub.agency(hub.code(0));
    old.min_tls = 11;
    old.max_tls = 11;
    Client tls11(old);
    CHECK_FALSE(tls11.connect().has_value());

    for (const int version : {12, 13}) {
        auto options = hub.agency(hub.code(0));
        options.min_tls = version;
        options.max_tls = version;
        Client client(options);
        INFO("TLS 1." << version % 10);
        const auto connected = client.connect();
        INFO((connected ? std::string("connected") : connected.error().text()));
        REQUIRE(connected.has_value());
        const auto response = it::get(client, "/v1/time");
        INFO("HTTP " << response.status << " body: " << response.body);
        REQUIRE(response.status == 200);
        v1::TimeNow now;
        REQUIRE(google::protobuf::util::JsonStringToMessage(response.body, &now).ok());
        CHECK(is_hub_time(now.now()));
    }
}

TEST_CASE("R-23 an accepted envelope survives kill -9: the repost returns its receipt",
          "[intake][durability]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const auto envelope = it::make_envelope(hub, a, {hub.code(1), hub.code(2)});
    v1::Receipt first;
    {
        Client client(hub.agency(a));
        first = accepted(it::post(client, envelope));
    }
    hub.kill9();
    hub.restart();
    Client client(hub.agency(a));
    check_same_receipt(first, accepted(it::post(client, envelope), 200));
}

TEST_CASE("R-23 idempotency holds across a clean restart", "[intake][durability]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const auto envelope = it::make_envelope(hub, a, {hub.code(2)});
    v1::Receipt first;
    {
        Client client(hub.agency(a));
        first = accepted(it::post(client, envelope));
    }
    REQUIRE(hub.stop() == 0);
    hub.restart();
    Client client(hub.agency(a));
    check_same_receipt(first, accepted(it::post(client, envelope), 200));
    // And a different envelope with that id is still a conflict after the restart.
    const auto conflicting = it::make_envelope(
        hub, a, {hub.code(2)}, [&](Draft& d) { d.header.set_envelope_id(first.envelope_id()); });
    CHECK_ERROR(it::post(client, conflicting), 409, "DUPLICATE_CONFLICT");
}

TEST_CASE("R-04 a revoked client certificate is cut off at once and a new one works",
          "[intake][auth][certs]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string adir = hub.agency_dir(a);
    Client client(hub.agency(a));
    accepted(it::post(client, it::make_envelope(hub, a, {hub.code(1)})));

    Client op(hub.operator_client());
    v1::CertChange revoke;
    revoke.set_code(a);
    revoke.set_sha256(hub::crypto::cert_fingerprint_pem(it::slurp(adir + "/client.crt")).value());
    revoke.set_kind("client");
    const auto revoked =
        it::send(op, verb::post, "/admin/v1/certs/revoke", it::to_json(revoke), it::kJson);
    INFO("revoke: HTTP " << revoked.status << " " << revoked.body);
    REQUIRE(revoked.status / 100 == 2);

    // The kept-alive connection and a new one are both refused, without a restart.
    CHECK_ERROR(it::post(client, it::make_envelope(hub, a, {hub.code(1)})), 401, "UNAUTHENTICATED");
    Client again(hub.agency(a));
    CHECK_ERROR(it::post(again, it::make_envelope(hub, a, {hub.code(1)})), 401, "UNAUTHENTICATED");

    // Rotation: a new certificate for the same agency, registered through the operator API.
    auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");
    const auto fresh = ca.issue_client("System " + a + " (rotated)", a);
    fresh.write_files(adir, "client-rotated");
    v1::CertChange add;
    add.set_code(a);
    add.set_sha256(hub::crypto::cert_fingerprint_der(fresh.cert_der));
    add.set_kind("client");
    const auto added = it::send(op, verb::post, "/admin/v1/certs", it::to_json(add), it::kJson);
    INFO("add: HTTP " << added.status << " " << added.body);
    REQUIRE(added.status / 100 == 2);

    Client rotated(hub.agency_with(adir + "/client-rotated.crt", adir + "/client-rotated.key"));
    accepted(it::post(rotated, it::make_envelope(hub, a, {hub.code(1)})));
}

TEST_CASE("lienthongd exits 0 on SIGTERM", "[daemon]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(0)));
    accepted(it::post(client, it::make_envelope(hub, hub.code(0), {hub.code(1)})));
    CHECK(hub.stop() == 0);
}
