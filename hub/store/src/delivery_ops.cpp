// Deliveries (one per recipient of an envelope) and the status events reported on them.

#include "ledger_ops.h"

namespace hub::ledger {

namespace {

constexpr const char* kDeliveryColumns =
    "d.delivery_id, d.envelope_seq, d.recipient, d.recipient_given, d.route, d.created_at, "
    "d.arrived_at, d.official_received_at, d.handling_deadline, d.state";

std::optional<Instant> optional_instant(const Statement& s, int index) {
    auto ms = s.column_optional_int64(index);
    if (!ms) {
        return std::nullopt;
    }
    return from_millis(*ms);
}

DeliveryRecord read_delivery(const Statement& s) {
    DeliveryRecord d;
    d.delivery_id = s.column_text(0);
    d.envelope_seq = s.column_int64(1);
    d.recipient = s.column_text(2);
    d.recipient_given = s.column_text(3);
    d.route = static_cast<lienthong::v1::Route>(s.column_int64(4));
    d.created_at = from_millis(s.column_int64(5));
    d.arrived_at = optional_instant(s, 6);
    d.official_received_at = optional_instant(s, 7);
    d.handling_deadline = optional_instant(s, 8);
    d.state = s.column_text(9);
    return d;
}

/// `rest` follows "FROM deliveries d".
template <class... Args>
Result<std::vector<DeliveryRecord>> select_deliveries(Db& db,
                                                      const std::string& rest,
                                                      const Args&... args) {
    std::vector<DeliveryRecord> out;
    auto st = sqlite::query(
        db, std::string("SELECT ") + kDeliveryColumns + " FROM deliveries d " + rest, args...);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(
        sqlite::for_each_row(**st, [&](Statement& row) { out.push_back(read_delivery(row)); }));
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

}  // namespace

Result<std::optional<DeliveryRecord>> get_delivery(Db& db, const std::string& delivery_id) {
    auto all = select_deliveries(db, "WHERE d.delivery_id = ?", delivery_id);
    if (!all) {
        return all.error();
    }
    if (all->empty()) {
        return std::optional<DeliveryRecord>();
    }
    return std::optional<DeliveryRecord>(std::move(all->front()));
}

Result<std::vector<DeliveryRecord>> deliveries_of(Db& db, std::int64_t envelope_seq) {
    return select_deliveries(db, "WHERE d.envelope_seq = ? ORDER BY d.position", envelope_seq);
}

Result<std::vector<DeliveryRecord>> deliveries_for_document(Db& db,
                                                            const std::string& document_id,
                                                            const std::string& recipient) {
    return select_deliveries(db,
                             "JOIN envelopes e ON e.seq = d.envelope_seq "
                             "WHERE e.document_id = ? AND d.recipient = ? ORDER BY d.envelope_seq",
                             document_id, recipient);
}

Result<std::vector<DeliveryRecord>> unarrived_deliveries(Db& db,
                                                         std::int64_t after_seq,
                                                         std::size_t limit) {
    return select_deliveries(db,
                             "WHERE d.arrived_at IS NULL AND d.envelope_seq > ? "
                             "ORDER BY d.envelope_seq, d.position LIMIT ?",
                             after_seq, limit);
}

Result<bool> record_arrival(Db& db,
                            const std::string& delivery_id,
                            Instant arrived_at,
                            Instant official_received_at,
                            Instant handling_deadline,
                            const std::optional<StatusRecord>& status_if_first) {
    // The WHERE makes the first call the only one that changes anything (exactly-once
    // effect of an ack, api.md).
    LEDGER_TRY(sqlite::execute(db,
                               "UPDATE deliveries SET arrived_at = ?, official_received_at = ?, "
                               "handling_deadline = ? WHERE delivery_id = ? AND arrived_at IS NULL",
                               to_millis(arrived_at), to_millis(official_received_at),
                               to_millis(handling_deadline), delivery_id));
    if (db.changes() == 0) {
        auto existing = get_delivery(db, delivery_id);
        if (!existing) {
            return existing.error();
        }
        if (!*existing) {
            return fail(errc::not_found, "delivery_id", "unknown delivery: " + delivery_id);
        }
        return false;
    }
    if (status_if_first) {
        StatusRecord status = *status_if_first;
        status.delivery_id = delivery_id;
        LEDGER_TRY(add_status(db, std::move(status), {}));
    }
    return true;
}

Result<void> add_status(Db& db, StatusRecord status, const StatusCheck& check) {
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
    LEDGER_TRY(sqlite::execute(
        db,
        "INSERT INTO status_events (status_id, delivery_id, envelope_seq, reporter, counterpart, "
        "code, description, staff, reported_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        status.status_id, status.delivery_id, (*delivery)->envelope_seq, status.from, status.to,
        status.code, status.description, sqlite::Blob{status.staff}, status.reported_at,
        to_millis(status.recorded_at)));
    return sqlite::execute(db, "UPDATE deliveries SET state = ? WHERE delivery_id = ?", status.code,
                           status.delivery_id);
}

Result<std::vector<StatusRecord>> statuses_of(Db& db, const std::string& delivery_id) {
    std::vector<StatusRecord> out;
    auto st = sqlite::query(db,
                            "SELECT status_id, delivery_id, envelope_seq, reporter, counterpart, "
                            "code, description, staff, reported_at, recorded_at "
                            "FROM status_events WHERE delivery_id = ? ORDER BY seq",
                            delivery_id);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& s) {
        StatusRecord r;
        r.status_id = s.column_text(0);
        r.delivery_id = s.column_text(1);
        r.envelope_seq = s.column_int64(2);
        r.from = s.column_text(3);
        r.to = s.column_text(4);
        r.code = s.column_text(5);
        r.description = s.column_text(6);
        r.staff = s.column_blob(7);
        r.reported_at = s.column_text(8);
        r.recorded_at = from_millis(s.column_int64(9));
        out.push_back(std::move(r));
    }));
    return out;
}

Result<std::vector<DeliveryRecord>> overdue_deliveries(Db& db, Instant now, std::size_t limit) {
    return select_deliveries(db,
                             "WHERE d.handling_deadline IS NOT NULL AND d.handling_deadline < ? "
                             "AND NOT EXISTS (SELECT 1 FROM status_events s WHERE "
                             "s.delivery_id = d.delivery_id AND s.code IN ('02', '03')) "
                             "ORDER BY d.handling_deadline LIMIT ?",
                             to_millis(now), limit);
}

}  // namespace hub::ledger
