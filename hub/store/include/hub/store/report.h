#pragma once
/// What a period report counts, as the ledger answers it. Each figure is decided
/// by events stamped inside the period, or by deadlines falling inside it (judged only by
/// events at or before the deadline), so the report of a period that has ended never
/// changes: nothing recorded later can move a figure.

#include "hub/core/time.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hub {

/// A half-open interval of instants [begin, end).
struct ReportPeriod {
    Instant begin;
    Instant end;
};

/// One agency's figures over a period. Codes are canonical.
struct AgencyFigures {
    std::string code;
    /// Envelopes accepted from it (accepted_at in the period).
    std::int64_t sent = 0;
    /// Of those, the ones announcing a paper copy.
    std::int64_t paper_copies = 0;
    /// Deliveries to it that it acknowledged (arrived_at in the period).
    std::int64_t received = 0;
    /// 02 statuses about documents it sent (recorded in the period).
    std::int64_t rejected_by_recipients = 0;
    /// 02 statuses it reported (recorded in the period).
    std::int64_t rejections_sent = 0;
    /// Deliveries to it whose handling deadline falls in the period and that got a 02
    /// or 03 at or before it.
    std::int64_t handled_on_time = 0;
    /// Deliveries to it whose handling deadline falls in the period, has passed at the
    /// report's `now`, and got no 02 or 03 by then (a later one does not help).
    std::int64_t overdue = 0;
    /// Deliveries to it of envelopes asking for a reply whose deadline falls in the period,
    /// answered in time (R-13, the rule of late_replies).
    std::int64_t replies_on_time = 0;
    /// The same, not answered in time, the deadline being past at `now`.
    std::int64_t replies_late = 0;
    /// Deliveries to it whose first 02 or 03 was recorded in the period: how many, and the
    /// median and 90th percentile (nearest rank) of the elapsed time from official receipt
    /// to that status. Elapsed wall time, not business time: the business calendar
    /// may change later, the ledger's instants do not. Empty when there are none.
    std::int64_t handled = 0;
    std::optional<std::int64_t> handling_median_ms;
    std::optional<std::int64_t> handling_p90_ms;
};

/// Intake refusals (POST /v1/envelopes and /v1/edxml answered with an error and audited) of
/// one caller, by error code. `agency` is the audit actor: a canonical code, or "cert:..."
/// for a certificate the registry does not know.
struct RefusalFigure {
    std::string agency;
    std::string code;  ///< hub::errc name, e.g. "MALFORMED"
    std::int64_t count = 0;
};

/// A period report: agencies with at least one non-zero figure, by code; refusals by agency
/// then code.
struct Report {
    ReportPeriod period;
    std::vector<AgencyFigures> agencies;
    std::vector<RefusalFigure> refusals;
};

}  // namespace hub
