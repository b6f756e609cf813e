#pragma once
/// Times (envelope.md "Times"): strict ISO 8601 instants in, `+07:00` with milliseconds out.

#include "hub/core/result.h"

#include <chrono>
#include <string>
#include <string_view>

namespace hub {

/// A UTC instant with millisecond precision.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

/// Vietnam's fixed offset (no daylight saving).
inline constexpr std::chrono::minutes kVietnamOffset{7 * 60};

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Fractions beyond milliseconds are
/// truncated. Error: INVALID_TIME (no offset, bad ranges, any other shape).
Result<Instant> parse_instant(std::string_view text);

/// `2026-11-25T14:03:07.250+07:00`.
std::string format_instant(Instant t);

/// `yyyy-MM-dd` (a real calendar date). Error: INVALID_TIME.
Result<std::chrono::year_month_day> parse_date(std::string_view text);
std::string format_date(std::chrono::year_month_day d);

/// edXML `yyyy/MM/dd`. Error: INVALID_TIME.
Result<std::chrono::year_month_day> parse_edxml_date(std::string_view text);
std::string format_edxml_date(std::chrono::year_month_day d);

/// edXML `yyyy/MM/dd HH:mm:ss`, zone-less, read as Vietnam time. Error: INVALID_TIME.
Result<Instant> parse_edxml_timestamp(std::string_view text);
std::string format_edxml_timestamp(Instant t);

/// A deadline written as an instant, or as a date meaning "by the end of that day" in Vietnam
/// time (the start of the next day). Error: INVALID_TIME.
Result<Instant> parse_deadline(std::string_view text);

/// Vietnam local wall time of an instant, and back.
std::chrono::local_time<std::chrono::milliseconds> to_vietnam(Instant t);
Instant from_vietnam(std::chrono::local_time<std::chrono::milliseconds> t);

}  // namespace hub
