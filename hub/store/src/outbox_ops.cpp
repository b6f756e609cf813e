// The outbox: every item owed to a recipient, written by the transaction that creates it, and
// the embedded inbox served from it. Visibility (an item offered and not acked is hidden
// until its timeout) is a column, so a claim is one write: two polls of one recipient cannot
// both take an item, and what a restart forgets is only when to offer again.

#include "ledger_ops.h"

namespace hub::ledger {

Result<void> add_outbox_item(Db& db, const OutboxItem& item, const std::string& channel) {
    return sqlite::execute(
        db,
        "INSERT INTO outbox (item_id, kind, ref, recipient, channel, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        item.item_id, item.kind, item.ref, item.recipient, channel, to_millis(item.created_at));
}

namespace {

// What an item costs an inbox answer before its attachments: the bytes a recipient gets for
// it no matter what (attachments may go by reference; these cannot).
Result<std::int64_t> item_bytes(Db& db, const OutboxItem& item) {
    auto bytes =
        item.kind == "envelope"
            ? sqlite::first_int64(
                  db, "SELECT length(header) + length(signature) FROM envelopes WHERE seq = ?",
                  item.ref)
            : sqlite::first_int64(db, "SELECT length(notice) FROM status_events WHERE seq = ?",
                                  item.ref);
    if (!bytes) {
        return bytes.error();
    }
    return bytes->value_or(0);
}

constexpr const char* kItemColumns = "seq, item_id, kind, ref, recipient, created_at, attempts";

// A row whose columns are kItemColumns.
OutboxItem outbox_item(const Statement& row) {
    return OutboxItem{row.column_int64(0),
                      row.column_text(1),
                      row.column_text(2),
                      row.column_int64(3),
                      row.column_text(4),
                      from_millis(row.column_int64(5)),
                      static_cast<std::uint32_t>(row.column_int64(6))};
}

}  // namespace

Result<InboxClaim> claim_inbox(Db& db,
                               const std::string& recipient,
                               std::size_t max,
                               std::size_t max_bytes,
                               Instant now,
                               std::chrono::milliseconds visibility) {
    InboxClaim claim;
    std::vector<OutboxItem> candidates;
    {
        auto st = sqlite::query(db,
                                "SELECT seq, item_id, kind, ref, recipient, created_at, attempts "
                                "FROM outbox WHERE channel = 'inbox' AND recipient = ? "
                                "AND done_at IS NULL AND dead_at IS NULL AND visible_at <= ? "
                                "ORDER BY seq LIMIT ?",
                                recipient, to_millis(now), max);
        if (!st) {
            return st.error();
        }
        LEDGER_TRY(sqlite::for_each_row(
            **st, [&](Statement& row) { candidates.push_back(outbox_item(row)); }));
    }
    std::int64_t budget = static_cast<std::int64_t>(max_bytes);
    for (auto& item : candidates) {
        auto bytes = item_bytes(db, item);
        if (!bytes) {
            return bytes.error();
        }
        if (!claim.items.empty() && *bytes > budget) {
            break;
        }
        budget -= *bytes;
        LEDGER_TRY(sqlite::execute(
            db, "UPDATE outbox SET visible_at = ?, attempts = attempts + 1 WHERE seq = ?",
            to_millis(now + visibility), item.seq));
        item.attempt += 1;
        claim.items.push_back(std::move(item));
    }
    auto next = sqlite::first_int64(db,
                                    "SELECT MIN(visible_at) FROM outbox WHERE channel = 'inbox' "
                                    "AND recipient = ? AND done_at IS NULL AND visible_at > ?",
                                    recipient, to_millis(now));
    if (!next) {
        return next.error();
    }
    if (*next) {
        claim.next_visible_at = from_millis(**next);
    }
    return claim;
}

namespace {

struct OpenItem {
    std::string kind;
    bool done = false;
};

Result<std::optional<OpenItem>> inbox_item(Db& db,
                                           const std::string& recipient,
                                           const std::string& item_id) {
    auto st = sqlite::query(db,
                            "SELECT kind, done_at IS NOT NULL FROM outbox "
                            "WHERE item_id = ? AND recipient = ? AND channel = 'inbox'",
                            item_id, recipient);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<OpenItem>();
    }
    return std::optional<OpenItem>(OpenItem{(*st)->column_text(0), (*st)->column_int64(1) != 0});
}

}  // namespace

Result<bool> ack_item(Db& db,
                      const std::string& recipient,
                      const std::string& item_id,
                      Instant now,
                      const std::optional<Arrival>& arrival,
                      const AuditRecord& audit) {
    auto item = inbox_item(db, recipient, item_id);
    if (!item) {
        return item.error();
    }
    if (!*item) {
        // Items done before the outbox existed (schema 3) have no row: an ack of one of the
        // caller's own is a repeat, like any second ack.
        auto earlier = sqlite::has_row(
            db,
            "SELECT 1 FROM deliveries WHERE delivery_id = ?1 AND recipient = ?2 "
            "UNION ALL SELECT 1 FROM status_events WHERE status_id = ?1 AND counterpart = ?2",
            item_id, recipient);
        if (!earlier) {
            return earlier.error();
        }
        if (*earlier) {
            return false;
        }
        return fail(errc::not_found, "delivery_id", "no such item in this inbox: " + item_id);
    }
    if ((*item)->done) {
        return false;  // exactly-once effect of an ack (api.md)
    }
    if ((*item)->kind == "envelope") {
        if (!arrival) {
            return fail(errc::malformed, "delivery_id", "a delivery is acked with its arrival");
        }
        // The WHERE makes the first arrival the only one recorded, whatever the item says.
        LEDGER_TRY(sqlite::execute(
            db,
            "UPDATE deliveries SET arrived_at = ?, official_received_at = ?, "
            "handling_deadline = ? WHERE delivery_id = ? AND recipient = ? AND arrived_at IS NULL",
            to_millis(arrival->arrived_at), to_millis(arrival->official_received_at),
            to_millis(arrival->handling_deadline), item_id, recipient));
        if (db.changes() > 0) {
            StatusRecord status = arrival->status;
            status.delivery_id = item_id;
            auto added = add_status(db, std::move(status), {}, {});
            if (!added) {
                return added.error();
            }
        }
    }
    LEDGER_TRY(
        sqlite::execute(db, "UPDATE outbox SET done_at = ? WHERE item_id = ? AND done_at IS NULL",
                        to_millis(now), item_id));
    LEDGER_TRY(append_audit(db, audit));
    return true;
}

Result<std::vector<OutboxItem>> list_inbox(Db& db,
                                           const std::string& recipient,
                                           const std::string& kind,
                                           Instant from,
                                           Instant to,
                                           std::size_t max) {
    std::vector<OutboxItem> out;
    auto st = sqlite::query(db,
                            "SELECT seq, item_id, kind, ref, recipient, created_at, attempts "
                            "FROM outbox WHERE channel = 'inbox' AND recipient = ? "
                            "AND done_at IS NULL AND dead_at IS NULL AND kind = ? "
                            "AND created_at BETWEEN ? AND ? ORDER BY seq LIMIT ?",
                            recipient, kind, to_millis(from), to_millis(to), max);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(
        sqlite::for_each_row(**st, [&](Statement& row) { out.push_back(outbox_item(row)); }));
    return out;
}

Result<std::map<std::string, std::int64_t>> open_items(Db& db, const std::string& channel) {
    std::map<std::string, std::int64_t> out;
    auto st = sqlite::query(db,
                            "SELECT recipient, COUNT(*) FROM outbox "
                            "WHERE channel = ? AND done_at IS NULL GROUP BY recipient",
                            channel);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(
        **st, [&](Statement& row) { out[row.column_text(0)] = row.column_int64(1); }));
    return out;
}

// ---- relays ----
// A relay's claim is a lease like an inbox claim: a relay that dies mid-send leaves the item
// invisible only until the lease ends, and the attempt count says how often it was tried.

Result<std::vector<RelayItem>> claim_relay(Db& db,
                                           const std::string& channel,
                                           std::size_t max,
                                           Instant now,
                                           std::chrono::milliseconds lease) {
    std::vector<RelayItem> claimed;
    {
        auto st = sqlite::query(db,
                                std::string("SELECT ") + kItemColumns +
                                    ", last_error FROM outbox WHERE channel = ? "
                                    "AND relayed_at IS NULL AND done_at IS NULL "
                                    "AND dead_at IS NULL AND visible_at <= ? ORDER BY seq LIMIT ?",
                                channel, to_millis(now), max);
        if (!st) {
            return st.error();
        }
        LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
            claimed.push_back(RelayItem{outbox_item(row), row.column_text(7)});
        }));
    }
    for (auto& c : claimed) {
        LEDGER_TRY(sqlite::execute(
            db, "UPDATE outbox SET visible_at = ?, attempts = attempts + 1 WHERE seq = ?",
            to_millis(now + lease), c.item.seq));
        c.item.attempt += 1;
    }
    return claimed;
}

Result<std::size_t> release_leases(Db& db, const std::string& channel, Instant now) {
    LEDGER_TRY(sqlite::execute(db,
                               "UPDATE outbox SET visible_at = ?1 WHERE channel = ?2 "
                               "AND relayed_at IS NULL AND done_at IS NULL AND dead_at IS NULL "
                               "AND visible_at > ?1",
                               to_millis(now), channel));
    return static_cast<std::size_t>(db.changes());
}

Result<void> mark_relayed(Db& db,
                          const std::string& item_id,
                          const std::string& external_id,
                          Instant now) {
    // A national item is done once the axis holds it; a broker-carried one waits for its
    // recipient's ack, which closes it as for the embedded inbox.
    LEDGER_TRY(
        sqlite::execute(db,
                        "UPDATE outbox SET relayed_at = ?1, external_id = ?2, last_error = '', "
                        "done_at = CASE channel WHEN 'national' THEN ?1 ELSE done_at END "
                        "WHERE item_id = ?3 AND relayed_at IS NULL",
                        to_millis(now), external_id, item_id));
    if (db.changes() > 0) {
        return {};
    }
    auto known = sqlite::has_row(db, "SELECT 1 FROM outbox WHERE item_id = ?", item_id);
    if (!known) {
        return known.error();
    }
    if (!*known) {
        return fail(errc::not_found, "item_id", "no outbox item " + item_id);
    }
    return {};
}

Result<void> mark_relay_failed(Db& db,
                               const std::string& item_id,
                               const std::string& error,
                               Instant retry_at,
                               bool dead,
                               const AuditRecord& audit) {
    LEDGER_TRY(sqlite::execute(db,
                               "UPDATE outbox SET last_error = ?1, visible_at = ?2, "
                               "dead_at = CASE WHEN ?3 THEN ?2 ELSE NULL END "
                               "WHERE item_id = ?4 AND relayed_at IS NULL AND done_at IS NULL "
                               "AND dead_at IS NULL",
                               error, to_millis(retry_at), dead ? 1 : 0, item_id));
    if (db.changes() == 0) {
        return fail(errc::not_found, "item_id", "no open outbox item " + item_id);
    }
    if (dead) {
        LEDGER_TRY(append_audit(db, audit));
    }
    return {};
}

Result<std::vector<DeadLetter>> dead_letters(Db& db,
                                             const std::string& channel,
                                             std::size_t limit) {
    std::vector<DeadLetter> out;
    auto st = sqlite::query(db,
                            std::string("SELECT ") + kItemColumns +
                                ", channel, last_error, dead_at FROM outbox "
                                "WHERE dead_at IS NOT NULL AND done_at IS NULL "
                                "AND (?1 = '' OR channel = ?1) ORDER BY dead_at, seq LIMIT ?2",
                            channel, limit);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
        out.push_back(DeadLetter{outbox_item(row), row.column_text(7), row.column_text(8),
                                 from_millis(row.column_int64(9))});
    }));
    return out;
}

Result<std::string> retry_dead_letter(Db& db,
                                      const std::string& item_id,
                                      Instant now,
                                      const AuditRecord& audit) {
    auto channel = sqlite::query(db,
                                 "SELECT channel FROM outbox WHERE item_id = ? "
                                 "AND dead_at IS NOT NULL AND done_at IS NULL",
                                 item_id);
    if (!channel) {
        return channel.error();
    }
    auto row = (*channel)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return fail(errc::not_found, "item_id", "no dead letter " + item_id);
    }
    std::string name = (*channel)->column_text(0);
    LEDGER_TRY(sqlite::execute(
        db, "UPDATE outbox SET dead_at = NULL, attempts = 0, visible_at = ? WHERE item_id = ?",
        to_millis(now), item_id));
    LEDGER_TRY(append_audit(db, audit));
    return name;
}

Result<void> discard_dead_letter(Db& db,
                                 const std::string& item_id,
                                 const std::string& reason,
                                 Instant now,
                                 const AuditRecord& audit) {
    LEDGER_TRY(sqlite::execute(db,
                               "UPDATE outbox SET done_at = ?, last_error = ? WHERE item_id = ? "
                               "AND dead_at IS NOT NULL AND done_at IS NULL",
                               to_millis(now), reason, item_id));
    if (db.changes() == 0) {
        return fail(errc::not_found, "item_id", "no dead letter " + item_id);
    }
    LEDGER_TRY(append_audit(db, audit));
    return {};
}

Result<RelayBacklog> relay_backlog(Db& db, const std::string& channel) {
    auto st = sqlite::query(db,
                            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE channel = ? "
                            "AND relayed_at IS NULL AND done_at IS NULL AND dead_at IS NULL",
                            channel);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    RelayBacklog backlog;
    if (*row) {
        backlog.count = (*st)->column_int64(0);
        backlog.oldest = optional_instant(**st, 1);
    }
    return backlog;
}

}  // namespace hub::ledger
