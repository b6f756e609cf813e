// Status events reported on deliveries. The StatusNotice owed to the other party is stored in
// the status row, and its outbox item is written by the same transaction, so a crash after
// the commit cannot lose it.

#include "ledger_ops.h"

namespace hub::ledger {

namespace {

constexpr const char* kStatusColumns =
    "seq, status_id, delivery_id, envelope_seq, reporter, counterpart, code, description, staff, "
    "reported_at, recorded_at, notice, "
    "COALESCE((SELECT o.done_at IS NOT NULL FROM outbox o WHERE o.item_id = status_id), 0), "
    "request_digest";

StatusRecord read_status(const Statement& s) {
    StatusRecord r;
    r.seq = s.column_int64(0);
    r.status_id = s.column_text(1);
    r.delivery_id = s.column_text(2);
    r.envelope_seq = s.column_int64(3);
    r.from = s.column_text(4);
    r.to = s.column_text(5);
    r.code = s.column_text(6);
    r.description = s.column_text(7);
    r.staff = s.column_blob(8);
    r.reported_at = s.column_text(9);
    r.recorded_at = from_millis(s.column_int64(10));
    r.notice = s.column_blob(11);
    r.notified = s.column_int64(12) != 0;
    r.request_digest = s.column_text(13);
    return r;
}

/// `rest` follows "FROM status_events".
template <class... Args>
Result<std::vector<StatusRecord>> select_statuses(Db& db,
                                                  const std::string& rest,
                                                  const Args&... args) {
    std::vector<StatusRecord> out;
    auto st = sqlite::query(
        db, std::string("SELECT ") + kStatusColumns + " FROM status_events " + rest, args...);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(
        sqlite::for_each_row(**st, [&](Statement& row) { out.push_back(read_status(row)); }));
    return out;
}

Result<std::vector<std::string>> recorded_codes(Db& db, const std::string& delivery_id) {
    std::vector<std::string> codes;
    auto st = sqlite::query(db, "SELECT code FROM status_events WHERE delivery_id = ? ORDER BY seq",
                            delivery_id);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(
        sqlite::for_each_row(**st, [&](Statement& row) { codes.push_back(row.column_text(0)); }));
    return codes;
}

// The first status the same reporter recorded with this request digest, if any.
Result<std::optional<StatusRecord>> repeated_report(Db& db, const StatusRecord& status) {
    if (status.request_digest.empty()) {
        return std::optional<StatusRecord>();
    }
    auto found =
        select_statuses(db, "WHERE reporter = ? AND request_digest = ? ORDER BY seq LIMIT 1",
                        status.from, status.request_digest);
    if (!found) {
        return found.error();
    }
    if (found->empty()) {
        return std::optional<StatusRecord>();
    }
    return std::optional<StatusRecord>(std::move(found->front()));
}

}  // namespace

Result<StatusOutcome> add_status(Db& db,
                                 StatusRecord status,
                                 const StatusCheck& check,
                                 const std::vector<AuditRecord>& audit) {
    auto repeated = repeated_report(db, status);
    if (!repeated) {
        return repeated.error();
    }
    if (*repeated) {
        return StatusOutcome{std::move(**repeated), false};
    }
    auto delivery = get_delivery(db, status.delivery_id);
    if (!delivery) {
        return delivery.error();
    }
    if (!*delivery) {
        return fail(errc::not_found, "delivery_id", "unknown delivery: " + status.delivery_id);
    }
    if (check) {
        auto codes = recorded_codes(db, status.delivery_id);
        if (!codes) {
            return codes.error();
        }
        LEDGER_TRY(check(*codes));
    }
    auto taken =
        sqlite::query(db, "SELECT 1 FROM status_events WHERE status_id = ?", status.status_id);
    if (!taken) {
        return taken.error();
    }
    auto row = (*taken)->step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        return fail(errc::duplicate_conflict, "status_id", "status id taken: " + status.status_id);
    }
    status.envelope_seq = (*delivery)->envelope_seq;
    LEDGER_TRY(sqlite::execute(
        db,
        "INSERT INTO status_events (status_id, delivery_id, envelope_seq, reporter, counterpart, "
        "code, description, staff, reported_at, recorded_at, notice, request_digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        status.status_id, status.delivery_id, status.envelope_seq, status.from, status.to,
        status.code, status.description, sqlite::Blob{status.staff}, status.reported_at,
        to_millis(status.recorded_at), sqlite::Blob{status.notice}, status.request_digest));
    status.seq = db.last_insert_rowid();
    status.notified = false;
    LEDGER_TRY(sqlite::execute(db, "UPDATE deliveries SET state = ? WHERE delivery_id = ?",
                               status.code, status.delivery_id));
    if (!status.notice.empty()) {
        LEDGER_TRY(add_outbox_item(
            db,
            OutboxItem{0, status.status_id, "status", status.seq, status.to, status.recorded_at, 0},
            status.notice_channel));
    }
    LEDGER_TRY(append_audits(db, audit));
    return StatusOutcome{std::move(status), true};
}

Result<std::optional<StatusRecord>> get_status(Db& db, const std::string& status_id) {
    auto all = select_statuses(db, "WHERE status_id = ?", status_id);
    if (!all) {
        return all.error();
    }
    if (all->empty()) {
        return std::optional<StatusRecord>();
    }
    return std::optional<StatusRecord>(std::move(all->front()));
}

Result<std::vector<StatusRecord>> statuses_of(Db& db, const std::string& delivery_id) {
    return select_statuses(db, "WHERE delivery_id = ? ORDER BY seq", delivery_id);
}

}  // namespace hub::ledger
