// The audit log is a hash chain: each row stores SHA-256(prev_hash, its fields), so
// editing, inserting or deleting a row breaks every later link. Appends run only on the
// writer thread, so reading the last row and inserting the next cannot interleave.

#include "hub/core/digest.h"

#include "ledger_ops.h"

namespace hub::ledger {

namespace {

const std::string kGenesis(64, '0');

// Length prefixes keep field boundaries unambiguous ("ab"+"c" differs from "a"+"bc").
void put_field(std::string& out, std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
}

AuditEntry read_entry(const Statement& s) {
    AuditEntry e;
    e.seq = s.column_int64(0);
    e.record.at = from_millis(s.column_int64(1));
    e.record.actor = s.column_text(2);
    e.record.action = s.column_text(3);
    e.record.target = s.column_text(4);
    e.record.outcome = s.column_text(5);
    e.record.detail = s.column_text(6);
    e.prev_hash = s.column_text(7);
    e.hash = s.column_text(8);
    return e;
}

constexpr const char* kAuditColumns =
    "seq, at, actor, action, target, outcome, detail, prev_hash, hash";

}  // namespace

std::string audit_hash(const std::string& prev_hash, std::int64_t seq, const AuditRecord& r) {
    std::string buf;
    put_field(buf, prev_hash);
    put_field(buf, std::to_string(seq));
    put_field(buf, std::to_string(to_millis(r.at)));
    put_field(buf, r.actor);
    put_field(buf, r.action);
    put_field(buf, r.target);
    put_field(buf, r.outcome);
    put_field(buf, r.detail);
    return sha256_hex(buf);
}

Result<void> append_audit(Db& db, const AuditRecord& record) {
    std::int64_t seq = 1;
    std::string prev = kGenesis;
    {
        auto st = sqlite::query(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
        if (!st) {
            return st.error();
        }
        auto row = (*st)->step();
        if (!row) {
            return row.error();
        }
        if (*row) {
            seq = (*st)->column_int64(0) + 1;
            prev = (*st)->column_text(1);
        }
    }
    return sqlite::execute(db,
                           "INSERT INTO audit_log (seq, at, actor, action, target, outcome, "
                           "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           seq, to_millis(record.at), record.actor, record.action, record.target,
                           record.outcome, record.detail, prev, audit_hash(prev, seq, record));
}

Result<void> append_audits(Db& db, const std::vector<AuditRecord>& records) {
    for (const auto& r : records) {
        LEDGER_TRY(append_audit(db, r));
    }
    return {};
}

Result<std::vector<AuditEntry>> audit_entries(Db& db, std::int64_t after_seq, std::size_t limit) {
    std::vector<AuditEntry> out;
    auto st = sqlite::query(db,
                            std::string("SELECT ") + kAuditColumns +
                                " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                            after_seq, limit);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) { out.push_back(read_entry(row)); }));
    return out;
}

Result<AuditHead> audit_head(Db& db) {
    auto st = sqlite::query(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return AuditHead{0, kGenesis};
    }
    return AuditHead{(*st)->column_int64(0), (*st)->column_text(1)};
}

namespace {

// Walks rows in seq order and names the first break. A row edited in place fails its own
// hash; a row inserted or deleted with the later rows renumbered (seq is in the hash) fails
// its own hash too, but hashes as it would at seq - 1 or seq + 1, which tells them apart; a
// row rewritten with a recomputed hash breaks the next row's link to it.
class ChainWalk {
public:
    explicit ChainWalk(const AuditCheck& check) : check_(check), expected_seq_(check.from) {
        if (check.from <= 1) {
            expected_prev_ = kGenesis;
        }
    }

    void add(const AuditEntry& e) {
        if (!v_.ok) {
            return;
        }
        ++v_.entries;
        if (e.seq != expected_seq_) {
            return broken(e.seq, AuditBreak::deleted, expected_seq_,
                          "row " + std::to_string(expected_seq_) +
                              (e.seq - expected_seq_ > 1
                                   ? " to " + std::to_string(e.seq - 1) + " were deleted"
                                   : " was deleted"));
        }
        if (e.hash != audit_hash(e.prev_hash, e.seq, e.record)) {
            if (e.hash == audit_hash(e.prev_hash, e.seq - 1, e.record)) {
                return broken(e.seq, AuditBreak::inserted, e.seq - 1,
                              "a row was inserted at " + std::to_string(e.seq - 1) + " (row " +
                                  std::to_string(e.seq) + " was numbered " +
                                  std::to_string(e.seq - 1) + " when written)");
            }
            if (e.hash == audit_hash(e.prev_hash, e.seq + 1, e.record)) {
                return broken(e.seq, AuditBreak::deleted, e.seq,
                              "a row was deleted at " + std::to_string(e.seq) + " (row " +
                                  std::to_string(e.seq) + " was numbered " +
                                  std::to_string(e.seq + 1) + " when written)");
            }
            return broken(e.seq, AuditBreak::changed, e.seq,
                          "row " + std::to_string(e.seq) + " was changed");
        }
        if (expected_prev_ && e.prev_hash != *expected_prev_) {
            if (prev_ && e.prev_hash == prev_->prev_hash) {
                return broken(e.seq, AuditBreak::inserted, prev_->seq,
                              "row " + std::to_string(prev_->seq) + " was inserted");
            }
            return broken(
                e.seq, AuditBreak::changed, e.seq - 1,
                "row " + std::to_string(e.seq - 1) + " was changed (its hash recomputed)");
        }
        if (check_.head && e.seq == check_.head->seq && e.hash != check_.head->hash) {
            return broken(e.seq, AuditBreak::changed, e.seq,
                          "row " + std::to_string(e.seq) +
                              " differs from the recorded head: the chain up to it was rewritten");
        }
        expected_prev_ = e.hash;
        ++expected_seq_;
        prev_ = e;
        v_.last = AuditHead{e.seq, e.hash};
    }

    AuditVerification finish() {
        if (v_.ok && check_.head && v_.last.seq < check_.head->seq) {
            v_.ok = false;
            v_.kind = AuditBreak::cut;
            v_.culprit_seq = v_.last.seq + 1;
            v_.first_bad_seq = v_.last.seq + 1;
            v_.explanation = "rows " + std::to_string(v_.last.seq + 1) + " to " +
                             std::to_string(check_.head->seq) +
                             " are missing: the log was cut after row " +
                             std::to_string(v_.last.seq);
        }
        return v_;
    }

private:
    void broken(std::int64_t at, AuditBreak kind, std::int64_t culprit, std::string text) {
        v_.ok = false;
        v_.first_bad_seq = at;
        v_.kind = kind;
        v_.culprit_seq = culprit;
        v_.explanation = std::move(text);
    }

    AuditCheck check_;
    AuditVerification v_;
    std::int64_t expected_seq_;
    std::optional<std::string> expected_prev_;  // unknown at --from N > 1: taken on trust
    std::optional<AuditEntry> prev_;
};

}  // namespace

Result<AuditVerification> verify_audit_chain(Db& db, const AuditCheck& check) {
    ChainWalk walk(check);
    auto st = sqlite::query(
        db, std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE seq >= ? ORDER BY seq",
        check.from);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) { walk.add(read_entry(row)); }));
    auto v = walk.finish();
    if (v.last.hash.empty()) {
        v.last.hash = kGenesis;
    }
    return v;
}

}  // namespace hub::ledger
