#pragma once
/// The calendar shipped in deploy/calendar/vn.json, compiled in so that the daemon and the
/// CLI have the official schedule without knowing where the source tree is.

#include "hub/core/calendar.h"

#include <string_view>

namespace hub {

/// The JSON text of deploy/calendar/vn.json as of the build.
std::string_view default_calendar_json() noexcept;

/// `path` when given, else the compiled-in calendar. Error: MALFORMED (see
/// BusinessCalendar::load).
Result<BusinessCalendar> load_calendar_or_default(const std::string& path);

}  // namespace hub
