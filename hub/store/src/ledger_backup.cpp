#include "hub/store/ledger_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "ledger_ops.h"

namespace hub {

namespace {

Failure sqlite_failure(sqlite3* db, const std::string& what) {
    return fail(errc::unavailable, "",
                what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Handle = std::unique_ptr<sqlite3, Closer>;

Result<Handle> open_raw(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Handle db(raw);
    if (rc != SQLITE_OK) {
        return sqlite_failure(raw, "open " + path);
    }
    sqlite3_busy_timeout(raw, 5000);
    return db;
}

Result<void> exec(sqlite3* db, const char* sql, const std::string& what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        return sqlite_failure(db, what);
    }
    return {};
}

Result<void> fsync_path(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return fail(errc::unavailable, "", "fsync " + path);
    }
    ::close(fd);
    return {};
}

}  // namespace

Result<void> backup_ledger(const std::string& ledger_path,
                           const std::string& out_path,
                           const BackupProgress& progress,
                           int pages_per_step) {
    if (std::filesystem::exists(out_path)) {
        return fail(errc::duplicate_conflict, "", out_path + " exists");
    }
    // Read-write (not read-only) so SQLite can use the hub's WAL index (-shm) as a peer; this
    // connection itself only reads.
    auto source = open_raw(ledger_path, SQLITE_OPEN_READWRITE);
    if (!source) {
        return source.error();
    }
    auto dest = open_raw(out_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!dest) {
        return dest.error();
    }
    // One read transaction for the whole copy: every step reads the same snapshot, so the hub's
    // commits meanwhile neither block the copy nor restart it, and the copy is consistent.
    if (auto r = exec(source->get(), "BEGIN; SELECT count(*) FROM sqlite_master;", "snapshot");
        !r) {
        return r.error();
    }
    sqlite3_backup* backup = sqlite3_backup_init(dest->get(), "main", source->get(), "main");
    if (backup == nullptr) {
        return sqlite_failure(dest->get(), "backup init");
    }
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        rc = sqlite3_backup_step(backup, pages_per_step);
        if (progress) {
            const int total = sqlite3_backup_pagecount(backup);
            progress(total - sqlite3_backup_remaining(backup), total);
        }
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            sqlite3_sleep(10);
        }
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
        return sqlite_failure(dest->get(), "backup step");
    }
    (void)exec(source->get(), "COMMIT", "end snapshot");
    // The copy is a rollback-journal file of its own; make it a plain, closed file on disk.
    if (auto r = exec(dest->get(), "PRAGMA journal_mode=DELETE", "journal mode"); !r) {
        return r.error();
    }
    dest->reset();
    return fsync_path(out_path);
}

Result<LedgerSummary> summarize_ledger(const std::string& path) {
    auto db = sqlite::Db::open(path, sqlite::OpenMode::read_only, std::chrono::milliseconds(5000));
    if (!db) {
        return db.error();
    }
    LedgerSummary s;
    auto version = db->user_version();
    if (!version) {
        return version.error();
    }
    s.schema_version = *version;
    if (s.schema_version < 3) {
        return fail(errc::internal, "", path + " is not a lienthong ledger of schema 3 or later");
    }
    const auto count = [&](const char* sql, std::int64_t& out) -> Result<void> {
        auto n = sqlite::first_int64(*db, sql);
        if (!n) {
            return n.error();
        }
        out = n->value_or(0);
        return {};
    };
    LEDGER_TRY(count("SELECT count(*) FROM envelopes", s.envelopes));
    LEDGER_TRY(count("SELECT count(*) FROM deliveries", s.deliveries));
    LEDGER_TRY(count("SELECT count(*) FROM status_events", s.statuses));
    LEDGER_TRY(count("SELECT count(*) FROM audit_log", s.audit_rows));
    auto head = ledger::audit_head(*db);
    if (!head) {
        return head.error();
    }
    s.audit_head = *head;
    auto st = sqlite::query(
        *db, "SELECT DISTINCT sha256 FROM attachments WHERE in_ledger = 0 ORDER BY sha256");
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(
        **st, [&](sqlite::Statement& row) { s.blobs.push_back(row.column_text(0)); }));
    return s;
}

}  // namespace hub
