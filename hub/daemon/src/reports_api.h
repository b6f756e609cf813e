#pragma once
// GET /admin/v1/reports: the period report, on the operator listener only (its
// dispatch refuses agency certificates before this is reached).

#include "hub/core/clock.h"
#include "hub/http/server.h"
#include "hub/store/ledger.h"

#include <boost/asio/awaitable.hpp>

namespace hub {

/// `?quarter=2026Q3`, or `?from=2026-07-01&to=2026-09-30` (Vietnam dates, both included), or
/// neither (the current quarter); `&format=json` (the default) or `csv`. Answers 200 with the
/// report; 400 MALFORMED naming the parameter; 405 for a method other than GET; the store's
/// failure otherwise. Reads on the ledger's reader threads; resumes on the caller's executor.
boost::asio::awaitable<http::Response> get_report(ReportStore& reports,
                                                  const Clock& clock,
                                                  http::Request request);

}  // namespace hub
