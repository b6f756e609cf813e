#include "hub/core/calendar.h"

#include "lienthong/v1/calendar.pb.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace hub {
namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::milliseconds;

constexpr long long kMsPerMinute = 60'000;
// Longest search for a next window: beyond two years a calendar is broken, and the caller
// gets a usable answer instead of a hang.
constexpr int kLookAheadDays = 2 * 366 + 31;

const std::vector<BusinessCalendar::Window> kNoWindows;

int day_number(std::chrono::year_month_day d) {
    return static_cast<int>(local_days{d}.time_since_epoch().count());
}

/// Monday = 0 ... Sunday = 6.
int weekday_index(int day) {
    return static_cast<int>(std::chrono::weekday{local_days{days{day}}}.iso_encoding()) - 1;
}

struct LocalPoint {
    int day;
    long long tod_ms;
};

LocalPoint local_point(Instant t) {
    const auto local = to_vietnam(t);
    const auto day = std::chrono::floor<days>(local);
    return {static_cast<int>(day.time_since_epoch().count()), (local - day).count()};
}

Instant instant_at(int day, long long tod_ms) {
    return from_vietnam(std::chrono::local_time<milliseconds>{days{day}} + milliseconds{tod_ms});
}

/// "HH:MM", 00:00 to 24:00, as minutes after midnight; -1 when malformed.
int parse_hhmm(const std::string& text) {
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
        return -1;
    }
    const int h = (text[0] - '0') * 10 + (text[1] - '0');
    const int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) {
        return -1;
    }
    return h * 60 + m;
}

std::string indexed(const char* list, int i, const char* member) {
    return std::string(list) + '[' + std::to_string(i) + ']' + member;
}

}  // namespace

BusinessCalendar BusinessCalendar::defaults() {
    BusinessCalendar cal;
    for (int d = 0; d < 5; ++d) {
        cal.weekly_[d] = {{7 * 60 + 30, 11 * 60 + 30}, {13 * 60 + 30, 17 * 60}};
    }
    return cal;
}

Result<BusinessCalendar> BusinessCalendar::from_proto(const lienthong::v1::CalendarFile& file) {
    BusinessCalendar cal;
    if (file.windows_size() == 0) {
        return fail(errc::malformed, "windows", "a calendar needs at least one business window");
    }
    for (int i = 0; i < file.windows_size(); ++i) {
        const auto& w = file.windows(i);
        const int start = parse_hhmm(w.start());
        if (start < 0) {
            return fail(errc::malformed, indexed("windows", i, ".start"),
                        "'" + w.start() + "' is not a time HH:MM between 00:00 and 24:00");
        }
        const int end = parse_hhmm(w.end());
        if (end < 0) {
            return fail(errc::malformed, indexed("windows", i, ".end"),
                        "'" + w.end() + "' is not a time HH:MM between 00:00 and 24:00");
        }
        if (end <= start) {
            return fail(errc::malformed, indexed("windows", i, ".end"),
                        "a window must end after it starts");
        }
        if (w.weekdays_size() == 0) {
            return fail(errc::malformed, indexed("windows", i, ".weekdays"),
                        "a window needs at least one weekday");
        }
        for (int j = 0; j < w.weekdays_size(); ++j) {
            const int wd = w.weekdays(j);
            const std::string field =
                indexed("windows", i, ".weekdays") + '[' + std::to_string(j) + ']';
            if (wd < 1 || wd > 7) {
                return fail(errc::malformed, field, "weekdays are 1 (Monday) to 7 (Sunday)");
            }
            auto& list = cal.weekly_[wd - 1];
            for (const auto& other : list) {
                if (start < other.end_minute && other.start_minute < end) {
                    return fail(errc::malformed, field,
                                "window overlaps another window on the same weekday");
                }
            }
            list.push_back({start, end});
        }
    }
    for (auto& list : cal.weekly_) {
        std::sort(list.begin(), list.end(),
                  [](const Window& a, const Window& b) { return a.start_minute < b.start_minute; });
    }
    for (int i = 0; i < file.holidays_size(); ++i) {
        auto date = parse_date(file.holidays(i).date());
        if (!date) {
            return fail(errc::malformed, indexed("holidays", i, ".date"), date.error().message);
        }
        cal.holidays_.insert(day_number(*date));
    }
    for (int i = 0; i < file.workdays_size(); ++i) {
        auto date = parse_date(file.workdays(i).date());
        if (!date) {
            return fail(errc::malformed, indexed("workdays", i, ".date"), date.error().message);
        }
        const int day = day_number(*date);
        if (cal.holidays_.count(day) != 0) {
            return fail(errc::malformed, indexed("workdays", i, ".date"),
                        "the date is also listed as a holiday");
        }
        cal.workdays_.insert(day);
    }
    return cal;
}

Result<BusinessCalendar> BusinessCalendar::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(errc::malformed, {}, "cannot read calendar file " + path);
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    lienthong::v1::CalendarFile file;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;  // a misspelt key must not silently drop holidays
    const auto status = google::protobuf::util::JsonStringToMessage(buf.str(), &file, options);
    if (!status.ok()) {
        return fail(errc::malformed, {},
                    "calendar file " + path + ": " + std::string(status.message()));
    }
    return from_proto(file);
}

const std::vector<BusinessCalendar::Window>& BusinessCalendar::day_windows(int day) const {
    if (workdays_.count(day) != 0) {
        return weekly_[0];
    }
    if (holidays_.count(day) != 0) {
        return kNoWindows;
    }
    return weekly_[weekday_index(day)];
}

bool BusinessCalendar::next_slot(int day, long long tod_ms, Slot& out) const {
    // Make-up days borrow Monday's windows, so an empty week means no window ever.
    if (std::all_of(std::begin(weekly_), std::end(weekly_),
                    [](const std::vector<Window>& w) { return w.empty(); })) {
        return false;
    }
    for (int d = day; d <= day + kLookAheadDays; ++d) {
        for (const auto& w : day_windows(d)) {
            if (w.end_minute * kMsPerMinute > tod_ms) {
                out = {d, w};
                return true;
            }
        }
        tod_ms = -1;  // later days: every window qualifies
    }
    return false;
}

bool BusinessCalendar::is_working_day(std::chrono::year_month_day day) const {
    return !windows_on(day).empty();
}

const std::vector<BusinessCalendar::Window>& BusinessCalendar::windows_on(
    std::chrono::year_month_day day) const {
    return day_windows(day_number(day));
}

bool BusinessCalendar::in_business_hours(Instant t) const {
    const LocalPoint p = local_point(t);
    for (const auto& w : day_windows(p.day)) {
        if (w.start_minute * kMsPerMinute <= p.tod_ms && p.tod_ms < w.end_minute * kMsPerMinute) {
            return true;
        }
    }
    return false;
}

Instant BusinessCalendar::official_receipt(Instant t) const {
    const LocalPoint p = local_point(t);
    Slot slot;
    if (!next_slot(p.day, p.tod_ms, slot)) {
        return t;  // no business window at all: the arrival time is the best answer left
    }
    const long long start = slot.window.start_minute * kMsPerMinute;
    if (slot.day == p.day && start <= p.tod_ms) {
        return t;
    }
    return instant_at(slot.day, start);
}

Instant BusinessCalendar::add_business(Instant from, std::chrono::milliseconds amount) const {
    const Instant begin = official_receipt(from);
    if (amount <= milliseconds::zero()) {
        return begin;
    }
    LocalPoint p = local_point(begin);
    long long remaining = amount.count();
    // One step per window: a 2-hour deadline costs two or three steps, not minute loops.
    for (;;) {
        Slot slot;
        if (!next_slot(p.day, p.tod_ms, slot)) {
            return instant_at(p.day, p.tod_ms) + milliseconds{remaining};
        }
        const long long start = slot.window.start_minute * kMsPerMinute;
        const long long end = slot.window.end_minute * kMsPerMinute;
        const long long from_ms = slot.day == p.day ? std::max(start, p.tod_ms) : start;
        if (remaining <= end - from_ms) {
            // Ending exactly at a window's end returns that end (11:30), not the next opening.
            return instant_at(slot.day, from_ms + remaining);
        }
        remaining -= end - from_ms;
        p = {slot.day, end};
    }
}

}  // namespace hub
