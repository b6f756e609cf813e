// Deliveries (one per recipient of an envelope): arrival and overdue queries. Status events
// are in status_ops.cpp.

#include "ledger_ops.h"

namespace hub::ledger {

namespace {

constexpr const char* kDeliveryColumns =
    "d.delivery_id, d.envelope_seq, d.recipient, d.recipient_given, d.route, d.created_at, "
    "d.arrived_at, d.official_received_at, d.handling_deadline, d.state";

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

Result<std::vector<DeliveryRecord>> overdue_deliveries(Db& db, Instant now, std::size_t limit) {
    return select_deliveries(db,
                             "WHERE d.handling_deadline IS NOT NULL AND d.handling_deadline < ? "
                             "AND NOT EXISTS (SELECT 1 FROM status_events s WHERE "
                             "s.delivery_id = d.delivery_id AND s.code IN ('02', '03')) "
                             "ORDER BY d.handling_deadline LIMIT ?",
                             to_millis(now), limit);
}

Result<std::int64_t> count_overdue(Db& db, Instant now) {
    auto count = sqlite::first_int64(db,
                                     "SELECT COUNT(*) FROM deliveries d WHERE d.handling_deadline "
                                     "IS NOT NULL AND d.handling_deadline < ? AND NOT EXISTS "
                                     "(SELECT 1 FROM status_events s WHERE s.delivery_id = "
                                     "d.delivery_id AND s.code IN ('02', '03'))",
                                     to_millis(now));
    if (!count) {
        return count.error();
    }
    return count->value_or(0);
}

}  // namespace hub::ledger
