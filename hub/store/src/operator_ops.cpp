// Operator decisions about the hub itself: maintenance mode (api.md "Errors", MAINTENANCE).

#include "ledger_ops.h"

namespace hub::ledger {

Result<void> set_maintenance(Db& db, const MaintenanceState& state) {
    return sqlite::execute(db,
                           "INSERT INTO maintenance (id, active, notice, retry_after_s, "
                           "changed_at, changed_by) VALUES (1, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET active = excluded.active, "
                           "notice = excluded.notice, retry_after_s = excluded.retry_after_s, "
                           "changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                           state.on ? 1 : 0, state.notice, state.retry_after_s,
                           to_millis(state.changed_at), state.changed_by);
}

Result<MaintenanceState> maintenance(Db& db) {
    auto st = sqlite::query(db,
                            "SELECT active, notice, retry_after_s, changed_at, changed_by "
                            "FROM maintenance WHERE id = 1");
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    MaintenanceState state;
    if (*row) {
        state.on = (*st)->column_int64(0) != 0;
        state.notice = (*st)->column_text(1);
        state.retry_after_s = (*st)->column_int64(2);
        state.changed_at = from_millis((*st)->column_int64(3));
        state.changed_by = (*st)->column_text(4);
    }
    return state;
}

}  // namespace hub::ledger
