#include "hub/core/time.h"

#include <cstdio>
#include <optional>

namespace hub {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::year_month_day;

// GCC 12's libstdc++ has neither chrono::parse nor chrono::format for these types, so a
// tiny cursor reads fixed-width fields; every parser insists on consuming the whole input.
class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool done() const { return pos_ == text_.size(); }
    std::optional<char> peek() const {
        return done() ? std::nullopt : std::optional<char>(text_[pos_]);
    }
    bool literal(char c) {
        if (done() || text_[pos_] != c) {
            return false;
        }
        ++pos_;
        return true;
    }
    /// Exactly `width` ASCII digits.
    bool digits(int width, int& out) {
        out = 0;
        for (int i = 0; i < width; ++i) {
            if (done() || text_[pos_] < '0' || text_[pos_] > '9') {
                return false;
            }
            out = out * 10 + (text_[pos_] - '0');
            ++pos_;
        }
        return true;
    }
    /// One or more digits, at most `max`; returns how many were read.
    int digit_run(int max, std::string_view& out) {
        const size_t start = pos_;
        while (!done() && pos_ - start < static_cast<size_t>(max) && text_[pos_] >= '0' &&
               text_[pos_] <= '9') {
            ++pos_;
        }
        out = text_.substr(start, pos_ - start);
        // A longer run than allowed is a shape error, not something to cut silently.
        if (!done() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            return -1;
        }
        return static_cast<int>(out.size());
    }

private:
    std::string_view text_;
    size_t pos_ = 0;
};

Failure time_error(std::string_view text, std::string_view expected) {
    return fail(errc::invalid_time, {},
                "'" + std::string(text) + "' is not " + std::string(expected));
}

std::optional<year_month_day> read_date(Cursor& in, char separator) {
    int y = 0;
    int m = 0;
    int d = 0;
    if (!in.digits(4, y) || !in.literal(separator) || !in.digits(2, m) || !in.literal(separator) ||
        !in.digits(2, d)) {
        return std::nullopt;
    }
    const year_month_day date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                              std::chrono::day{static_cast<unsigned>(d)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    return date;
}

std::optional<milliseconds> read_clock(Cursor& in) {
    int h = 0;
    int m = 0;
    int s = 0;
    if (!in.digits(2, h) || !in.literal(':') || !in.digits(2, m) || !in.literal(':') ||
        !in.digits(2, s)) {
        return std::nullopt;
    }
    // No leap seconds: they cannot be represented by sys_time and no sender needs them.
    if (h > 23 || m > 59 || s > 59) {
        return std::nullopt;
    }
    return hours{h} + minutes{m} + seconds{s};
}

std::string two(int v) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02d", v % 100);
    return buf;
}

struct Broken {
    year_month_day date;
    int hour;
    int minute;
    int second;
    int millis;
};

Broken split(std::chrono::local_time<milliseconds> local) {
    const auto day = std::chrono::floor<days>(local);
    const auto tod = local - day;
    const long long ms = tod.count();
    return Broken{year_month_day{day}, static_cast<int>(ms / 3'600'000),
                  static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60),
                  static_cast<int>(ms % 1000)};
}

}  // namespace

Result<Instant> parse_instant(std::string_view text) {
    constexpr std::string_view kShape = "an ISO 8601 instant with an offset";
    Cursor in(text);
    const auto date = read_date(in, '-');
    if (!date || !in.literal('T')) {
        return time_error(text, kShape);
    }
    const auto clock = read_clock(in);
    if (!clock) {
        return time_error(text, kShape);
    }
    milliseconds fraction{0};
    if (in.literal('.')) {
        std::string_view frac;
        if (in.digit_run(9, frac) <= 0) {
            return time_error(text, kShape);
        }
        // Truncate (never round) to milliseconds so an instant never moves forward.
        int ms = 0;
        for (size_t i = 0; i < 3; ++i) {
            ms = ms * 10 + (i < frac.size() ? frac[i] - '0' : 0);
        }
        fraction = milliseconds{ms};
    }
    minutes offset{0};
    if (in.literal('Z')) {
        // UTC
    } else if (in.peek() == '+' || in.peek() == '-') {
        const bool negative = in.peek() == '-';
        in.literal(*in.peek());
        int oh = 0;
        int om = 0;
        if (!in.digits(2, oh) || !in.literal(':') || !in.digits(2, om) || oh > 14 || om > 59) {
            return time_error(text, kShape);
        }
        offset = hours{oh} + minutes{om};
        if (negative) {
            offset = -offset;
        }
    } else {
        return time_error(text, kShape);
    }
    if (!in.done()) {
        return time_error(text, kShape);
    }
    const auto local = std::chrono::sys_days{*date} + *clock + fraction;
    return Instant{local - offset};
}

std::string format_instant(Instant t) {
    const Broken b = split(to_vietnam(t));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d+07:00",
                  static_cast<int>(b.date.year()), static_cast<unsigned>(b.date.month()),
                  static_cast<unsigned>(b.date.day()), b.hour, b.minute, b.second, b.millis);
    return buf;
}

Result<year_month_day> parse_date(std::string_view text) {
    Cursor in(text);
    const auto date = read_date(in, '-');
    if (!date || !in.done()) {
        return time_error(text, "a date yyyy-MM-dd");
    }
    return *date;
}

std::string format_date(year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
}

Result<year_month_day> parse_edxml_date(std::string_view text) {
    Cursor in(text);
    const auto date = read_date(in, '/');
    if (!date || !in.done()) {
        return time_error(text, "an edXML date yyyy/MM/dd");
    }
    return *date;
}

std::string format_edxml_date(year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d/%02u/%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
}

Result<Instant> parse_edxml_timestamp(std::string_view text) {
    constexpr std::string_view kShape = "an edXML timestamp yyyy/MM/dd HH:mm:ss";
    Cursor in(text);
    const auto date = read_date(in, '/');
    if (!date || !in.literal(' ')) {
        return time_error(text, kShape);
    }
    const auto clock = read_clock(in);
    if (!clock || !in.done()) {
        return time_error(text, kShape);
    }
    // edXML carries no zone; QCVN 102 senders write Vietnam wall time.
    return from_vietnam(std::chrono::local_days{*date} + *clock);
}

std::string format_edxml_timestamp(Instant t) {
    const Broken b = split(to_vietnam(t));
    return format_edxml_date(b.date) + ' ' + two(b.hour) + ':' + two(b.minute) + ':' +
           two(b.second);
}

std::chrono::local_time<milliseconds> to_vietnam(Instant t) {
    return std::chrono::local_time<milliseconds>{t.time_since_epoch() + kVietnamOffset};
}

Instant from_vietnam(std::chrono::local_time<milliseconds> t) {
    return Instant{t.time_since_epoch() - kVietnamOffset};
}

Result<Instant> parse_deadline(std::string_view text) {
    if (auto instant = parse_instant(text)) {
        return *instant;
    }
    auto day = parse_date(text);
    if (!day) {
        return day.error();
    }
    const auto next = std::chrono::local_days(*day) + std::chrono::days(1);
    return from_vietnam(std::chrono::local_time<std::chrono::milliseconds>(next));
}

}  // namespace hub
