// The Gate decides from the certificate and the request line alone: who is refused, how a
// per-organization rate is kept, and what is left for the aggregate audit.

#include "gate.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>

namespace {

namespace v1 = lienthong::v1;
using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock::time_point;

std::shared_ptr<const hub::Registry> registry() {
    v1::Registry r;
    auto* a = r.add_organizations();
    a->set_code("H39.05");
    a->add_client_cert_sha256("aaaa");
    auto* b = r.add_organizations();
    b->set_code("H39.06");
    b->add_client_cert_sha256("bbbb");
    auto* system = r.add_systems();
    system->set_name("eoffice");
    system->add_client_cert_sha256("eeee");
    system->add_client_cert_sha256("aaaa");  // an organization's: never the system's
    auto* unit = system->add_units();
    unit->set_system_id("U1");
    unit->set_code("H39.05");
    return hub::Registry::build(r);
}

hub::http::Request head(std::optional<std::string> cert, std::string path = "/v1/inbox") {
    hub::http::Request request;
    request.client_cert_sha256 = std::move(cert);
    request.path = std::move(path);
    return request;
}

// A Gate over a fixed registry with a clock the test moves.
struct Fixture {
    std::shared_ptr<const hub::Registry> reg = registry();
    hub::Metrics metrics;
    hub::MaintenanceMode maintenance;
    std::shared_ptr<SteadyTime> now = std::make_shared<SteadyTime>();
    hub::Gate gate;

    explicit Fixture(hub::GateOptions options)
        : gate([r = reg] { return r; }, options, metrics, maintenance, [n = now] { return *n; }) {}
};

TEST_CASE("R-04 the agency gate refuses a missing or unknown certificate and counts it", "[gate]") {
    Fixture f(hub::GateOptions{});
    auto none = f.gate.agency(head(std::nullopt));
    REQUIRE(none);
    CHECK(none->code == hub::errc::unauthenticated);
    auto unknown = f.gate.agency(head(std::string("cccc"), "/v1/time"));
    REQUIRE(unknown);
    CHECK(unknown->code == hub::errc::unauthenticated);
    CHECK_FALSE(f.gate.agency(head(std::string("AAAA"))));
    CHECK(f.metrics.requests("inbox", "UNAUTHENTICATED") == 1);
    CHECK(f.metrics.requests("time", "UNAUTHENTICATED") == 1);
    CHECK(f.gate.take_unaudited_refusals() == 2);
    CHECK(f.gate.take_unaudited_refusals() == 0);
    CHECK(f.gate.organization("bbbb") == std::optional<std::string>("H39.06"));
    CHECK_FALSE(f.gate.organization("cccc"));
}

TEST_CASE("R-04 the operator gate refuses only requests without any certificate", "[gate]") {
    Fixture closed(hub::GateOptions{});
    CHECK(closed.gate.operator_listener(head(std::nullopt, "/healthz")));
    CHECK_FALSE(closed.gate.operator_listener(head(std::string("dddd"), "/admin/v1/orgs")));

    Fixture open(hub::GateOptions{true, 0, 0, {}});
    CHECK_FALSE(open.gate.operator_listener(head(std::nullopt, "/healthz")));
    CHECK_FALSE(open.gate.operator_listener(head(std::nullopt, "/metrics")));
    CHECK(open.gate.operator_listener(head(std::nullopt, "/status.json")));
}

TEST_CASE("R-22 each organization gets its burst, then its rate", "[gate][rate]") {
    Fixture f(hub::GateOptions{false, 2, 3, {}});
    const auto a = head(std::string("aaaa"));
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(f.gate.agency(a));
    }
    auto refused = f.gate.agency(a);
    REQUIRE(refused);
    CHECK(refused->code == hub::errc::rate_limited);
    // Another organization has its own bucket.
    CHECK_FALSE(f.gate.agency(head(std::string("bbbb"))));
    // Half a second at 2/s is one request more, and only one.
    *f.now += 500ms;
    CHECK_FALSE(f.gate.agency(a));
    CHECK(f.gate.agency(a));
    // A long quiet spell refills to the burst, not beyond.
    *f.now += 1h;
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(f.gate.agency(a));
    }
    CHECK(f.gate.agency(a));
    CHECK(f.metrics.requests("inbox", "RATE_LIMITED") == 3);
    // Rate refusals are the caller's, not anonymous: nothing to audit in aggregate.
    CHECK(f.gate.take_unaudited_refusals() == 0);
}

TEST_CASE("R-04 a system's certificate passes only under the provincial API's prefix", "[gate]") {
    Fixture off(hub::GateOptions{});
    CHECK(off.gate.agency(head(std::string("eeee"), "/lgsp/v1/sendEdoc")));

    Fixture f(hub::GateOptions{false, 0, 0, "/lgsp"});
    CHECK_FALSE(f.gate.agency(head(std::string("eeee"), "/lgsp/v1/sendEdoc")));
    for (const char* path :
         {"/v1/inbox", "/v1/envelopes", "/lgsp", "/lgspx/v1/sendEdoc", "/v1/time"}) {
        INFO(path);
        auto refused = f.gate.agency(head(std::string("eeee"), path));
        REQUIRE(refused);
        CHECK(refused->code == hub::errc::unauthenticated);
    }
    // An organization's certificate reaches the façade too, as itself.
    CHECK_FALSE(f.gate.agency(head(std::string("aaaa"), "/lgsp/v1/sendEdoc")));
    CHECK(f.gate.organization("eeee") == std::optional<std::string>("system:eoffice"));
    CHECK(f.gate.organization("aaaa") == std::optional<std::string>("H39.05"));
    CHECK(f.reg->by_system_cert("EEEE") != nullptr);
    CHECK(f.reg->by_system_cert("aaaa") == nullptr);
    REQUIRE(f.reg->by_system_cert("eeee")->units.contains("U1"));
    CHECK(f.reg->by_system_cert("eeee")->units.at("U1").code == "H39.05");
}

TEST_CASE("R-22 a rate of 0 is no limit", "[gate][rate]") {
    Fixture f(hub::GateOptions{false, 0, 0, {}});
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(f.gate.agency(head(std::string("aaaa"))));
    }
}

}  // namespace

TEST_CASE("maintenance: the agency gate answers 503 with the notice, except GET /v1/time",
          "[gate][maintenance]") {
    Fixture f(hub::GateOptions{});
    CHECK_FALSE(f.gate.agency(head(std::string("aaaa"))));
    hub::MaintenanceState state;
    state.on = true;
    state.notice = "Bảo trì đến 22:00";
    state.retry_after_s = 120;
    f.maintenance.set(state);
    for (const char* path : {"/v1/inbox", "/v1/envelopes", "/v1/status", "/v1/envelopes/e-1"}) {
        auto refused = f.gate.agency(head(std::string("aaaa"), path));
        REQUIRE(refused);
        CHECK(refused->code == hub::errc::maintenance);
        CHECK(refused->message == state.notice);
        CHECK(refused->retry_after_s == std::optional<unsigned>(120));
    }
    CHECK(f.metrics.requests("envelopes_post", "MAINTENANCE") == 1);
    auto time = head(std::string("aaaa"), "/v1/time");
    time.method = boost::beast::http::verb::get;
    CHECK_FALSE(f.gate.agency(time));
    // An unknown certificate is still told it is unknown, not shown the notice.
    auto unknown = f.gate.agency(head(std::string("cccc")));
    REQUIRE(unknown);
    CHECK(unknown->code == hub::errc::unauthenticated);
    // Operators are not in maintenance.
    CHECK_FALSE(f.gate.operator_listener(head(std::string("eeee"), "/status.json")));
    state.on = false;
    f.maintenance.set(state);
    CHECK_FALSE(f.gate.agency(head(std::string("aaaa"))));
}
