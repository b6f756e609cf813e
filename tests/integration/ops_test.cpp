// The operator surface against the real lienthongd: maintenance mode, /metrics, the audit
// chain head and the operator commands of lienthongctl. Each test case starts its own daemon.

#include "hub/core/org_code.h"
#include "hub/crypto/fingerprint.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"
#include "process.h"
#include "unit/ops/prom_text.h"

namespace v1 = lienthong::v1;
using hub::http::Client;

namespace {

it::CommandResult ctl(const it::Hub& hub, std::vector<std::string> args) {
    args.insert(args.begin(), it::ctl_path());
    return it::run_command(args, hub.dir());
}

prom::Text scrape(const it::Hub& hub) {
    Client op(hub.operator_client());
    const auto answer = it::get(op, "/metrics");
    REQUIRE(answer.status == 200);
    CHECK(answer.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
    INFO(answer.body);
    return prom::parse(answer.body);
}

double value_or_zero(const prom::Text& text,
                     const std::string& name,
                     const std::map<std::string, std::string>& labels = {}) {
    return text.value(name, labels).value_or(0);
}

}  // namespace

TEST_CASE("metrics: every certificate the hub holds has its expiry, by kind",
          "[integration][ops][metrics]") {
    it::Hub hub;
    const auto text = scrape(hub);
    const auto& family = text.family("lienthong_certificate_expiry_timestamp_seconds");
    CHECK(family.type == "gauge");
    auto config = boost::json::parse(it::slurp(hub.dir() + "/lienthongd.json")).as_object();
    std::filesystem::path server_cert(
        std::string(config.at("tls").as_object().at("server_cert").as_string()));
    if (server_cert.is_relative()) {
        server_cert = std::filesystem::path(hub.dir()) / server_cert;
    }
    const auto fingerprint = hub::crypto::cert_fingerprint_pem(it::slurp(server_cert.string()));
    REQUIRE(fingerprint.has_value());
    const auto not_after = text.value("lienthong_certificate_expiry_timestamp_seconds",
                                      {{"kind", "server"}, {"sha256", *fingerprint}});
    REQUIRE(not_after.has_value());
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(*not_after > now + 86400);  // made at test time, valid for a while
    CHECK(*not_after < now + 50.0 * 365 * 86400);
    std::map<std::string, int> kinds;
    for (const auto& sample : family.samples) {
        ++kinds[sample.labels.at("kind")];
        CHECK_FALSE(sample.labels.at("subject").empty());
        CHECK(sample.labels.at("sha256").size() == 64);
    }
    CHECK(kinds["receipt_signer"] >= 1);
    CHECK(kinds["client_ca"] >= 1);
    CHECK(kinds["trust_anchor"] >= 1);
}

TEST_CASE("metrics: /metrics parses as Prometheus text and its figures move with traffic",
          "[integration][ops][metrics]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const auto before = scrape(hub);
    for (const char* family :
         {"lienthong_requests_total", "lienthong_request_duration_seconds", "lienthong_queue_depth",
          "lienthong_outbox_items", "lienthong_overdue_deliveries", "lienthong_late_replies",
          "lienthong_ledger_bytes", "lienthong_maintenance", "process_resident_memory_bytes",
          "process_open_fds", "process_start_time_seconds", "lienthong_build_info"}) {
        INFO(family);
        CHECK_FALSE(before.family(family).help.empty());
    }
    CHECK(before.value("process_resident_memory_bytes").value() > 1e6);
    CHECK(before.value("lienthong_maintenance") == 0);

    Client sender(hub.agency(a));
    const auto receipt = it::post_accepted(sender, it::make_envelope(hub, a, {b}));
    Client stranger(hub.agency_with("", ""));
    CHECK(it::get(stranger, "/v1/inbox").status == 401);
    const auto after = scrape(hub);
    const std::map<std::string, std::string> posted{{"route", "envelopes_post"}, {"outcome", "OK"}};
    CHECK(value_or_zero(after, "lienthong_requests_total", posted) ==
          value_or_zero(before, "lienthong_requests_total", posted) + 1);
    CHECK(value_or_zero(after, "lienthong_requests_total",
                        {{"route", "inbox"}, {"outcome", "UNAUTHENTICATED"}}) >= 1);
    CHECK(value_or_zero(after, "lienthong_request_duration_seconds_count",
                        {{"route", "envelopes_post"}}) >= 1);
    const std::string b_canonical = hub::canonical_org_code(b);
    CHECK(value_or_zero(after, "lienthong_queue_depth", {{"recipient", b_canonical}}) == 1);
    CHECK(value_or_zero(after, "lienthong_outbox_items", {{"channel", "inbox"}}) >= 1);
    CHECK(after.value("lienthong_ledger_bytes").value() > 0);

    Client recipient(hub.agency(b));
    it::receive(recipient, receipt.envelope_id());
    CHECK(it::eventually([&] {
        return value_or_zero(scrape(hub), "lienthong_queue_depth", {{"recipient", b_canonical}}) ==
               0;
    }));
}

TEST_CASE(
    "maintenance: agencies get 503 with the notice and Retry-After, nothing is stored, "
    "and it survives a restart",
    "[integration][ops][maintenance]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string notice = "Hệ thống bảo trì đến 22:00; vui lòng gửi lại sau.";
    auto on = ctl(
        hub, {"maintenance", "on", "--env", hub.dir(), "--notice", notice, "--retry-after", "120"});
    INFO(on.out << on.err);
    REQUIRE(on.exit_code == 0);
    CHECK(on.out.find("ON") != std::string::npos);

    const auto envelope = it::make_envelope(hub, a, {b});
    const auto check_refused = [&] {
        Client sender(hub.agency(a));
        const auto refused = it::post(sender, envelope);
        CHECK_FAILS_WITH(refused, 503, "MAINTENANCE");
        CHECK(it::parse_error(refused.body).message() == notice);
        CHECK(refused.header("retry-after") == "120");
        Client other(hub.agency(b));
        CHECK_FAILS_WITH(it::get(other, "/v1/inbox"), 503, "MAINTENANCE");
        // Agencies still set their clocks from the hub (R-17).
        CHECK(it::get(other, "/v1/time").status == 200);
    };
    check_refused();
    {
        Client op(hub.operator_client());
        CHECK(it::get(op, "/healthz").status == 200);
        CHECK(it::get(op, "/readyz").status == 200);
        const auto shown = it::get(op, "/admin/v1/maintenance");
        REQUIRE(shown.status == 200);
        CHECK(boost::json::parse(shown.body).at("notice").as_string() == notice);
    }
    {
        // An agency's certificate is not an operator's.
        auto options = hub.operator_client();
        options.cert_file = hub.agency_dir(a) + "/client.crt";
        options.key_file = hub.agency_dir(a) + "/client.key";
        Client agency_on_operator(options);
        CHECK_FAILS_WITH(it::send(agency_on_operator, boost::beast::http::verb::put,
                                  "/admin/v1/maintenance", R"({"on": false})", it::kJson),
                         401, "UNAUTHENTICATED");
    }
    hub.restart();
    check_refused();

    auto off = ctl(hub, {"maintenance", "off", "--env", hub.dir()});
    INFO(off.out << off.err);
    REQUIRE(off.exit_code == 0);
    Client sender(hub.agency(a));
    // The envelope refused before was not stored: it is accepted now as new (202, not the
    // 200 of a duplicate).
    CHECK(it::get_trace(sender, it::header_of(envelope).envelope_id()).status == 404);
    it::post_accepted(sender, envelope);
    CHECK(ctl(hub, {"maintenance", "on", "--env", hub.dir()}).exit_code == 2);  // no notice
}
