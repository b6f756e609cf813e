#include "hub/core/calendar.h"

#include "hub/core/time.h"
#include "lienthong/v1/calendar.pb.h"

#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

using namespace std::chrono_literals;
using hub::BusinessCalendar;

namespace {

std::string vn_path() {
    const char* dir = std::getenv("LIENTHONG_SOURCE_DIR");
    // CTest sets this; a run by hand from the repository root still finds the file.
    return std::string(dir ? dir : ".") + "/deploy/calendar/vn.json";
}

const BusinessCalendar& vn() {
    static const BusinessCalendar cal = [] {
        auto loaded = BusinessCalendar::load(vn_path());
        if (!loaded) {
            FAIL("cannot load " << vn_path() << ": " << loaded.error().text());
            return BusinessCalendar::defaults();
        }
        return *loaded;
    }();
    return cal;
}

hub::Instant at(const std::string& text) {
    auto t = hub::parse_instant(text);
    if (!t) {
        FAIL("bad instant in test: " << text);
        return hub::Instant{};
    }
    return *t;
}

/// Official receipt of a written instant, written back in +07:00.
std::string receipt(const BusinessCalendar& cal, const std::string& text) {
    return hub::format_instant(cal.official_receipt(at(text)));
}

std::string deadline(const BusinessCalendar& cal,
                     const std::string& text,
                     std::chrono::milliseconds amount) {
    return hub::format_instant(cal.add_business(at(text), amount));
}

lienthong::v1::CalendarFile standard_file() {
    lienthong::v1::CalendarFile file;
    for (auto [start, end] : {std::pair{"07:30", "11:30"}, std::pair{"13:30", "17:00"}}) {
        auto* w = file.add_windows();
        for (int d = 1; d <= 5; ++d) {
            w->add_weekdays(d);
        }
        w->set_start(start);
        w->set_end(end);
    }
    return file;
}

void add_day(google::protobuf::RepeatedPtrField<lienthong::v1::CalendarDay>* days,
             const std::string& date) {
    auto* day = days->Add();
    day->set_date(date);
    day->set_name("test " + date);
}

hub::Failure from_proto_error(const lienthong::v1::CalendarFile& file) {
    auto cal = BusinessCalendar::from_proto(file);
    REQUIRE_FALSE(cal.has_value());
    CHECK(cal.error().code == hub::errc::malformed);
    return cal.error();
}

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("lienthong-calendar-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path) << content;
    return path;
}

}  // namespace

// ---- R-16: official receipt time -------------------------------------------------------

TEST_CASE("R-16 official receipt inside business hours is the arrival itself", "[calendar]") {
    const auto& cal = vn();  // Wednesday 25 November 2026
    CHECK(receipt(cal, "2026-11-25T07:30:00.000+07:00") == "2026-11-25T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T09:15:42.123+07:00") == "2026-11-25T09:15:42.123+07:00");
    CHECK(receipt(cal, "2026-11-25T11:29:59.999+07:00") == "2026-11-25T11:29:59.999+07:00");
    CHECK(receipt(cal, "2026-11-25T13:30:00.000+07:00") == "2026-11-25T13:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T16:59:59.999+07:00") == "2026-11-25T16:59:59.999+07:00");
    CHECK(cal.in_business_hours(at("2026-11-25T07:30:00+07:00")));
    CHECK_FALSE(cal.in_business_hours(at("2026-11-25T11:30:00+07:00")));
}

TEST_CASE("R-16 official receipt before opening is today's opening", "[calendar]") {
    const auto& cal = vn();
    CHECK(receipt(cal, "2026-11-25T00:00:00.000+07:00") == "2026-11-25T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T06:00:00+07:00") == "2026-11-25T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T07:29:59.999+07:00") == "2026-11-25T07:30:00.000+07:00");
}

TEST_CASE("R-16 official receipt in the lunch gap is the afternoon opening", "[calendar]") {
    const auto& cal = vn();
    CHECK(receipt(cal, "2026-11-25T11:30:00.000+07:00") == "2026-11-25T13:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T12:00:00+07:00") == "2026-11-25T13:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T13:29:59.999+07:00") == "2026-11-25T13:30:00.000+07:00");
}

TEST_CASE("R-16 official receipt at or after closing is the next morning", "[calendar]") {
    const auto& cal = vn();
    CHECK(receipt(cal, "2026-11-25T17:00:00.000+07:00") == "2026-11-26T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T20:00:00+07:00") == "2026-11-26T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-25T23:59:59.999+07:00") == "2026-11-26T07:30:00.000+07:00");
}

TEST_CASE("R-16 official receipt on Friday night and weekends is Monday morning", "[calendar]") {
    const auto& cal = vn();
    CHECK(receipt(cal, "2026-11-27T17:00:00+07:00") == "2026-11-30T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-27T22:10:00+07:00") == "2026-11-30T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-28T10:00:00+07:00") == "2026-11-30T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-11-29T16:00:00+07:00") == "2026-11-30T07:30:00.000+07:00");
}

TEST_CASE("R-16 official receipt skips fixed holidays 30/4, 1/5 and 2/9", "[calendar]") {
    const auto& cal = vn();
    // 2026: 30/4 Thursday and 1/5 Friday are off, then the weekend.
    CHECK(receipt(cal, "2026-04-29T17:30:00+07:00") == "2026-05-04T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-04-30T09:00:00+07:00") == "2026-05-04T07:30:00.000+07:00");
    // 2025: Monday 1/9 (adjacent day) and Tuesday 2/9.
    CHECK(receipt(cal, "2025-08-29T17:00:00+07:00") == "2025-09-03T07:30:00.000+07:00");
    CHECK(receipt(cal, "2025-09-02T10:00:00+07:00") == "2025-09-03T07:30:00.000+07:00");
    CHECK_FALSE(cal.is_working_day(2025y / 9 / 2));
    CHECK_FALSE(cal.is_working_day(2026y / 4 / 30));
}

TEST_CASE("R-16 official receipt skips Tết", "[calendar]") {
    const auto& cal = vn();
    // Ất Tỵ 2025: off Monday 27 - Friday 31 January.
    CHECK(receipt(cal, "2025-01-24T17:30:00+07:00") == "2025-02-03T07:30:00.000+07:00");
    // Bính Ngọ 2026: off Monday 16 - Friday 20 February.
    CHECK(receipt(cal, "2026-02-13T16:59:59.999+07:00") == "2026-02-13T16:59:59.999+07:00");
    CHECK(receipt(cal, "2026-02-13T17:00:00+07:00") == "2026-02-23T07:30:00.000+07:00");
    CHECK(receipt(cal, "2026-02-17T09:00:00+07:00") == "2026-02-23T07:30:00.000+07:00");
    for (auto d : {16, 17, 18, 19, 20}) {
        CHECK_FALSE(cal.is_working_day(2026y / 2 / std::chrono::day(d)));
        CHECK(cal.windows_on(2026y / 2 / std::chrono::day(d)).empty());
    }
}

TEST_CASE("R-16 a holiday falling on a weekend moves to Monday", "[calendar]") {
    const auto& cal = vn();
    // Hùng Kings 2026 (10/3 lunar) is Sunday 26 April: Monday 27 April is off.
    CHECK_FALSE(cal.is_working_day(2026y / 4 / 27));
    CHECK(receipt(cal, "2026-04-24T17:00:00+07:00") == "2026-04-28T07:30:00.000+07:00");
    // 1/5/2027 is a Saturday: Monday 3 May 2027 is off (30/4 Friday too).
    CHECK(receipt(cal, "2027-04-29T17:00:00+07:00") == "2027-05-04T07:30:00.000+07:00");
}

TEST_CASE("R-16 a make-up Saturday is a working day with Monday's windows", "[calendar]") {
    const auto& cal = vn();
    // 26 April 2025 was worked in exchange for Friday 2 May 2025.
    CHECK(cal.is_working_day(2025y / 4 / 26));
    CHECK(cal.windows_on(2025y / 4 / 26).size() == 2);
    CHECK_FALSE(cal.is_working_day(2025y / 5 / 2));
    CHECK_FALSE(cal.is_working_day(2025y / 4 / 27));
    CHECK(receipt(cal, "2025-04-25T17:30:00+07:00") == "2025-04-26T07:30:00.000+07:00");
    CHECK(receipt(cal, "2025-04-26T09:00:00+07:00") == "2025-04-26T09:00:00.000+07:00");
    CHECK(receipt(cal, "2025-04-26T12:00:00+07:00") == "2025-04-26T13:30:00.000+07:00");
    CHECK(receipt(cal, "2025-04-26T17:00:00+07:00") == "2025-04-28T07:30:00.000+07:00");
    // 30/4 to 4/5/2025: off Wednesday to Sunday.
    CHECK(receipt(cal, "2025-04-29T17:00:00+07:00") == "2025-05-05T07:30:00.000+07:00");
    // Saturday 10 January 2026 was worked for Friday 2 January 2026.
    CHECK(receipt(cal, "2026-01-10T06:00:00+07:00") == "2026-01-10T07:30:00.000+07:00");
}

TEST_CASE("R-16 official receipt at year end moves into the new year", "[calendar]") {
    // With vn.json: 1/1/2027 is a Friday holiday, so the next window is Monday 4 January.
    CHECK(receipt(vn(), "2026-12-31T17:30:00+07:00") == "2027-01-04T07:30:00.000+07:00");
    // 2025 -> 2026: Thursday 1/1 and the swapped Friday 2/1 are off.
    CHECK(receipt(vn(), "2025-12-31T17:30:00+07:00") == "2026-01-05T07:30:00.000+07:00");
    // Without holidays the next morning is 1 January itself.
    const auto plain = BusinessCalendar::defaults();
    CHECK(receipt(plain, "2026-12-31T17:30:00+07:00") == "2027-01-01T07:30:00.000+07:00");
    CHECK(receipt(plain, "2025-12-31T23:59:59.999+07:00") == "2026-01-01T07:30:00.000+07:00");
}

TEST_CASE("R-16 official receipt reads other offsets in Vietnam time", "[calendar]") {
    const auto& cal = vn();
    // 01:00Z is 08:00 in Hanoi: inside the morning window, the arrival itself.
    CHECK(cal.in_business_hours(at("2026-11-25T01:00:00Z")));
    CHECK(receipt(cal, "2026-11-25T01:00:00Z") == "2026-11-25T08:00:00.000+07:00");
    // 23:00Z on the 24th is 06:00 on the 25th.
    CHECK(receipt(cal, "2026-11-24T23:00:00Z") == "2026-11-25T07:30:00.000+07:00");
    // 05:00-05:00 is 10:00Z, 17:00 in Hanoi: closed.
    CHECK(receipt(cal, "2026-11-25T05:00:00-05:00") == "2026-11-26T07:30:00.000+07:00");
    // Friday 23:30 +09:00 is Friday 21:30 in Hanoi.
    CHECK(receipt(cal, "2026-11-27T23:30:00+09:00") == "2026-11-30T07:30:00.000+07:00");
}

// ---- R-08: handling deadline = official receipt + 2 business hours ---------------------

TEST_CASE("R-08 deadline ending at a window's end is that end", "[calendar]") {
    const auto& cal = vn();
    CHECK(deadline(cal, "2026-11-25T09:30:00+07:00", 2h) == "2026-11-25T11:30:00.000+07:00");
    CHECK(deadline(cal, "2026-11-25T15:00:00+07:00", 2h) == "2026-11-25T17:00:00.000+07:00");
}

TEST_CASE("R-08 deadline across lunch", "[calendar]") {
    const auto& cal = vn();
    CHECK(deadline(cal, "2026-11-25T10:30:00+07:00", 2h) == "2026-11-25T14:30:00.000+07:00");
    CHECK(deadline(cal, "2026-11-25T11:29:59.999+07:00", 2h) == "2026-11-25T15:29:59.999+07:00");
    // Arriving at lunch: counting starts at 13:30.
    CHECK(deadline(cal, "2026-11-25T11:45:00+07:00", 2h) == "2026-11-25T15:30:00.000+07:00");
}

TEST_CASE("R-08 deadline across the night and the weekend", "[calendar]") {
    const auto& cal = vn();
    CHECK(deadline(cal, "2026-11-25T16:00:00+07:00", 2h) == "2026-11-26T08:30:00.000+07:00");
    CHECK(deadline(cal, "2026-11-25T18:00:00+07:00", 2h) == "2026-11-26T09:30:00.000+07:00");
    CHECK(deadline(cal, "2026-11-27T16:30:00+07:00", 2h) == "2026-11-30T09:00:00.000+07:00");
    CHECK(deadline(cal, "2026-11-28T10:00:00+07:00", 2h) == "2026-11-30T09:30:00.000+07:00");
}

TEST_CASE("R-08 deadline across holidays", "[calendar]") {
    const auto& cal = vn();
    CHECK(deadline(cal, "2026-04-29T16:00:00+07:00", 2h) == "2026-05-04T08:30:00.000+07:00");
    CHECK(deadline(cal, "2026-02-13T16:30:00+07:00", 2h) == "2026-02-23T09:00:00.000+07:00");
    // Through a make-up Saturday: Friday 25/4/2025 16:00 + 2h ends on Saturday 26/4.
    CHECK(deadline(cal, "2025-04-25T16:00:00+07:00", 2h) == "2025-04-26T08:30:00.000+07:00");
}

TEST_CASE("R-08 multi-day business sums", "[calendar]") {
    const auto& cal = vn();
    // A business day is 7h30. Monday 30/11/2026 07:30 + 16h: Monday, Tuesday, 1h on Wednesday.
    CHECK(deadline(cal, "2026-11-30T07:30:00+07:00", 16h) == "2026-12-02T08:30:00.000+07:00");
    CHECK(deadline(cal, "2026-11-30T07:30:00+07:00", 7h + 30min) ==
          "2026-11-30T17:00:00.000+07:00");
    CHECK(deadline(cal, "2026-11-30T07:30:00+07:00", 37h + 30min) ==
          "2026-12-04T17:00:00.000+07:00");  // a whole week
    // Zero: the official receipt itself.
    CHECK(deadline(cal, "2026-11-25T18:00:00+07:00", 0ms) == "2026-11-26T07:30:00.000+07:00");
    // A year of business time lands in the holidays-adjusted future without hanging.
    const auto far = cal.add_business(at("2025-01-02T07:30:00+07:00"), 2000h);
    CHECK(far > at("2026-01-01T00:00:00+07:00"));
    CHECK(cal.in_business_hours(far - 1ms));
}

TEST_CASE("R-08 add_business agrees with a minute-by-minute count", "[calendar]") {
    const auto& cal = vn();
    std::mt19937 rng(2026);
    const auto first = at("2024-12-20T00:00:00+07:00");
    std::uniform_int_distribution<int> start_minute(0, 3 * 365 * 24 * 60);
    std::uniform_int_distribution<int> amount_minutes(1, 900);
    for (int i = 0; i < 200; ++i) {
        const auto from = first + std::chrono::minutes(start_minute(rng));
        const int amount = amount_minutes(rng);
        // Reference: walk the clock a minute at a time, counting minutes inside windows.
        auto t = from;
        int counted = 0;
        while (counted < amount) {
            if (cal.in_business_hours(t)) {
                ++counted;
            }
            t += 1min;
        }
        INFO("from " << hub::format_instant(from) << " + " << amount << " min");
        CHECK(hub::format_instant(cal.add_business(from, std::chrono::minutes(amount))) ==
              hub::format_instant(t));
        // Splitting the amount does not change the answer.
        const int part = amount / 2 + 1;
        if (part < amount) {
            const auto mid = cal.add_business(from, std::chrono::minutes(part));
            CHECK(cal.add_business(mid, std::chrono::minutes(amount - part)) ==
                  cal.add_business(from, std::chrono::minutes(amount)));
        }
    }
}

// ---- The data file and from_proto ------------------------------------------------------

TEST_CASE("vn.json removes exactly 11 working days a year (Labour Code art. 112)", "[calendar]") {
    std::ifstream in(vn_path());
    REQUIRE(in);
    std::stringstream buf;
    buf << in.rdbuf();
    lienthong::v1::CalendarFile file;
    REQUIRE(google::protobuf::util::JsonStringToMessage(buf.str(), &file).ok());
    CHECK_FALSE(file.description().empty());
    std::map<int, int> net_days_off;
    for (const auto& h : file.holidays()) {
        INFO(h.date());
        CHECK_FALSE(h.name().empty());
        auto d = hub::parse_date(h.date());
        REQUIRE(d.has_value());
        // A listed holiday removes a working day, so it is never a Saturday or Sunday.
        CHECK(std::chrono::weekday{std::chrono::sys_days{*d}}.iso_encoding() <= 5);
        ++net_days_off[static_cast<int>(d->year())];
    }
    for (const auto& w : file.workdays()) {
        INFO(w.date());
        CHECK_FALSE(w.name().empty());
        auto d = hub::parse_date(w.date());
        REQUIRE(d.has_value());
        CHECK(std::chrono::weekday{std::chrono::sys_days{*d}}.iso_encoding() >= 6);
        --net_days_off[static_cast<int>(d->year())];
    }
    for (int year : {2025, 2026, 2027}) {
        INFO(year);
        CHECK(net_days_off[year] == 11);
    }
}

TEST_CASE("calendar from an in-test CalendarFile", "[calendar]") {
    auto file = standard_file();
    auto* saturday = file.add_windows();
    saturday->add_weekdays(6);
    saturday->set_start("08:00");
    saturday->set_end("11:00");
    add_day(file.mutable_holidays(), "2026-11-26");  // a Thursday off
    add_day(file.mutable_workdays(), "2026-11-29");  // a Sunday worked
    auto cal = BusinessCalendar::from_proto(file);
    REQUIRE(cal.has_value());

    CHECK(receipt(*cal, "2026-11-25T17:00:00+07:00") == "2026-11-27T07:30:00.000+07:00");
    CHECK(receipt(*cal, "2026-11-27T17:00:00+07:00") == "2026-11-28T08:00:00.000+07:00");
    CHECK(receipt(*cal, "2026-11-28T11:00:00+07:00") == "2026-11-29T07:30:00.000+07:00");
    CHECK(deadline(*cal, "2026-11-28T10:00:00+07:00", 2h) == "2026-11-29T08:30:00.000+07:00");
    CHECK(cal->windows_on(2026y / 11 / 28).size() == 1);
    CHECK(cal->windows_on(2026y / 11 / 29).size() == 2);  // Monday's windows
}

TEST_CASE("calendar windows may run to midnight and continue after it", "[calendar]") {
    lienthong::v1::CalendarFile file;
    auto* late = file.add_windows();
    late->add_weekdays(1);
    late->set_start("22:00");
    late->set_end("24:00");
    auto* early = file.add_windows();
    early->add_weekdays(2);
    early->set_start("00:00");
    early->set_end("02:00");
    auto cal = BusinessCalendar::from_proto(file);
    REQUIRE(cal.has_value());
    // Monday 30/11/2026 23:00 + 2h: one hour Monday, one hour Tuesday.
    CHECK(deadline(*cal, "2026-11-30T23:00:00+07:00", 2h) == "2026-12-01T01:00:00.000+07:00");
    CHECK(deadline(*cal, "2026-11-30T22:00:00+07:00", 2h) == "2026-12-01T00:00:00.000+07:00");
    CHECK(receipt(*cal, "2026-12-01T02:00:00+07:00") == "2026-12-07T22:00:00.000+07:00");
}

TEST_CASE("calendar without any reachable window falls back to the arrival", "[calendar]") {
    lienthong::v1::CalendarFile file;
    auto* w = file.add_windows();
    w->add_weekdays(1);
    w->set_start("08:00");
    w->set_end("09:00");
    // Every Monday from 2026 to 2029 is a holiday: nothing within the look-ahead.
    for (auto d = std::chrono::sys_days{2026y / 1 / 5}; d < std::chrono::sys_days{2030y / 1 / 1};
         d += std::chrono::days{7}) {
        add_day(file.mutable_holidays(), hub::format_date(std::chrono::year_month_day{d}));
    }
    auto cal = BusinessCalendar::from_proto(file);
    REQUIRE(cal.has_value());
    const auto t = at("2026-02-01T10:00:00+07:00");
    CHECK(cal->official_receipt(t) == t);
    CHECK(cal->add_business(t, 2h) == t + 2h);
}

TEST_CASE("calendar from_proto names the offending field", "[calendar]") {
    SECTION("bad HH:MM") {
        for (const char* bad : {"7:30", "07:60", "24:01", "25:00", "07-30", "", "07:30 "}) {
            INFO(bad);
            auto file = standard_file();
            file.mutable_windows(1)->set_start(bad);
            CHECK(from_proto_error(file).field == "windows[1].start");
        }
        auto file = standard_file();
        file.mutable_windows(0)->set_end("11:3O");
        CHECK(from_proto_error(file).field == "windows[0].end");
    }
    SECTION("end not after start") {
        auto file = standard_file();
        file.mutable_windows(1)->set_end("13:30");
        CHECK(from_proto_error(file).field == "windows[1].end");
    }
    SECTION("overlapping windows on a weekday") {
        auto file = standard_file();
        auto* extra = file.add_windows();
        extra->add_weekdays(6);
        extra->add_weekdays(3);
        extra->set_start("11:00");
        extra->set_end("12:00");
        CHECK(from_proto_error(file).field == "windows[2].weekdays[1]");
    }
    SECTION("touching windows do not overlap") {
        auto file = standard_file();
        auto* extra = file.add_windows();
        extra->add_weekdays(3);
        extra->set_start("11:30");
        extra->set_end("13:30");
        auto cal = BusinessCalendar::from_proto(file);
        REQUIRE(cal.has_value());
        CHECK(deadline(*cal, "2026-11-25T11:00:00+07:00", 1h) == "2026-11-25T12:00:00.000+07:00");
    }
    SECTION("weekdays out of 1..7 or missing") {
        auto file = standard_file();
        file.mutable_windows(0)->add_weekdays(8);
        CHECK(from_proto_error(file).field == "windows[0].weekdays[5]");
        auto zero = standard_file();
        zero.mutable_windows(1)->set_weekdays(0, 0);
        CHECK(from_proto_error(zero).field == "windows[1].weekdays[0]");
        auto none = standard_file();
        none.mutable_windows(1)->clear_weekdays();
        CHECK(from_proto_error(none).field == "windows[1].weekdays");
    }
    SECTION("no windows at all") {
        CHECK(from_proto_error(lienthong::v1::CalendarFile{}).field == "windows");
    }
    SECTION("impossible dates") {
        auto file = standard_file();
        for (const char* d : {"2026-01-01", "2026-04-30", "2026-09-02"}) {
            add_day(file.mutable_holidays(), d);
        }
        add_day(file.mutable_holidays(), "2026-02-30");
        CHECK(from_proto_error(file).field == "holidays[3].date");
        auto work = standard_file();
        add_day(work.mutable_workdays(), "2026/01/10");
        CHECK(from_proto_error(work).field == "workdays[0].date");
    }
    SECTION("a day both holiday and workday") {
        auto file = standard_file();
        add_day(file.mutable_holidays(), "2026-01-10");
        add_day(file.mutable_workdays(), "2026-01-10");
        CHECK(from_proto_error(file).field == "workdays[0].date");
    }
}

TEST_CASE("calendar load refuses unknown keys, bad JSON and missing files", "[calendar]") {
    const auto unknown =
        temp_file("unknown.json",
                  R"({"windows":[{"weekdays":[1],"start":"07:30","end":"11:30"}],"holyday":[]})");
    auto a = BusinessCalendar::load(unknown.string());
    REQUIRE_FALSE(a.has_value());
    CHECK(a.error().code == hub::errc::malformed);

    const auto broken = temp_file("broken.json", R"({"windows":[)");
    auto b = BusinessCalendar::load(broken.string());
    REQUIRE_FALSE(b.has_value());
    CHECK(b.error().code == hub::errc::malformed);

    const auto bad_time = temp_file(
        "badtime.json", R"({"windows":[{"weekdays":[1],"start":"07:30","end":"31:00"}]})");
    auto c = BusinessCalendar::load(bad_time.string());
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().field == "windows[0].end");

    auto d = BusinessCalendar::load(unknown.string() + ".missing");
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().code == hub::errc::malformed);

    const auto good = temp_file(
        "good.json", R"({"windows":[{"weekdays":[1,2,3,4,5],"start":"08:00","end":"12:00"}]})");
    auto e = BusinessCalendar::load(good.string());
    REQUIRE(e.has_value());
    CHECK(receipt(*e, "2026-11-25T07:30:00+07:00") == "2026-11-25T08:00:00.000+07:00");

    for (const auto& p : {unknown, broken, bad_time, good}) {
        std::filesystem::remove(p);
    }
}

TEST_CASE("default calendar is Monday-Friday 07:30-11:30 and 13:30-17:00", "[calendar]") {
    const auto cal = BusinessCalendar::defaults();
    const auto& monday = cal.windows_on(2026y / 11 / 30);
    REQUIRE(monday.size() == 2);
    CHECK(monday[0].start_minute == 450);
    CHECK(monday[0].end_minute == 690);
    CHECK(monday[1].start_minute == 810);
    CHECK(monday[1].end_minute == 1020);
    CHECK(cal.windows_on(2026y / 11 / 28).empty());
    CHECK(cal.windows_on(2026y / 11 / 29).empty());
    CHECK(cal.is_working_day(2026y / 4 / 30));  // no holidays by default
}
