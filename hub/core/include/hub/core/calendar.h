#pragma once
/// Business calendar: weekly half-open windows in Vietnam time, public holidays
/// and make-up working days from a data file (proto lienthong.v1.CalendarFile, JSON).

#include "hub/core/result.h"
#include "hub/core/time.h"

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace lienthong::v1 {
class CalendarFile;
}

namespace hub {

class BusinessCalendar {
public:
    /// Minutes after local midnight, half-open [start, end).
    struct Window {
        int start_minute = 0;
        int end_minute = 0;
    };

    /// Monday-Friday 07:30-11:30 and 13:30-17:00, no holidays.
    static BusinessCalendar defaults();
    /// From a parsed file. Error: MALFORMED with the field (bad "HH:MM", bad date, end <= start,
    /// overlapping windows).
    static Result<BusinessCalendar> from_proto(const lienthong::v1::CalendarFile& file);
    /// Reads and parses a JSON file. Error: MALFORMED (unreadable, unknown key, bad value).
    static Result<BusinessCalendar> load(const std::string& path);

    /// True when the local date has business windows (a weekday that is not a holiday, or a
    /// make-up working day).
    bool is_working_day(std::chrono::year_month_day day) const;
    /// Windows of a local date (empty on a day off). Make-up days use Monday's windows.
    const std::vector<Window>& windows_on(std::chrono::year_month_day day) const;
    /// True when t lies inside a business window.
    bool in_business_hours(Instant t) const;

    /// t itself when inside business hours, otherwise the start of the next window.
    Instant official_receipt(Instant t) const;
    /// The instant `amount` of business time after `from` (counting only time inside windows).
    /// From outside business hours, counting starts at the next window.
    Instant add_business(Instant from, std::chrono::milliseconds amount) const;

private:
    /// A window on a given local day (days since the epoch).
    struct Slot {
        int day = 0;
        Window window;
    };
    /// Windows of a local day given as days since the epoch.
    const std::vector<Window>& day_windows(int day) const;
    /// The first window on `day` or later that ends after `tod_ms` (milliseconds after local
    /// midnight, only on `day` itself); false when none within the look-ahead (about 2 years).
    bool next_slot(int day, long long tod_ms, Slot& out) const;

    std::vector<Window> weekly_[7];  // index 0 = Monday
    std::set<int> holidays_;         // days since epoch
    std::set<int> workdays_;
};

}  // namespace hub
