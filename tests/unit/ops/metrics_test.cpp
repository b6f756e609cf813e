// Request metrics count without a lock and render as Prometheus text a real parser accepts.

#include "hub/ops/exposition.h"
#include "hub/ops/process_figures.h"
#include "hub/ops/request_metrics.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include "unit/ops/prom_text.h"

using namespace std::chrono_literals;
using hub::errc;

TEST_CASE("ops: requests render by route and outcome with a cumulative histogram", "[ops]") {
    hub::ops::RequestMetrics m({"inbox", "status"});
    m.observe("inbox", std::nullopt, 3ms);
    m.observe("inbox", std::nullopt, 700ms);
    m.observe("inbox", errc::not_found, 20s);
    m.observe("nowhere", errc::malformed, 1ms);  // counted under "other"
    m.refused("status", errc::maintenance);
    hub::ops::Exposition out;
    m.render(out);
    INFO(out.text());
    const auto text = prom::parse(out.text());
    CHECK(text.family("lienthong_requests_total").type == "counter");
    CHECK(text.value("lienthong_requests_total", {{"route", "inbox"}, {"outcome", "OK"}}) == 2);
    CHECK(text.value("lienthong_requests_total", {{"route", "inbox"}, {"outcome", "NOT_FOUND"}}) ==
          1);
    CHECK(text.value("lienthong_requests_total", {{"route", "other"}, {"outcome", "MALFORMED"}}) ==
          1);
    CHECK(text.value("lienthong_requests_total",
                     {{"route", "status"}, {"outcome", "MAINTENANCE"}}) == 1);
    CHECK_FALSE(text.value("lienthong_requests_total", {{"route", "status"}, {"outcome", "OK"}}));
    const auto& h = text.family("lienthong_request_duration_seconds");
    CHECK(h.type == "histogram");
    const auto bucket = [&](const char* le) {
        return text.value("lienthong_request_duration_seconds_bucket",
                          {{"route", "inbox"}, {"le", le}});
    };
    CHECK(bucket("0.001") == 0);
    CHECK(bucket("0.005") == 1);
    CHECK(bucket("1") == 2);
    CHECK(bucket("10") == 2);
    CHECK(bucket("+Inf") == 3);
    CHECK(text.value("lienthong_request_duration_seconds_count", {{"route", "inbox"}}) == 3);
    CHECK(text.value("lienthong_request_duration_seconds_sum", {{"route", "inbox"}}).value() ==
          Approx(20.703));
    // A refusal at the header is counted, not timed.
    CHECK(text.value("lienthong_request_duration_seconds_count", {{"route", "status"}}) == 0);
}

TEST_CASE("ops: counting from many threads at once loses nothing", "[ops]") {
    hub::ops::RequestMetrics m({"inbox"});
    constexpr int kThreads = 8;
    constexpr int kEach = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&m, t] {
            for (int i = 0; i < kEach; ++i) {
                m.observe("inbox", t % 2 == 0 ? std::nullopt : std::optional(errc::rate_limited),
                          std::chrono::microseconds(i % 5000));
            }
        });
    }
    // Scrapes while counting still parse (the histogram's invariants hold on each).
    for (int i = 0; i < 20; ++i) {
        hub::ops::Exposition out;
        m.render(out);
        REQUIRE_NOTHROW(prom::parse(out.text()));
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(m.requests("inbox", "OK") == kThreads / 2 * kEach);
    CHECK(m.requests("inbox", "RATE_LIMITED") == kThreads / 2 * kEach);
    hub::ops::Exposition out;
    m.render(out);
    const auto text = prom::parse(out.text());
    CHECK(text.value("lienthong_request_duration_seconds_count", {{"route", "inbox"}}) ==
          kThreads * kEach);
}

TEST_CASE("ops: label values are escaped and read back as written", "[ops]") {
    hub::ops::Exposition out;
    out.family("lienthong_test", "gauge", "A help text with a \\ backslash\nand a newline.");
    out.sample("lienthong_test", {{"recipient", "H39.05 \"quoted\" \\ back\nslash"}}, 1.5);
    out.sample("lienthong_test", {{"recipient", "Sở Tài chính"}}, 1e20);
    const auto text = prom::parse(out.text());
    CHECK(text.value("lienthong_test", {{"recipient", "H39.05 \"quoted\" \\ back\nslash"}}) == 1.5);
    CHECK(text.value("lienthong_test", {{"recipient", "Sở Tài chính"}}) == 1e20);
    CHECK(text.family("lienthong_test").help ==
          "A help text with a \\\\ backslash\\nand a newline.");
    CHECK_THROWS(out.family("bad-name", "gauge", "x"));
    CHECK(hub::ops::Exposition::format_value(3) == "3");
    CHECK(hub::ops::Exposition::format_value(1.0 / 0.0) == "+Inf");
}

TEST_CASE("ops: process figures are this process's", "[ops]") {
    const auto f = hub::ops::read_process_figures();
    REQUIRE(f.resident_bytes);
    CHECK(*f.resident_bytes > 1024 * 1024);
    REQUIRE(f.open_fds);
    CHECK(*f.open_fds >= 3);
    REQUIRE(f.start_time_s);
    const double now = static_cast<double>(std::time(nullptr));
    CHECK(*f.start_time_s <= now + 1);
    CHECK(*f.start_time_s > now - 24 * 3600);  // started today, not at the epoch
    hub::ops::Exposition out;
    hub::ops::render_process(out, f);
    const auto text = prom::parse(out.text());
    CHECK(text.family("process_resident_memory_bytes").type == "gauge");
    CHECK(text.value("lienthong_build_info", {{"version", hub::ops::build_version()}}) == 1);
}
