// Report periods in Vietnam dates and the JSON and CSV renderings of a report.

#include "hub/ops/report_format.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

hub::Report sample() {
    hub::Report r;
    r.period = hub::ops::period_of({2026y / 7 / 1, 2026y / 9 / 30});
    hub::AgencyFigures a;
    a.code = "H39.05";
    a.sent = 7;
    a.paper_copies = 1;
    a.handled = 2;
    a.handling_median_ms = 60000;
    a.handling_p90_ms = 90000;
    hub::AgencyFigures b;
    b.code = "H39.07";
    b.received = 3;
    b.overdue = 1;
    r.agencies = {a, b};
    r.refusals = {{"H39.05", "MALFORMED", 3}, {"cert:ab,cd", "UNAUTHENTICATED", 1}};
    return r;
}

}  // namespace

TEST_CASE("R-19 report period: a quarter is its three months in Vietnam time", "[ops][report]") {
    auto q3 = hub::ops::quarter_dates("2026Q3");
    REQUIRE(q3.has_value());
    CHECK(q3->from == 2026y / 7 / 1);
    CHECK(q3->to == 2026y / 9 / 30);
    auto q1 = hub::ops::quarter_dates("2028Q1");  // a leap year
    REQUIRE(q1.has_value());
    CHECK(q1->to == 2028y / 3 / 31);
    const auto period = hub::ops::period_of(*q3);
    CHECK(hub::format_instant(period.begin) == "2026-07-01T00:00:00.000+07:00");
    CHECK(hub::format_instant(period.end) == "2026-10-01T00:00:00.000+07:00");
    for (const char* bad : {"2026Q5", "2026Q0", "26Q3", "2026-Q3", "2026Q3x", ""}) {
        INFO(bad);
        auto r = hub::ops::quarter_dates(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().field == "quarter");
    }
}

TEST_CASE("R-19 report period: no dates means the quarter of today in Vietnam", "[ops][report]") {
    // 2026-09-30 17:30 UTC is already 1 October in Vietnam.
    const hub::Instant late_q3 = hub::Instant(sys_days(2026y / 9 / 30)) + 17h + 30min;
    auto dates = hub::ops::report_dates({}, {}, {}, late_q3);
    REQUIRE(dates.has_value());
    CHECK(dates->from == 2026y / 10 / 1);
    CHECK(dates->to == 2026y / 12 / 31);
}

TEST_CASE("R-19 report period: from and to come together, in order", "[ops][report]") {
    const hub::Instant now = hub::Instant(sys_days(2026y / 11 / 25));
    auto day =
        hub::ops::report_dates({}, std::string("2026-11-25"), std::string("2026-11-25"), now);
    REQUIRE(day.has_value());
    const auto period = hub::ops::period_of(*day);
    CHECK(period.end - period.begin == 24h);
    CHECK(hub::ops::report_dates({}, std::string("2026-11-25"), {}, now).error().field == "to");
    CHECK(hub::ops::report_dates({}, {}, std::string("2026-11-25"), now).error().field == "from");
    CHECK(hub::ops::report_dates({}, std::string("2026-11-26"), std::string("2026-11-25"), now)
              .error()
              .field == "to");
    CHECK(hub::ops::report_dates({}, std::string("25/11/2026"), std::string("2026-11-25"), now)
              .error()
              .field == "from");
    CHECK(hub::ops::report_dates(std::string("2026Q3"), std::string("2026-11-25"), {}, now)
              .error()
              .field == "quarter");
}

TEST_CASE("R-18 report JSON: every figure, handling times null when none", "[ops][report]") {
    const auto r = sample();
    auto json = boost::json::parse(hub::ops::report_json(r, {2026y / 7 / 1, 2026y / 9 / 30}));
    const auto& o = json.as_object();
    CHECK(o.at("from").as_string() == "2026-07-01");
    CHECK(o.at("to").as_string() == "2026-09-30");
    CHECK(o.at("begin").as_string() == "2026-07-01T00:00:00.000+07:00");
    CHECK(o.at("end").as_string() == "2026-10-01T00:00:00.000+07:00");
    const auto& agencies = o.at("agencies").as_array();
    REQUIRE(agencies.size() == 2);
    const auto& a = agencies[0].as_object();
    CHECK(a.at("code").as_string() == "H39.05");
    CHECK(a.at("sent").as_int64() == 7);
    CHECK(a.at("paper_copies").as_int64() == 1);
    CHECK(a.at("received").as_int64() == 0);
    CHECK(a.at("handled").as_int64() == 2);
    CHECK(a.at("handling_median_ms").as_int64() == 60000);
    CHECK(a.at("handling_p90_ms").as_int64() == 90000);
    const auto& b = agencies[1].as_object();
    CHECK(b.at("overdue").as_int64() == 1);
    CHECK(b.at("handling_median_ms").is_null());
    const auto& refusals = o.at("refusals").as_array();
    REQUIRE(refusals.size() == 2);
    CHECK(refusals[0].at("agency").as_string() == "H39.05");
    CHECK(refusals[0].at("code").as_string() == "MALFORMED");
    CHECK(refusals[0].at("count").as_int64() == 3);
}

TEST_CASE("R-18 report CSV: two tables with header rows, fields quoted when needed",
          "[ops][report]") {
    CHECK(hub::ops::report_csv(sample()) ==
          "agency,sent,received,rejected_by_recipients,rejections_sent,handled_on_time,overdue,"
          "replies_on_time,replies_late,paper_copies,handled,handling_median_ms,handling_p90_ms\n"
          "H39.05,7,0,0,0,0,0,0,0,1,2,60000,90000\n"
          "H39.07,0,3,0,0,0,1,0,0,0,0,,\n"
          "\n"
          "agency,error_code,count\n"
          "H39.05,MALFORMED,3\n"
          "\"cert:ab,cd\",UNAUTHENTICATED,1\n");
}
