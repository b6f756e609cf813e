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

Result<AuditVerification> verify_audit_chain(Db& db) {
    AuditVerification v;
    std::string expected_prev = kGenesis;
    std::int64_t expected_seq = 1;
    auto st =
        sqlite::query(db, std::string("SELECT ") + kAuditColumns + " FROM audit_log ORDER BY seq");
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
        if (!v.ok) {
            return;
        }
        AuditEntry e = read_entry(row);
        ++v.entries;
        bool links = e.seq == expected_seq && e.prev_hash == expected_prev &&
                     e.hash == audit_hash(e.prev_hash, e.seq, e.record);
        if (!links) {
            v.ok = false;
            v.first_bad_seq = e.seq;
            return;
        }
        expected_prev = e.hash;
        ++expected_seq;
    }));
    return v;
}

}  // namespace hub::ledger
