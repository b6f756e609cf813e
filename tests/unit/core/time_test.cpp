#include "hub/core/time.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

/// UTC instant from its parts, for expectations that do not go through the parser.
hub::Instant utc(std::chrono::year_month_day d, std::chrono::milliseconds tod) {
    return hub::Instant{std::chrono::sys_days{d}} + tod;
}

hub::Instant parsed(const std::string& text) {
    auto t = hub::parse_instant(text);
    REQUIRE(t.has_value());
    return *t;
}

}  // namespace

TEST_CASE("instants: offsets Z, + and - name the same instant", "[time]") {
    const auto expected = utc(2026y / 11 / 25, 1h);
    CHECK(parsed("2026-11-25T01:00:00Z") == expected);
    CHECK(parsed("2026-11-25T08:00:00+07:00") == expected);
    CHECK(parsed("2026-11-24T20:30:00-04:30") == expected);
    CHECK(parsed("2026-11-25T15:00:00+14:00") == expected);
    CHECK(parsed("2026-11-24T13:00:00-12:00") == expected);
    CHECK(parsed("2026-11-25T01:00:00+00:00") == expected);
}

TEST_CASE("instants: fractions are truncated to milliseconds", "[time]") {
    const auto base = utc(2026y / 11 / 25, 7h + 3min + 7s);
    CHECK(parsed("2026-11-25T14:03:07.250+07:00") == base + 250ms);
    CHECK(parsed("2026-11-25T14:03:07.2+07:00") == base + 200ms);
    CHECK(parsed("2026-11-25T14:03:07.25+07:00") == base + 250ms);
    CHECK(parsed("2026-11-25T14:03:07.2509+07:00") == base + 250ms);
    CHECK(parsed("2026-11-25T14:03:07.999999999+07:00") == base + 999ms);
    CHECK(parsed("2026-11-25T14:03:07.000000001Z") == base + 7h);
}

TEST_CASE("instants: calendar ranges and leap years", "[time]") {
    CHECK(parsed("2024-02-29T00:00:00Z") == utc(2024y / 2 / 29, 0ms));
    CHECK(parsed("2000-02-29T23:59:59.999Z") == utc(2000y / 2 / 29, 23h + 59min + 59s + 999ms));
    CHECK(parsed("2026-12-31T23:59:59+07:00") == utc(2026y / 12 / 31, 16h + 59min + 59s));
    // Crossing the date line through the offset.
    CHECK(parsed("2027-01-01T06:59:59+07:00") == utc(2026y / 12 / 31, 23h + 59min + 59s));
}

TEST_CASE("instants: anything but the strict shape is INVALID_TIME", "[time]") {
    const std::vector<std::string> bad = {
        "",
        "2026-11-25T14:03:07",        // no offset
        "2026-11-25 14:03:07+07:00",  // space instead of T
        "2026-11-25t14:03:07+07:00",  // lowercase t
        "2026-11-25T14:03:07z",       // lowercase z
        "2026-11-25T14:03:07+0700",   // offset without colon
        "2026-11-25T14:03:07+07",
        "2026-11-25T14:03+07:00",           // no seconds
        "2026-11-25T14:03:07.+07:00",       // empty fraction
        "2026-11-25T14:03:07.1234567890Z",  // ten fraction digits
        "2026-11-25T14:03:07,250+07:00",    // comma fraction
        "2026-11-25T24:00:00Z",             // hour 24
        "2026-11-25T23:60:00Z",
        "2026-11-25T23:59:60Z",       // leap second
        "2026-11-25T14:03:07+15:00",  // offset hours > 14
        "2026-11-25T14:03:07+07:60",
        "2026-11-25T14:03:07-15:00",
        "2026-02-29T00:00:00Z",  // 2026 is not a leap year
        "1900-02-29T00:00:00Z",  // century rule
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "26-11-25T14:03:07Z",
        "2026-1-25T14:03:07Z",
        "2026-11-25T14:03:07Z ",
        " 2026-11-25T14:03:07Z",
        "2026-11-25T14:03:07ZZ",
        "2026/11/25T14:03:07Z",
        "+2026-11-25T14:03:07Z",
    };
    for (const auto& text : bad) {
        INFO("'" << text << "'");
        auto t = hub::parse_instant(text);
        REQUIRE_FALSE(t.has_value());
        CHECK(t.error().code == hub::errc::invalid_time);
    }
}

TEST_CASE("instants are written in Vietnam time with milliseconds", "[time]") {
    CHECK(hub::format_instant(parsed("2026-11-25T07:03:07.25Z")) ==
          "2026-11-25T14:03:07.250+07:00");
    CHECK(hub::format_instant(parsed("2026-12-31T17:00:00Z")) == "2027-01-01T00:00:00.000+07:00");
    CHECK(hub::format_instant(hub::Instant{}) == "1970-01-01T07:00:00.000+07:00");
    // Round trip through the written form.
    const auto t = parsed("2024-02-29T23:59:59.999-03:00");
    CHECK(parsed(hub::format_instant(t)) == t);
}

TEST_CASE("dates: yyyy-MM-dd strictly", "[time]") {
    auto d = hub::parse_date("2024-02-29");
    REQUIRE(d.has_value());
    CHECK(*d == 2024y / 2 / 29);
    CHECK(hub::format_date(*d) == "2024-02-29");
    CHECK(hub::format_date(2026y / 1 / 2) == "2026-01-02");
    for (const char* text : {"2025-02-29", "2026-1-02", "2026/01/02", "2026-01-02T00:00:00Z",
                             "2026-01-32", "", "2026-01-02 "}) {
        INFO(text);
        auto bad = hub::parse_date(text);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().code == hub::errc::invalid_time);
    }
}

TEST_CASE("edXML dates and zone-less timestamps are Vietnam time", "[time]") {
    auto d = hub::parse_edxml_date("2015/09/30");
    REQUIRE(d.has_value());
    CHECK(*d == 2015y / 9 / 30);
    CHECK(hub::format_edxml_date(*d) == "2015/09/30");
    CHECK_FALSE(hub::parse_edxml_date("2015-09-30").has_value());
    CHECK_FALSE(hub::parse_edxml_date("2015/02/29").has_value());

    auto ts = hub::parse_edxml_timestamp("2026/11/25 14:03:07");
    REQUIRE(ts.has_value());
    CHECK(*ts == parsed("2026-11-25T14:03:07+07:00"));
    CHECK(hub::format_edxml_timestamp(*ts) == "2026/11/25 14:03:07");
    // Writing drops the milliseconds the edXML form cannot carry.
    CHECK(hub::format_edxml_timestamp(parsed("2026-11-24T17:30:00.999Z")) == "2026/11/25 00:30:00");
    for (const char* text :
         {"2026/11/25T14:03:07", "2026/11/25 14:03", "2026/11/25 24:00:00",
          "2026/11/25 14:03:07+07:00", "2026-11-25 14:03:07", "2026/11/25  14:03:07"}) {
        INFO(text);
        auto bad = hub::parse_edxml_timestamp(text);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().code == hub::errc::invalid_time);
    }
}

TEST_CASE("Vietnam local time conversions are inverse", "[time]") {
    const auto t = parsed("2026-11-25T01:00:00Z");
    const auto local = hub::to_vietnam(t);
    CHECK(local == std::chrono::local_days{2026y / 11 / 25} + 8h);
    CHECK(hub::from_vietnam(local) == t);
}
