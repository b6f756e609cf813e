// Envelopes, their attachments and reply links. (sender, envelope_id) is the idempotency
// key; the content digest decides between "the same envelope again" and a conflict.

#include <algorithm>

#include "ledger_ops.h"

namespace hub::ledger {

namespace {

constexpr const char* kEnvelopeColumns =
    "seq, sender, sender_given, envelope_id, document_id, business_type, header, signature, "
    "header_sha256, content_digest, receipt, accepted_at, reply_requested, reply_due, replaces, "
    "reply_deadline, warnings, edxml_package";

EnvelopeRecord read_envelope(const Statement& s) {
    EnvelopeRecord e;
    e.seq = s.column_int64(0);
    e.from = s.column_text(1);
    e.from_given = s.column_text(2);
    e.envelope_id = s.column_text(3);
    e.document_id = s.column_text(4);
    e.business_type = static_cast<lienthong::v1::BusinessType>(s.column_int64(5));
    e.header = s.column_blob(6);
    e.signature = s.column_blob(7);
    e.header_sha256 = s.column_text(8);
    e.content_digest = s.column_text(9);
    e.receipt = s.column_blob(10);
    e.accepted_at = from_millis(s.column_int64(11));
    e.reply_requested = s.column_int64(12) != 0;
    e.reply_due = s.column_text(13);
    e.replaces = s.column_text(14);
    e.reply_deadline = optional_instant(s, 15);
    const std::string warnings = s.column_text(16);
    for (std::size_t start = 0; start < warnings.size();) {
        const auto comma = std::min(warnings.find(',', start), warnings.size());
        e.warnings.push_back(warnings.substr(start, comma - start));
        start = comma + 1;
    }
    e.edxml_package = s.column_blob(17);
    return e;
}

/// Adds the reply links and attachments, which live in their own tables; inline attachment
/// bytes only `with_content`.
Result<void> complete(Db& db, EnvelopeRecord& e, bool with_content) {
    auto replies = sqlite::query(
        db, "SELECT document_id FROM envelope_replies WHERE envelope_seq = ? ORDER BY position",
        e.seq);
    if (!replies) {
        return replies.error();
    }
    LEDGER_TRY(sqlite::for_each_row(
        **replies, [&](Statement& row) { e.in_reply_to.push_back(row.column_text(0)); }));

    // The join only reaches attachment_content for inline rows, so BlobStore attachments
    // (possibly hundreds of MB elsewhere) never cost more than their metadata here.
    auto atts = sqlite::query(db,
                              "SELECT a.content_id, a.name, a.media_type, a.size, a.sha256, "
                              "a.role, a.description, a.in_ledger, c.bytes, c.sha256 IS NULL "
                              "FROM attachments a LEFT JOIN attachment_content c "
                              "ON a.in_ledger <> 0 AND c.sha256 = a.sha256 "
                              "WHERE a.envelope_seq = ? ORDER BY a.position",
                              e.seq);
    if (!atts) {
        return atts.error();
    }
    bool content_missing = false;
    LEDGER_TRY(sqlite::for_each_row(**atts, [&](Statement& row) {
        AttachmentRecord a;
        a.content_id = row.column_text(0);
        a.name = row.column_text(1);
        a.media_type = row.column_text(2);
        a.size = static_cast<std::uint64_t>(row.column_int64(3));
        a.sha256 = row.column_text(4);
        a.role = static_cast<lienthong::v1::AttachmentRole>(row.column_int64(5));
        a.description = row.column_text(6);
        a.inline_content = row.column_int64(7) != 0;
        if (a.inline_content && with_content) {
            a.content = row.column_blob(8);
            content_missing = content_missing || row.column_int64(9) != 0;
        }
        e.attachments.push_back(std::move(a));
    }));
    if (content_missing) {
        // Written in the same transaction as the row and never deleted: a bug or a damaged
        // file, not something a caller can work around.
        return fail(errc::internal, {},
                    "ledger: inline attachment content missing for envelope " + e.envelope_id);
    }
    return {};
}

/// Stores an inline attachment's bytes once per distinct digest; identical content in
/// other envelopes (a form letter sent to many) shares the row.
Result<void> store_inline_content(Db& db, const AttachmentRecord& a) {
    return sqlite::execute(db,
                           "INSERT INTO attachment_content (sha256, bytes) VALUES (?, ?) "
                           "ON CONFLICT (sha256) DO NOTHING",
                           a.sha256, sqlite::Blob{a.content});
}

/// Every envelope the query selects, completed. `where` follows "FROM envelopes".
template <class... Args>
Result<std::vector<EnvelopeRecord>> select_envelopes(Db& db,
                                                     bool with_content,
                                                     const std::string& rest,
                                                     const Args&... args) {
    std::vector<EnvelopeRecord> out;
    auto st = sqlite::query(
        db, std::string("SELECT ") + kEnvelopeColumns + " FROM envelopes " + rest, args...);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(
        sqlite::for_each_row(**st, [&](Statement& row) { out.push_back(read_envelope(row)); }));
    // Completed after the scan: the cached statements above must not be re-entered.
    for (auto& e : out) {
        LEDGER_TRY(complete(db, e, with_content));
    }
    return out;
}

template <class... Args>
Result<std::optional<EnvelopeRecord>> select_one(Db& db,
                                                 bool with_content,
                                                 const std::string& rest,
                                                 const Args&... args) {
    auto all = select_envelopes(db, with_content, rest + " LIMIT 1", args...);
    if (!all) {
        return all.error();
    }
    if (all->empty()) {
        return std::optional<EnvelopeRecord>();
    }
    return std::optional<EnvelopeRecord>(std::move(all->front()));
}

}  // namespace

namespace {

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        out += (out.empty() ? "" : ",") + w;
    }
    return out;
}

}  // namespace

Result<AcceptResult> accept_envelope(Db& db, const NewEnvelope& n) {
    AcceptResult result;
    {
        auto st = sqlite::query(db,
                                "SELECT seq, content_digest, receipt FROM envelopes WHERE sender = "
                                "? AND envelope_id = ?",
                                n.from, n.envelope_id);
        if (!st) {
            return st.error();
        }
        auto row = (*st)->step();
        if (!row) {
            return row.error();
        }
        if (*row) {
            if ((*st)->column_text(1) == n.content_digest) {
                result.outcome = AcceptResult::duplicate_same;
                result.envelope_seq = (*st)->column_int64(0);
                result.receipt_bytes = (*st)->column_blob(2);
            } else {
                result.outcome = AcceptResult::duplicate_conflict;
            }
        }
    }
    if (result.outcome == AcceptResult::duplicate_same) {
        auto deliveries = deliveries_of(db, result.envelope_seq);
        if (!deliveries) {
            return deliveries.error();
        }
        result.deliveries = std::move(*deliveries);
    }
    if (result.outcome != AcceptResult::created) {
        LEDGER_TRY(append_audits(db, n.audit));
        return result;
    }

    LEDGER_TRY(sqlite::execute(
        db,
        "INSERT INTO envelopes (sender, sender_given, envelope_id, document_id, business_type, "
        "header, signature, header_sha256, content_digest, receipt, accepted_at, "
        "reply_requested, reply_due, replaces, reply_deadline, warnings, edxml_package) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        n.from, n.from_given, n.envelope_id, n.document_id, static_cast<int>(n.business_type),
        sqlite::Blob{n.header}, sqlite::Blob{n.signature}, n.header_sha256, n.content_digest,
        sqlite::Blob{n.receipt}, to_millis(n.accepted_at), n.reply_requested, n.reply_due,
        n.replaces, to_millis(n.reply_deadline), joined(n.warnings),
        sqlite::Blob{n.edxml_package}));
    std::int64_t seq = db.last_insert_rowid();

    for (std::size_t i = 0; i < n.in_reply_to.size(); ++i) {
        LEDGER_TRY(sqlite::execute(
            db,
            "INSERT INTO envelope_replies (envelope_seq, position, document_id) VALUES (?, ?, ?)",
            seq, i, n.in_reply_to[i]));
    }
    for (std::size_t i = 0; i < n.attachments.size(); ++i) {
        const AttachmentRecord& a = n.attachments[i];
        if (a.inline_content) {
            LEDGER_TRY(store_inline_content(db, a));
        }
        LEDGER_TRY(sqlite::execute(db,
                                   "INSERT INTO attachments (envelope_seq, position, content_id, "
                                   "name, media_type, size, sha256, role, description, in_ledger) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   seq, i, a.content_id, a.name, a.media_type, a.size, a.sha256,
                                   static_cast<int>(a.role), a.description, a.inline_content));
    }
    for (std::size_t i = 0; i < n.deliveries.size(); ++i) {
        const NewDelivery& d = n.deliveries[i];
        LEDGER_TRY(sqlite::execute(db,
                                   "INSERT INTO deliveries (delivery_id, envelope_seq, position, "
                                   "recipient, recipient_given, route, created_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   d.delivery_id, seq, i, d.recipient, d.recipient_given,
                                   static_cast<int>(d.route), to_millis(n.accepted_at)));
        LEDGER_TRY(add_outbox_item(
            db, OutboxItem{0, d.delivery_id, "envelope", seq, d.recipient, n.accepted_at, 0},
            d.route == lienthong::v1::NATIONAL ? "national" : "inbox"));
        DeliveryRecord r;
        r.delivery_id = d.delivery_id;
        r.envelope_seq = seq;
        r.recipient = d.recipient;
        r.recipient_given = d.recipient_given;
        r.route = d.route;
        r.created_at = n.accepted_at;
        result.deliveries.push_back(std::move(r));
    }
    LEDGER_TRY(append_audits(db, n.audit));
    result.envelope_seq = seq;
    result.receipt_bytes = n.receipt;
    return result;
}

Result<std::optional<EnvelopeRecord>> find_envelope(Db& db,
                                                    const std::string& from,
                                                    const std::string& envelope_id) {
    return select_one(db, true, "WHERE sender = ? AND envelope_id = ?", from, envelope_id);
}

Result<std::optional<EnvelopeRecord>> find_envelope_for(Db& db,
                                                        const std::string& org,
                                                        const std::string& envelope_id) {
    return select_one(db, true,
                      "WHERE envelope_id = ? AND (sender = ? OR EXISTS (SELECT 1 FROM deliveries d "
                      "WHERE d.envelope_seq = envelopes.seq AND d.recipient = ?)) ORDER BY seq",
                      envelope_id, org, org);
}

Result<std::optional<EnvelopeRecord>> load_envelope(Db& db, std::int64_t seq, bool with_content) {
    return select_one(db, with_content, "WHERE seq = ?", seq);
}

Result<std::optional<std::string>> inline_content(Db& db, const std::string& sha256) {
    auto st = sqlite::query(db, "SELECT bytes FROM attachment_content WHERE sha256 = ?", sha256);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>((*st)->column_blob(0));
}

Result<bool> document_visible_to(Db& db, const std::string& document_id, const std::string& org) {
    return sqlite::has_row(db,
                           "SELECT 1 FROM envelopes e WHERE e.document_id = ? AND (e.sender = ? OR "
                           "EXISTS (SELECT 1 FROM deliveries d WHERE d.envelope_seq = e.seq AND "
                           "d.recipient = ?)) LIMIT 1",
                           document_id, org, org);
}

Result<bool> document_sent_by(Db& db, const std::string& document_id, const std::string& sender) {
    return sqlite::has_row(db,
                           "SELECT 1 FROM envelopes WHERE sender = ? AND document_id = ? LIMIT 1",
                           sender, document_id);
}

Result<std::vector<EnvelopeRecord>> envelopes_replying_to(Db& db, const std::string& document_id) {
    return select_envelopes(db, false,
                            "WHERE seq IN (SELECT envelope_seq FROM envelope_replies "
                            "WHERE document_id = ?) ORDER BY seq",
                            document_id);
}

Result<std::vector<EnvelopeRecord>> envelopes_acting_on(Db& db, const std::string& document_id) {
    return select_envelopes(db, false, "WHERE replaces = ? AND replaces <> '' ORDER BY seq",
                            document_id);
}

}  // namespace hub::ledger
