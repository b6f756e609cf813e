// Late replies: recipients that did not answer, by the deadline, an envelope that asked
// for a reply. A reply is an envelope from the recipient whose in_reply_to names the document.

#include "ledger_ops.h"

namespace hub::ledger {

// Period reports count replies in time with this same rule (report_ops.cpp).
const char* const kReplyInTime =
    "EXISTS (SELECT 1 FROM envelope_replies r JOIN envelopes re "
    "ON re.seq = r.envelope_seq WHERE r.document_id = e.document_id "
    "AND re.sender = d.recipient AND re.seq > e.seq AND re.accepted_at <= e.reply_deadline)";

Result<std::vector<LateReply>> late_replies(Db& db, Instant now, std::size_t limit) {
    std::vector<LateReply> out;
    // A reply counts only when accepted after the envelope it answers (as the trace decides
    // replied_by) and no later than the deadline; a later reply leaves the delivery late.
    // The first WHERE terms match the partial index envelopes_by_reply_deadline.
    static const std::string kSql =
        std::string(
            "SELECT e.envelope_id, e.document_id, e.sender, d.recipient, "
            "d.recipient_given, e.reply_deadline FROM envelopes e JOIN deliveries d ON "
            "d.envelope_seq = e.seq WHERE e.reply_requested <> 0 AND e.reply_deadline IS "
            "NOT NULL AND e.reply_deadline < ? AND NOT ") +
        kReplyInTime + " ORDER BY e.reply_deadline, e.seq, d.position LIMIT ?";
    auto st = sqlite::query(db, kSql, to_millis(now), limit);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
        LateReply late;
        late.envelope_id = row.column_text(0);
        late.document_id = row.column_text(1);
        late.from = row.column_text(2);
        late.recipient = row.column_text(3);
        late.recipient_given = row.column_text(4);
        late.reply_deadline = from_millis(row.column_int64(5));
        out.push_back(std::move(late));
    }));
    return out;
}

}  // namespace hub::ledger
