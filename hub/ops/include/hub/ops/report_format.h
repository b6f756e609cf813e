#pragma once
/// Period reports as operators ask for them and read them: the period in Vietnam
/// dates, and the ledger's figures rendered as JSON or CSV. Pure functions, any thread.

#include "hub/core/result.h"
#include "hub/core/time.h"
#include "hub/store/report.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hub::ops {

/// Vietnam calendar dates, both included.
struct ReportDates {
    std::chrono::year_month_day from;
    std::chrono::year_month_day to;
};

/// "2026Q3" is 2026-07-01..2026-09-30. Error: MALFORMED ("quarter").
Result<ReportDates> quarter_dates(std::string_view quarter);
/// The quarter holding `now`'s Vietnam date.
ReportDates quarter_of(Instant now);
/// What the caller asked for: a quarter, or from and to (yyyy-MM-dd, both or neither), or
/// neither (the quarter holding `now`). Error: MALFORMED ("quarter" with dates too, or
/// "from"/"to" for a missing or invalid date, or `to` before `from`).
Result<ReportDates> report_dates(const std::optional<std::string>& quarter,
                                 const std::optional<std::string>& from,
                                 const std::optional<std::string>& to,
                                 Instant now);
/// From 00:00 +07:00 on `from` to 00:00 +07:00 the day after `to`.
ReportPeriod period_of(const ReportDates& dates);

/// {"from", "to", "begin", "end", "agencies": [{code, sent, ...}], "refusals": [{agency,
/// code, count}]}; handling times in milliseconds, null when nothing was handled.
std::string report_json(const Report& report, const ReportDates& dates);
/// Two tables separated by an empty line, each with a header row: the agencies (the JSON
/// fields in the same order, empty for no handling time), then agency,error_code,count.
std::string report_csv(const Report& report);

}  // namespace hub::ops
