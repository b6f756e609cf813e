// The registry administration over in-memory stores: only a configured operator may change
// the registry, a change commits with its audit row, and the next request sees it.

#include "fakes/fake_stores.h"
#include "fakes/run_sync.h"
#include "hub/core/clock.h"
#include "hub/queue/ledger_inbox.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "endpoints.h"
#include "metrics.h"
#include "services.h"

namespace v1 = lienthong::v1;
using namespace std::chrono_literals;
using boost::beast::http::verb;

namespace {

const std::string kOperator(64, 'e');
const std::string kAgencyCert(64, 'a');

struct Fixture {
    hub::ManualClock clock{hub::Instant(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25))};
    hub::Logger log{hub::LogLevel::off};
    lienthong::v1::Config config;
    hub::test::FakeRegistryStore registry_store;
    hub::test::FakeEnvelopeStore envelopes;
    hub::test::FakeOutboxStore outbox;
    hub::test::FakeAuditStore audits;
    hub::LedgerInbox inbox{outbox, clock, 60s};
    hub::Snapshot<hub::Registry> snapshot{nullptr};
    hub::Metrics metrics;
    hub::CallerContext context{clock, log, snapshot, audits};
    hub::test::FakeOperatorStore operator_store;
    hub::MaintenanceMode maintenance;
    hub::Snapshot<hub::crypto::TrustStore> trust{nullptr};
    hub::Services services{config,      log,      clock,   registry_store, envelopes,
                           inbox,       snapshot, metrics, context,        operator_store,
                           maintenance, outbox,   trust};
    boost::asio::io_context io;

    Fixture() {
        config.mutable_tls()->add_operator_cert_sha256(kOperator);
        auto* org = registry_store.registry.add_organizations();
        org->set_code("H39.07");
        org->add_client_cert_sha256(kAgencyCert);
        snapshot.set(hub::Registry::build(registry_store.registry));
    }

    hub::http::Response post(const std::string& cert,
                             const std::string& path,
                             verb method = verb::post,
                             std::string body = {}) {
        hub::http::Request r;
        r.method = method;
        r.body = std::move(body);
        r.content_type = "application/json";
        r.path = path;
        r.client_cert_sha256 = cert;
        r.request_id = "test";
        r.accept = "application/json";
        return run_sync(io, hub::operator_dispatch(services, std::move(r)));
    }
};

}  // namespace

TEST_CASE("R-04 handler: an operator's suspension commits with its audit row and applies at once",
          "[daemon][admin]") {
    Fixture f;
    const auto answer = f.post(kOperator, "/admin/v1/orgs/H39.07/suspend");
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    CHECK(f.registry_store.registry.organizations(0).status() == v1::SUSPENDED);
    REQUIRE(f.registry_store.audit.size() == 1);  // handed to the store with the change
    CHECK(f.registry_store.audit[0].action == "registry.suspend");
    CHECK(f.registry_store.audit[0].target == "H39.07");
    CHECK(f.audits.records.empty());  // no second, separate audit write
    CHECK_FALSE(f.snapshot.get()->find("H39.07")->active);
}

TEST_CASE("R-04 handler: an agency's certificate is not an operator", "[daemon][admin]") {
    Fixture f;
    CHECK(f.post(kAgencyCert, "/admin/v1/orgs/H39.07/suspend").status == 401);
    CHECK(f.post(std::string(64, 'f'), "/admin/v1/orgs/H39.07/suspend").status == 401);
    CHECK(f.registry_store.registry.organizations(0).status() == v1::ACTIVE);
    CHECK(f.registry_store.audit.empty());
}

TEST_CASE("maintenance handler: PUT commits the state with its audit row, then the Gate sees it",
          "[daemon][admin][maintenance]") {
    Fixture f;
    const auto on = f.post(kOperator, "/admin/v1/maintenance", verb::put,
                           R"({"on": true, "notice": "Nâng cấp hệ thống", "retry_after_s": 90})");
    INFO(on.body);
    REQUIRE(on.status == 200);
    CHECK(f.operator_store.state.on);
    CHECK(f.operator_store.state.notice == "Nâng cấp hệ thống");
    CHECK(f.operator_store.state.retry_after_s == 90);
    CHECK(f.operator_store.state.changed_by.rfind("operator:", 0) == 0);
    REQUIRE(f.operator_store.audit.size() == 1);
    CHECK(f.operator_store.audit[0].action == "maintenance.set");
    CHECK(f.operator_store.audit[0].detail.find("on=1") != std::string::npos);
    auto refusal = f.maintenance.refusal();
    REQUIRE(refusal);
    CHECK(refusal->message == "Nâng cấp hệ thống");
    const auto read = f.post(kOperator, "/admin/v1/maintenance", verb::get);
    REQUIRE(read.status == 200);
    CHECK(read.body.find("\"on\":true") != std::string::npos);
    CHECK(read.body.find("\"retry_after_s\":90") != std::string::npos);

    REQUIRE(f.post(kOperator, "/admin/v1/maintenance", verb::put, R"({"on": false})").status ==
            200);
    CHECK_FALSE(f.maintenance.refusal());
    CHECK(f.operator_store.audit.size() == 2);
}

TEST_CASE("maintenance handler: bad bodies and agency certificates change nothing",
          "[daemon][admin][maintenance]") {
    Fixture f;
    CHECK(f.post(kAgencyCert, "/admin/v1/maintenance", verb::put, R"({"on": true, "notice": "x"})")
              .status == 401);
    for (const char* body : {R"({"on": true})", R"({"on": "yes", "notice": "x"})",
                             R"({"on": true, "notice": "x", "retry_after_s": 0})",
                             R"({"on": true, "notise": "x"})", "not json", "[]"}) {
        INFO(body);
        CHECK(f.post(kOperator, "/admin/v1/maintenance", verb::put, body).status == 400);
    }
    CHECK(f.operator_store.audit.empty());
    CHECK_FALSE(f.maintenance.refusal());
}
