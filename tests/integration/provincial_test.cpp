// The provincial API façade against the real lienthongd (issue 9): a client that speaks only
// edXML and the provincial axis API (login, sendEdoc, syncReceivedEdocList, getEdoc,
// updateStatus, getAgenciesList, with the headers each call carries, as an eOffice client
// sends them) exchanges documents and statuses with a protobuf client, both ways. The client
// certificate is a system's that acts for two units.

#include "hub/core/digest.h"
#include "hub/crypto/certificate_dates.h"
#include "hub/national/edxml.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <fstream>

#include "api.h"
#include "delivery_support.h"
#include "edxml_support.h"
#include "envelopes.h"
#include "harness.h"
#include "process.h"

namespace v1 = lienthong::v1;
namespace json = boost::json;
using boost::beast::http::verb;
using hub::http::Client;

namespace {

constexpr const char* kPrefix = "/lgsp";
constexpr const char* kBoundary = "----lienthong-test-boundary";

struct Unit {
    std::string system_id;
    std::string code;
    std::string secret;
};

it::HubOptions facade_options() {
    return it::with_config(
        json::object{{"provincial_api", json::object{{"path_prefix", kPrefix}}}});
}

// Registers the dev env's unregistered client certificate as a system acting for `units`,
// then restarts the hub, which imports the registry file at start.
void register_system(it::Hub& hub, const std::vector<Unit>& units) {
    const std::string path = hub.dir() + "/registry.json";
    v1::Registry registry;
    REQUIRE(google::protobuf::util::JsonStringToMessage(it::read_text(path), &registry).ok());
    auto dates =
        hub::crypto::certificate_dates(it::read_text(hub.dir() + "/unregistered/client.crt"));
    REQUIRE(dates.has_value());
    auto* system = registry.add_systems();
    system->set_name("eoffice-test");
    system->add_client_cert_sha256(dates->front().sha256);
    for (const auto& unit : units) {
        auto* u = system->add_units();
        u->set_system_id(unit.system_id);
        u->set_code(unit.code);
        u->set_secret_sha256(hub::sha256_hex(unit.secret));
    }
    std::string text;
    REQUIRE(google::protobuf::util::MessageToJsonString(registry, &text).ok());
    std::ofstream(path, std::ios::trunc) << text;
    hub.restart();
}

// An eOffice installation: one certificate, one admin login shared by its units.
class EofficeClient {
public:
    explicit EofficeClient(const it::Hub& hub)
        : client_(hub.agency_with(hub.dir() + "/unregistered/client.crt",
                                  hub.dir() + "/unregistered/client.key")) {}

    hub::http::ClientResponse login() {
        const std::string body = json::serialize(json::object{{"username", "admin"},
                                                              {"password", "not-checked"},
                                                              {"applicationCode", "EOFFICE"},
                                                              {"otp", ""},
                                                              {"twoFactorProvider", ""},
                                                              {"typeObjs", json::array{}}});
        auto response =
            raw(verb::post, "/v1/auth/login?allow_anonymous=true", body, "application/json", {});
        if (response.status == 200) {
            token_ = std::string(json::parse(response.body).at("data").at("token").as_string());
        }
        return response;
    }

    // A document call as the unit: Authorization, X-SystemId and X-SecretKey.
    hub::http::ClientResponse as(const Unit& unit,
                                 verb method,
                                 const std::string& target,
                                 const std::string& body = {},
                                 const std::string& content_type = {}) {
        return raw(method, target, body, content_type,
                   {{"Authorization", "Bearer " + token_},
                    {"X-SystemId", unit.system_id},
                    {"X-SecretKey", unit.secret}});
    }

    hub::http::ClientResponse agencies() {
        return raw(verb::get, "/v1/getAgenciesList", {}, {},
                   {{"Authorization", "Bearer " + token_}});
    }

    hub::http::ClientResponse raw(verb method,
                                  const std::string& target,
                                  const std::string& body,
                                  const std::string& content_type,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
        auto response = client_.request(method, kPrefix + target, body, content_type,
                                        "application/json", headers);
        REQUIRE(response.has_value());
        return *response;
    }

    std::string& token() { return token_; }

private:
    Client client_;
    std::string token_;
};

std::string multipart(const std::string& package, const std::string& file_name) {
    const std::string b = kBoundary;
    return "--" + b + "\r\nContent-Disposition: form-data; name=\"edocFile\"; filename=\"" +
           file_name + "\"\r\nContent-Type: application/xml\r\n\r\n" + package + "\r\n--" + b +
           "\r\nContent-Disposition: form-data; name=\"messageType\"\r\n\r\nedoc\r\n--" + b +
           "--\r\n";
}

hub::http::ClientResponse send_edoc(EofficeClient& eoffice,
                                    const Unit& unit,
                                    const std::string& package) {
    return eoffice.as(unit, verb::post, "/v1/sendEdoc", multipart(package, "7816-UBND-VP.edxml"),
                      std::string("multipart/form-data; boundary=") + kBoundary);
}

json::object body_of(const hub::http::ClientResponse& response) {
    INFO("HTTP " << response.status << " body: " << response.body);
    auto parsed = json::parse(response.body);
    REQUIRE(parsed.is_object());
    return parsed.as_object();
}

// The client's own test of success: code 200 (or 0) and no errorDetail.
json::value data_of_success(const hub::http::ClientResponse& response) {
    auto body = body_of(response);
    INFO(response.body);
    REQUIRE(response.status == 200);
    REQUIRE(body.at("code").as_int64() == 200);
    REQUIRE(body.at("success").as_bool());
    REQUIRE_FALSE(body.contains("errorDetail"));
    return body.at("data");
}

// The string error code of a refusal, after checking it is one.
std::string error_code_of(const hub::http::ClientResponse& response) {
    auto body = body_of(response);
    INFO(response.body);
    CHECK(response.status != 200);
    CHECK_FALSE(body.at("success").as_bool());
    CHECK(body.at("code").as_int64() == response.status);
    return std::string(body.at("data").at("errorCode").as_string());
}

std::string utc_day(std::chrono::system_clock::time_point at) {
    const auto day = std::chrono::floor<std::chrono::days>(at);
    const std::chrono::year_month_day ymd{day};
    char out[16];
    std::snprintf(out, sizeof out, "%04d/%02u/%02u", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()));
    return out;
}

// syncReceivedEdocList as the client asks it: dates percent-encoded, UTC days.
std::string list_target(const std::string& type, const std::string& from, const std::string& to) {
    auto encode = [](std::string day) {
        std::string out;
        for (char c : day) {
            out += c == '/' ? std::string("%2F") : std::string(1, c);
        }
        return out;
    };
    return "/v1/syncReceivedEdocList?messageType=" + type + "&fromDate=" + encode(from) +
           "&toDate=" + encode(to);
}

// The docIds listed for the unit this week (UTC days, as the client counts them).
std::vector<std::string> listed(EofficeClient& eoffice, const Unit& unit, const std::string& type) {
    const auto now = std::chrono::system_clock::now();
    const auto data = data_of_success(
        eoffice.as(unit, verb::get,
                   list_target(type, utc_day(now - std::chrono::hours(24 * 7)), utc_day(now))));
    std::vector<std::string> ids;
    for (const auto& entry : data.as_array()) {
        ids.emplace_back(entry.at("docId").as_string());
    }
    return ids;
}

// Lists until `wanted` is there (the 01 of an ack is a notice the hub writes a moment later).
std::string wait_listed(EofficeClient& eoffice, const Unit& unit, const std::string& type) {
    std::string found;
    REQUIRE(it::eventually([&] {
        auto ids = listed(eoffice, unit, type);
        if (!ids.empty()) {
            found = ids.front();
        }
        return !found.empty();
    }));
    return found;
}

std::string package_of(EofficeClient& eoffice, const Unit& unit, const std::string& doc_id) {
    const auto data = data_of_success(eoffice.as(unit, verb::get, "/v1/getEdoc?docId=" + doc_id));
    CHECK(data.at("docId").as_string() == doc_id);
    auto package = hub::national::base64_decode(data.at("data").as_string());
    REQUIRE(package.has_value());
    return *package;
}

hub::http::ClientResponse update_status(EofficeClient& eoffice,
                                        const Unit& unit,
                                        const std::string& doc_id,
                                        const std::string& status) {
    return eoffice.as(unit, verb::post, "/v1/updateStatus",
                      json::serialize(json::object{{"docId", doc_id}, {"status", status}}),
                      "application/json");
}

}  // namespace

TEST_CASE(
    "provincial API: an edXML-only client and a protobuf client exchange documents and "
    "statuses both ways",
    "[provincial][delivery]") {
    it::Hub hub(facade_options());
    const std::string proto_code = hub.code(0);
    const Unit unit{"LS-UNIT-01", hub.code(1), "unit-one-secret"};
    register_system(hub, {unit});
    Client proto(hub.agency(proto_code));
    EofficeClient eoffice(hub);
    REQUIRE(data_of_success(eoffice.login()).at("token").as_string().size() >= 32);

    const auto agencies = data_of_success(eoffice.agencies()).at("content").as_array();
    CHECK(agencies.size() == hub.agencies().size());

    // eOffice -> protobuf: sendEdoc, the recipient takes it, 01 comes back as a status package.
    const auto package = it::edxml_package(unit.code, {proto_code});
    const std::string xml = it::signed_package(hub, package);
    const auto sent = data_of_success(send_edoc(eoffice, unit, xml));
    CHECK(sent.at("status").as_string() == "OK");
    const std::string envelope_id(sent.at("docId").as_string());
    CHECK(data_of_success(send_edoc(eoffice, unit, xml)).at("docId").as_string() == envelope_id);

    const v1::InboxItem item = it::receive(proto, envelope_id);
    CHECK(item.envelope().edxml_package() == xml);
    const std::string receipt_id = wait_listed(eoffice, unit, "status");
    const auto status = hub::national::decode_status_package(package_of(eoffice, unit, receipt_id));
    REQUIRE(status.has_value());
    CHECK(status->status_code == "01");
    CHECK(status->response_for.document_id == package.header.document_id);
    CHECK(data_of_success(update_status(eoffice, unit, receipt_id, "01")).at("status") == "OK");
    CHECK(listed(eoffice, unit, "status").empty());

    // A status the protobuf recipient reports reaches the eOffice as a status package too.
    it::status_accepted(proto, it::status_update(package.header.document_id, unit.code, "03"));
    const std::string accepted_id = wait_listed(eoffice, unit, "status");
    const auto accepted =
        hub::national::decode_status_package(package_of(eoffice, unit, accepted_id));
    REQUIRE(accepted.has_value());
    CHECK(accepted->status_code == "03");
    CHECK(data_of_success(update_status(eoffice, unit, accepted_id, "done")).at("status") == "OK");

    // protobuf -> eOffice: listed, fetched as edXML, received (01), then processed (03).
    const v1::Receipt receipt =
        it::post_accepted(proto, it::make_envelope(hub, proto_code, {unit.code}));
    const std::string doc_id = wait_listed(eoffice, unit, "edoc");
    const auto mapped = hub::national::decode_envelope_package(package_of(eoffice, unit, doc_id));
    REQUIRE(mapped.has_value());
    CHECK(mapped->header.document_id == receipt.document_id());
    CHECK(listed(eoffice, unit, "edoc") ==
          std::vector<std::string>{doc_id});  // listing offers nothing

    CHECK(data_of_success(update_status(eoffice, unit, doc_id, "processing")).at("status") == "OK");
    CHECK(listed(eoffice, unit, "edoc") == std::vector<std::string>{doc_id});
    CHECK(data_of_success(update_status(eoffice, unit, doc_id, "01")).at("status") == "OK");
    CHECK(listed(eoffice, unit, "edoc").empty());
    CHECK(data_of_success(update_status(eoffice, unit, doc_id, "03")).at("status") == "OK");
    const auto statuses = it::collect_statuses(proto, receipt.envelope_id(), 2);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].status().code() == "01");
    CHECK(statuses[1].status().code() == "03");
    CHECK(statuses[1].status().from() == unit.code);
}

TEST_CASE(
    "provincial API: a system acts for each of its units and no other, proved by its "
    "secret, and its certificate reaches nothing else",
    "[provincial][auth]") {
    it::Hub hub(facade_options());
    const Unit one{"LS-UNIT-01", hub.code(1), "unit-one-secret"};
    const Unit two{"LS-UNIT-02", hub.code(2), "unit-two-secret"};
    register_system(hub, {one, two});
    EofficeClient eoffice(hub);

    // Without a token the client is asked to log in (401), as the clients expect.
    CHECK(error_code_of(eoffice.agencies()) == "15");
    CHECK(eoffice.agencies().status == 401);
    REQUIRE(eoffice.login().status == 200);

    for (const Unit* unit : {&one, &two}) {
        INFO(unit->system_id);
        const auto xml = it::signed_package(hub, it::edxml_package(unit->code, {hub.code(0)}));
        CHECK(data_of_success(send_edoc(eoffice, *unit, xml)).at("status").as_string() == "OK");
    }
    SECTION("a unit the system does not list") {
        const Unit stranger{"LS-UNIT-99", hub.code(0), "unit-one-secret"};
        const auto xml = it::signed_package(hub, it::edxml_package(hub.code(0), {hub.code(1)}));
        const auto response = send_edoc(eoffice, stranger, xml);
        CHECK(response.status == 403);
        CHECK(error_code_of(response) == "15");
    }
    SECTION("a wrong or missing secret") {
        Unit wrong = one;
        wrong.secret = "unit-two-secret";
        CHECK(error_code_of(eoffice.as(wrong, verb::get,
                                       list_target("edoc", "2026/12/01", "2026/12/03"))) == "15");
        wrong.secret.clear();
        CHECK(error_code_of(eoffice.as(wrong, verb::get,
                                       list_target("edoc", "2026/12/01", "2026/12/03"))) == "15");
    }
    SECTION("a unit sending a package from another organization") {
        const auto xml = it::signed_package(hub, it::edxml_package(two.code, {hub.code(0)}));
        CHECK(error_code_of(send_edoc(eoffice, one, xml)) == "19");
    }
    SECTION("a token issued to another certificate is no token") {
        Client other(hub.agency(hub.code(0)));
        auto response = other.request(verb::post, std::string(kPrefix) + "/v1/auth/login", "{}",
                                      "application/json", "application/json");
        REQUIRE(response.has_value());
        REQUIRE(response->status == 200);
        eoffice.token() =
            std::string(json::parse(response->body).at("data").at("token").as_string());
        CHECK(eoffice.agencies().status == 401);
    }
    SECTION("the system's certificate is nobody on the hub's own API") {
        Client direct(hub.agency_with(hub.dir() + "/unregistered/client.crt",
                                      hub.dir() + "/unregistered/client.key"));
        const auto inbox = it::get(direct, "/v1/inbox");
        CHECK(inbox.status == 401);
        CHECK(it::parse_error(inbox.body).code() == "UNAUTHENTICATED");
    }
}

TEST_CASE("provincial API: refusals carry the string error code of the hub's code",
          "[provincial]") {
    it::Hub hub(facade_options());
    const Unit unit{"LS-UNIT-01", hub.code(1), "unit-one-secret"};
    register_system(hub, {unit});
    EofficeClient eoffice(hub);
    REQUIRE(eoffice.login().status == 200);
    const std::string recipient = hub.code(0);

    // UNKNOWN_RECIPIENT -> 18
    CHECK(error_code_of(send_edoc(
              eoffice, unit, it::signed_package(hub, it::edxml_package(unit.code, {"H39.97"})))) ==
          "18");
    // MALFORMED (an unsigned package) -> 22
    CHECK(error_code_of(send_edoc(eoffice, unit,
                                  it::encode(it::edxml_package(unit.code, {recipient})))) == "22");
    // SIGNATURE_INVALID (signed, then changed) -> 21
    std::string tampered = it::signed_package(hub, it::edxml_package(unit.code, {recipient}));
    const auto at = tampered.find("UBND-VP");
    REQUIRE(at != std::string::npos);
    tampered.replace(at, 7, "UBND-XX");
    CHECK(error_code_of(send_edoc(eoffice, unit, tampered)) == "21");
    // ATTACHMENT_TYPE (no PDF) -> 10
    auto no_pdf = it::edxml_package(unit.code, {recipient});
    for (auto& attachment : no_pdf.attachments) {
        attachment.content = "plain text, not a PDF";
        attachment.carried = attachment.content;
        attachment.attachment_name = "note.txt";
        attachment.content_type = "text/plain";
    }
    CHECK(error_code_of(send_edoc(eoffice, unit, it::signed_package(hub, no_pdf))) == "10");
    // NOT_FOUND (no such document) -> 21; INVALID_STATUS -> 22
    CHECK(error_code_of(eoffice.as(unit, verb::get, "/v1/getEdoc?docId=d-0000000000000000")) ==
          "21");
    CHECK(error_code_of(update_status(eoffice, unit, "d-0000000000000000", "42")) == "22");
    // A body that is not multipart -> 10 (UNSUPPORTED_MEDIA_TYPE)
    CHECK(error_code_of(eoffice.as(unit, verb::post, "/v1/sendEdoc", "<x/>", "application/xml")) ==
          "10");
    // MAINTENANCE, refused by the listener before the façade runs -> 20 (retry), in its shape
    const auto on = it::run_command({it::ctl_path(), "maintenance", "on", "--env", hub.dir(),
                                     "--notice", "Bảo trì", "--retry-after", "90"},
                                    hub.dir());
    REQUIRE(on.exit_code == 0);
    EofficeClient later(hub);
    const auto refused = later.login();
    CHECK(refused.status == 503);
    CHECK(error_code_of(refused) == "20");
    CHECK(body_of(refused).at("data").at("hubCode").as_string() == "MAINTENANCE");
    CHECK(refused.header("retry-after") == "90");
}

TEST_CASE(
    "provincial API: a list window in UTC days covers a document received after Vietnam "
    "midnight",
    "[provincial][time]") {
    it::Hub hub(facade_options());
    const Unit unit{"LS-UNIT-01", hub.code(1), "unit-one-secret"};
    register_system(hub, {unit});
    // 05:00 in Vietnam on 4 December is 22:00 UTC on 3 December: the client's toDate is 12/03.
    it::restart_with_clock(hub, "2026-12-04T05:00:00+07:00");
    Client proto(hub.agency(hub.code(0)));
    EofficeClient eoffice(hub);
    REQUIRE(eoffice.login().status == 200);
    it::post_accepted(proto, it::make_envelope(hub, hub.code(0), {unit.code}));

    auto ids_in = [&](const std::string& from, const std::string& to) {
        const auto data =
            data_of_success(eoffice.as(unit, verb::get, list_target("edoc", from, to)));
        return data.as_array().size();
    };
    CHECK(ids_in("2026/12/03", "2026/12/03") == 1);
    CHECK(ids_in("2026/12/01", "2026/12/03") == 1);
    CHECK(ids_in("2026/11/20", "2026/11/25") == 0);
    const auto bad = eoffice.as(unit, verb::get, list_target("edoc", "2026-12-03", "2026/12/03"));
    CHECK(error_code_of(bad) == "22");
    CHECK(body_of(bad).at("data").at("field").as_string() == "fromDate");
}
