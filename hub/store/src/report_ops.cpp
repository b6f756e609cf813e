// Period reports: per-agency figures and intake refusals, counted in SQL over one
// read snapshot. Which events each figure counts is said in hub/store/report.h.

#include "hub/store/report.h"
#include "lienthong/v1/envelope.pb.h"

#include <algorithm>
#include <map>

#include "ledger_ops.h"

namespace hub::ledger {

namespace {

// The audit actions of the two intake endpoints (intake.cpp, edxml_intake.cpp); an outcome
// other than OK or DUPLICATE is the error code of a refusal (api_common.cpp reject()).
constexpr const char* kRefusals =
    "SELECT actor, outcome, COUNT(*) FROM audit_log WHERE at >= ? AND at < ? "
    "AND action IN ('envelope.post', 'edxml.post') AND outcome NOT IN ('OK', 'DUPLICATE') "
    "GROUP BY actor, outcome ORDER BY actor, outcome";

// A delivery is handled by its first 02 or 03 (R-08, as awaiting_handling in hub/routing).
constexpr const char* kHandledBy =
    "EXISTS (SELECT 1 FROM status_events s WHERE s.delivery_id = d.delivery_id "
    "AND s.code IN ('02', '03') AND s.recorded_at <= d.handling_deadline)";

using Figures = std::map<std::string, AgencyFigures>;

AgencyFigures& of(Figures& figures, const std::string& code) {
    auto& f = figures[code];
    f.code = code;
    return f;
}

// Nearest rank: the smallest value with at least p% of the values at or below it.
std::int64_t percentile(const std::vector<std::int64_t>& sorted, int p) {
    const std::size_t rank = (sorted.size() * static_cast<std::size_t>(p) + 99) / 100;
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

Result<void> count_sent(Db& db, const ReportPeriod& period, Figures& figures) {
    // R-09's flag lives only in the signed header; parsing it keeps the schema as it is and
    // reads what the sender signed.
    auto st = sqlite::query(db,
                            "SELECT sender, header FROM envelopes WHERE accepted_at >= ? "
                            "AND accepted_at < ?",
                            to_millis(period.begin), to_millis(period.end));
    if (!st) {
        return st.error();
    }
    return sqlite::for_each_row(**st, [&](Statement& row) {
        auto& f = of(figures, row.column_text(0));
        ++f.sent;
        lienthong::v1::EnvelopeHeader header;
        if (header.ParseFromString(row.column_blob(1)) && header.paper_copy_follows()) {
            ++f.paper_copies;
        }
    });
}

Result<void> count_received(Db& db, const ReportPeriod& period, Figures& figures) {
    auto st = sqlite::query(db,
                            "SELECT recipient, COUNT(*) FROM deliveries WHERE arrived_at >= ? "
                            "AND arrived_at < ? GROUP BY recipient",
                            to_millis(period.begin), to_millis(period.end));
    if (!st) {
        return st.error();
    }
    return sqlite::for_each_row(**st, [&](Statement& row) {
        of(figures, row.column_text(0)).received = row.column_int64(1);
    });
}

Result<void> count_rejections(Db& db, const ReportPeriod& period, Figures& figures) {
    auto st = sqlite::query(db,
                            "SELECT e.sender, s.reporter FROM status_events s JOIN envelopes e "
                            "ON e.seq = s.envelope_seq WHERE s.code = '02' "
                            "AND s.recorded_at >= ? AND s.recorded_at < ?",
                            to_millis(period.begin), to_millis(period.end));
    if (!st) {
        return st.error();
    }
    return sqlite::for_each_row(**st, [&](Statement& row) {
        ++of(figures, row.column_text(0)).rejected_by_recipients;
        ++of(figures, row.column_text(1)).rejections_sent;
    });
}

// Rows of (agency, met by the deadline, deadline passed) for deadlines inside the period:
// met counts as on time, a passed deadline unmet as late, a pending one not at all.
Result<void> count_by_deadline(Db& db,
                               const std::string& sql,
                               const ReportPeriod& period,
                               Instant now,
                               std::int64_t AgencyFigures::*on_time,
                               std::int64_t AgencyFigures::*late,
                               Figures& figures) {
    auto st =
        sqlite::query(db, sql, to_millis(now), to_millis(period.begin), to_millis(period.end));
    if (!st) {
        return st.error();
    }
    return sqlite::for_each_row(**st, [&](Statement& row) {
        auto& f = of(figures, row.column_text(0));
        if (row.column_int64(1) != 0) {
            ++(f.*on_time);
        } else if (row.column_int64(2) != 0) {
            ++(f.*late);
        }
    });
}

Result<void> count_deadlines(Db& db, const ReportPeriod& period, Instant now, Figures& figures) {
    static const std::string kSql =
        std::string("SELECT d.recipient, ") + kHandledBy +
        ", d.handling_deadline < ? FROM deliveries d WHERE d.handling_deadline >= ? "
        "AND d.handling_deadline < ?";
    return count_by_deadline(db, kSql, period, now, &AgencyFigures::handled_on_time,
                             &AgencyFigures::overdue, figures);
}

Result<void> count_replies(Db& db, const ReportPeriod& period, Instant now, Figures& figures) {
    static const std::string kSql =
        std::string("SELECT d.recipient, ") + kReplyInTime +
        ", e.reply_deadline < ? FROM envelopes e JOIN deliveries d ON d.envelope_seq = e.seq "
        "WHERE e.reply_requested <> 0 AND e.reply_deadline IS NOT NULL "
        "AND e.reply_deadline >= ? AND e.reply_deadline < ?";
    return count_by_deadline(db, kSql, period, now, &AgencyFigures::replies_on_time,
                             &AgencyFigures::replies_late, figures);
}

Result<void> handling_times(Db& db, const ReportPeriod& period, Figures& figures) {
    // Statuses after the period cannot make a delivery's first one fall inside it, so they
    // are left out before grouping; the HAVING drops deliveries first handled earlier.
    auto st = sqlite::query(
        db,
        "SELECT d.recipient, MAX(MIN(s.recorded_at) - d.official_received_at, 0) AS ms "
        "FROM deliveries d JOIN status_events s ON s.delivery_id = d.delivery_id "
        "WHERE s.code IN ('02', '03') AND s.recorded_at < ? "
        "AND d.official_received_at IS NOT NULL "
        "GROUP BY d.delivery_id HAVING MIN(s.recorded_at) >= ? ORDER BY d.recipient, ms",
        to_millis(period.end), to_millis(period.begin));
    if (!st) {
        return st.error();
    }
    std::map<std::string, std::vector<std::int64_t>> samples;
    LEDGER_TRY(sqlite::for_each_row(
        **st, [&](Statement& row) { samples[row.column_text(0)].push_back(row.column_int64(1)); }));
    for (const auto& [code, times] : samples) {
        auto& f = of(figures, code);
        f.handled = static_cast<std::int64_t>(times.size());
        f.handling_median_ms = percentile(times, 50);
        f.handling_p90_ms = percentile(times, 90);
    }
    return {};
}

Result<std::vector<RefusalFigure>> refusals(Db& db, const ReportPeriod& period) {
    std::vector<RefusalFigure> out;
    auto st = sqlite::query(db, kRefusals, to_millis(period.begin), to_millis(period.end));
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
        out.push_back(RefusalFigure{row.column_text(0), row.column_text(1), row.column_int64(2)});
    }));
    return out;
}

Result<Report> report_in_snapshot(Db& db, const ReportPeriod& period, Instant now) {
    Figures figures;
    LEDGER_TRY(count_sent(db, period, figures));
    LEDGER_TRY(count_received(db, period, figures));
    LEDGER_TRY(count_rejections(db, period, figures));
    LEDGER_TRY(count_deadlines(db, period, now, figures));
    LEDGER_TRY(count_replies(db, period, now, figures));
    LEDGER_TRY(handling_times(db, period, figures));
    auto refused = refusals(db, period);
    if (!refused) {
        return refused.error();
    }
    Report out;
    out.period = period;
    out.refusals = std::move(*refused);
    out.agencies.reserve(figures.size());
    for (auto& [code, f] : figures) {
        // A delivery whose deadline is still ahead adds its recipient with nothing to show.
        const bool counted = f.sent != 0 || f.received != 0 || f.rejected_by_recipients != 0 ||
                             f.rejections_sent != 0 || f.handled_on_time != 0 || f.overdue != 0 ||
                             f.replies_on_time != 0 || f.replies_late != 0 || f.handled != 0;
        if (counted) {
            out.agencies.push_back(std::move(f));
        }
    }
    return out;
}

}  // namespace

Result<Report> report(Db& db, const ReportPeriod& period, Instant now) {
    if (period.end <= period.begin) {
        return fail(errc::malformed, "to", "the period ends before it begins");
    }
    // One read transaction: every figure sees the same commits, whatever the writer does
    // meanwhile.
    LEDGER_TRY(db.exec("BEGIN"));
    auto out = report_in_snapshot(db, period, now);
    db.release_statements();
    (void)db.exec(out ? "COMMIT" : "ROLLBACK");
    return out;
}

}  // namespace hub::ledger
