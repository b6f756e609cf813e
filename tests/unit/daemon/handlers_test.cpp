// The agency handlers over in-memory stores (tests/fakes/fake_stores.h): what each party of a
// document may see of its trace, and how a status report is checked, repeated and audited,
// without a ledger file, a listener or TLS.

#include "fakes/fake_stores.h"
#include "fakes/run_sync.h"
#include "hub/core/clock.h"
#include "hub/http/server.h"
#include "lienthong/v1/api.pb.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include "endpoint_deps.h"
#include "endpoints.h"
#include "unit/daemon/agencies.h"

namespace v1 = lienthong::v1;
using namespace std::chrono_literals;

namespace {

const std::string kSender = "H39.05";
const std::string kFirst = "H39.07";
const std::string kSecond = "H39.08";
const std::string kOutsider = "H39.09";
const std::string kDocument = "H39.05,2026/11/20,12/UBND-VP";

struct Fixture {
    hub::ManualClock clock{hub::Instant(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) +
                           2h};
    hub::Logger log{hub::LogLevel::off};
    hub::Snapshot<hub::Registry> snapshot{
        daemon_test::registry_of({kSender, kFirst, kSecond, kOutsider})};
    hub::test::FakeAuditStore audits;
    hub::test::FakeEnvelopeStore envelopes;
    hub::CallerContext context{clock, log, snapshot, audits};
    boost::asio::io_context io;

    Fixture() {
        hub::EnvelopeRecord e;
        e.from = kSender;
        e.from_given = kSender;
        e.envelope_id = "e-1";
        e.document_id = kDocument;
        e.accepted_at = clock.now();
        envelopes.add(e,
                      {{"d-1", kFirst, kFirst, v1::LOCAL}, {"d-2", kSecond, kSecond, v1::LOCAL}});
        for (const auto& [id, delivery, from, code, why] :
             {std::tuple{"s-1", "d-1", kFirst, "01", ""},
              std::tuple{"s-2", "d-2", kSecond, "01", ""},
              std::tuple{"s-3", "d-2", kSecond, "02", "sai thể thức"}}) {
            hub::StatusRecord s;
            s.status_id = id;
            s.delivery_id = delivery;
            s.envelope_seq = 1;
            s.from = from;
            s.to = kSender;
            s.code = code;
            s.description = why;
            s.recorded_at = clock.now();
            envelopes.statuses.push_back(s);
        }
    }
};

template <class M>
M parse(const hub::http::Response& response) {
    M message;
    INFO(response.body);
    REQUIRE(google::protobuf::util::JsonStringToMessage(response.body, &message).ok());
    return message;
}

std::string json_of(const google::protobuf::Message& m) {
    std::string out;
    REQUIRE(google::protobuf::util::MessageToJsonString(m, &out).ok());
    return out;
}

}  // namespace

TEST_CASE("R-12 handler: the sender's trace shows every recipient, a recipient's only its own",
          "[daemon][trace]") {
    Fixture f;
    hub::TraceDeps deps{f.context, f.envelopes};
    using boost::beast::http::verb;

    auto sender = run_sync(
        f.io,
        hub::get_trace(deps, daemon_test::request(kSender, verb::get, "/v1/envelopes/e-1"), "e-1"));
    REQUIRE(sender.status == 200);
    CHECK(parse<v1::Trace>(sender).recipients_size() == 2);
    CHECK(sender.body.find("sai thể thức") != std::string::npos);

    auto first = run_sync(
        f.io,
        hub::get_trace(deps, daemon_test::request(kFirst, verb::get, "/v1/envelopes/e-1"), "e-1"));
    REQUIRE(first.status == 200);
    const auto trace = parse<v1::Trace>(first);
    REQUIRE(trace.recipients_size() == 1);
    CHECK(trace.recipients(0).code() == kFirst);
    CHECK(first.body.find("sai thể thức") == std::string::npos);

    // An outsider and an unknown id get the same answer.
    auto outsider = run_sync(
        f.io, hub::get_trace(deps, daemon_test::request(kOutsider, verb::get, "/v1/envelopes/e-1"),
                             "e-1"));
    auto unknown = run_sync(
        f.io, hub::get_trace(deps, daemon_test::request(kOutsider, verb::get, "/v1/envelopes/e-9"),
                             "e-9"));
    CHECK(outsider.status == 404);
    CHECK(outsider.body == unknown.body);
}

TEST_CASE(
    "R-12 handler: a status report is checked, recorded once with its audit row, and a "
    "repeat answers the first receipt",
    "[daemon][status]") {
    Fixture f;
    hub::StatusDeps deps{f.context, f.envelopes, hub::StatusOptions{100}};
    using boost::beast::http::verb;
    v1::StatusUpdate update;
    update.set_document_id(kDocument);
    update.set_to(kSender);
    update.set_code("03");
    update.set_timestamp("2026-11-25T09:10:00.000+07:00");
    const auto body = json_of(update);

    auto first = run_sync(
        f.io, hub::post_status(deps, daemon_test::request(kFirst, verb::post, "/v1/status", body)));
    REQUIRE(first.status == 202);
    const auto receipt = parse<v1::StatusReceipt>(first);
    auto again = run_sync(
        f.io, hub::post_status(deps, daemon_test::request(kFirst, verb::post, "/v1/status", body)));
    REQUIRE(again.status == 200);
    CHECK(parse<v1::StatusReceipt>(again).status_id() == receipt.status_id());
    CHECK(f.envelopes.statuses.size() == 4);  // the three of the fixture and one 03
    REQUIRE(f.envelopes.audit.size() == 1);   // committed with the status, not after it
    CHECK(f.envelopes.audit[0].action == "status.post");
    CHECK(f.envelopes.audit[0].target == receipt.status_id());

    // Over the description limit: refused before anything is looked up, and the refusal audited.
    update.set_code("05");
    update.set_description(std::string(101, 'x'));
    auto too_long = run_sync(
        f.io, hub::post_status(
                  deps, daemon_test::request(kFirst, verb::post, "/v1/status", json_of(update))));
    CHECK(too_long.status == 400);
    CHECK(parse<v1::Error>(too_long).field() == "description");
    CHECK(f.envelopes.statuses.size() == 4);
    REQUIRE_FALSE(f.audits.records.empty());
    CHECK(f.audits.records.back().outcome == "MALFORMED");

    // A party to nothing: the same 404 as for a document that does not exist.
    update.set_description("");
    auto outsider =
        run_sync(f.io, hub::post_status(deps, daemon_test::request(kOutsider, verb::post,
                                                                   "/v1/status", json_of(update))));
    CHECK(outsider.status == 404);
}

TEST_CASE("R-04 handler: no certificate or an unknown one is 401 before anything is read",
          "[daemon][status]") {
    Fixture f;
    hub::StatusDeps deps{f.context, f.envelopes, hub::StatusOptions{100}};
    auto request = daemon_test::request(kFirst, boost::beast::http::verb::post, "/v1/status", "{}");
    request.client_cert_sha256.reset();
    CHECK(run_sync(f.io, hub::post_status(deps, request)).status == 401);
    request.client_cert_sha256 = std::string(64, 'f');
    CHECK(run_sync(f.io, hub::post_status(deps, request)).status == 401);
    CHECK(f.envelopes.statuses.size() == 3);
}
