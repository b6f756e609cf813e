// The national directory cache (issue 8): replaced whole by each sync, so a code the axis
// dropped stops routing out at the next sync rather than lingering.

#include "ledger_ops.h"

namespace hub::ledger {

Result<void> replace_directory(Db& db, const std::vector<DirectoryEntry>& entries, Instant now) {
    LEDGER_TRY(sqlite::execute(db, "DELETE FROM national_directory"));
    for (const auto& entry : entries) {
        // A code listed twice (both forms of one agency) keeps its first entry.
        LEDGER_TRY(sqlite::execute(db,
                                   "INSERT INTO national_directory (code, code102, name, axis_id) "
                                   "VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                                   entry.code, entry.code102, entry.name, entry.axis_id));
    }
    return sqlite::execute(db,
                           "INSERT INTO directory_sync (id, synced_at) VALUES (1, ?) "
                           "ON CONFLICT (id) DO UPDATE SET synced_at = excluded.synced_at",
                           to_millis(now));
}

Result<DirectorySnapshot> load_directory(Db& db) {
    DirectorySnapshot snapshot;
    auto st = sqlite::query(db,
                            "SELECT code, code102, name, axis_id FROM national_directory "
                            "ORDER BY code");
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
        snapshot.entries.push_back(DirectoryEntry{row.column_text(0), row.column_text(1),
                                                  row.column_text(2), row.column_text(3)});
    }));
    auto synced = sqlite::query(db, "SELECT synced_at FROM directory_sync WHERE id = 1");
    if (!synced) {
        return synced.error();
    }
    auto row = (*synced)->step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        snapshot.synced_at = from_millis((*synced)->column_int64(0));
    }
    return snapshot;
}

}  // namespace hub::ledger
