#pragma once
/// A thin RAII layer over one SQLite connection: open with the hub's pragmas, run SQL,
/// prepared statements with typed binds, versioned migrations. Shared by the ledger and the
/// SQLite queue. sqlite3.h stays out: the handles are only forward-declared here.
///
/// A Db and its Statements belong to one thread at a time (the writer thread or one reader
/// thread); nothing here locks.

#include "hub/core/result.h"

#include <chrono>
#include <concepts>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace hub::sqlite {

/// A value to bind as a BLOB rather than TEXT.
struct Blob {
    std::string_view bytes;
};

/// One prepared statement. Moves, never copies; finalized on destruction.
class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    /// Binds parameter `index` (1-based). Binding errors surface at step().
    void bind(int index, std::string_view text);
    void bind(int index, const char* text) { bind(index, std::string_view(text)); }
    void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
    void bind(int index, Blob blob);
    void bind(int index, std::nullptr_t);
    void bind(int index, std::integral auto value) {
        bind_int64(index, static_cast<std::int64_t>(value));
    }
    void bind(int index, const std::optional<std::int64_t>& value);

    /// Binds every argument in order, starting at parameter 1.
    template <class... Args>
    void bind_all(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        (void)index;  // unused when there are no arguments
    }

    /// Advances: true when a row is ready, false when done. Error: UNAVAILABLE for busy/IO/full,
    /// DUPLICATE_CONFLICT for a UNIQUE/PRIMARY KEY violation, INTERNAL otherwise.
    Result<bool> step();
    /// Steps until done (for statements without rows).
    Result<void> run();
    /// Ready for new binds and a new run.
    void reset();
    /// Ends the current run (releasing its snapshot) but keeps the binds.
    void finish() noexcept;

    /// Column `index` (0-based) of the current row, converted by SQLite as needed.
    std::int64_t column_int64(int index) const;
    /// As UTF-8 text; empty for NULL.
    std::string column_text(int index) const;
    /// As bytes (may hold NULs); empty for NULL.
    std::string column_blob(int index) const;
    bool column_is_null(int index) const;
    /// NULL reads as nullopt.
    std::optional<std::int64_t> column_optional_int64(int index) const;

private:
    void bind_int64(int index, std::int64_t value);

    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

enum class OpenMode { read_write_create, read_only };

/// One connection. Opened in WAL mode with synchronous=FULL (every COMMIT is fsync'd),
/// foreign keys on and a busy timeout.
class Db {
public:
    /// Opens (and for read_write_create, creates) `path`. Error: UNAVAILABLE.
    static Result<Db> open(const std::string& path,
                           OpenMode mode,
                           std::chrono::milliseconds busy_timeout);

    Db(Db&& other) noexcept;
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    /// Runs one or more statements that return no rows.
    Result<void> exec(std::string_view sql);
    /// A new statement, owned by the caller.
    Result<Statement> prepare(std::string_view sql);
    /// A statement from this connection's cache, reset and unbound; valid until the Db dies.
    /// Do not fetch the same SQL again while iterating over its rows.
    Result<Statement*> cached(std::string_view sql);
    /// Resets every cached statement fetched since the last call. A statement left mid-scan
    /// would keep its read snapshot (stale reads, blocked checkpoints), so the writer and
    /// reader threads call this after each operation.
    void release_statements() noexcept;

    /// Rowid of the last INSERT on this connection.
    std::int64_t last_insert_rowid() const;
    /// Rows changed by the last INSERT/UPDATE/DELETE.
    int changes() const;
    /// True inside an open transaction. SQLite rolls a transaction back by itself on some
    /// errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, ...): this is how a caller notices.
    bool in_transaction() const;
    /// PRAGMA user_version.
    Result<int> user_version();

    /// The failure for the connection's last error, with `what` in the message.
    Failure last_failure(std::string_view what) const;

private:
    Db() = default;
    void close() noexcept;

    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
    std::vector<Statement*> in_use_;
};

/// Fetches `sql` from the cache, binds `args` and runs it to completion.
template <class... Args>
Result<void> execute(Db& db, std::string_view sql, const Args&... args) {
    auto st = db.cached(sql);
    if (!st) {
        return st.error();
    }
    (*st)->bind_all(args...);
    return (*st)->run();
}

/// Fetches `sql` from the cache and binds `args`; the caller steps through the rows.
template <class... Args>
Result<Statement*> query(Db& db, std::string_view sql, const Args&... args) {
    auto st = db.cached(sql);
    if (!st) {
        return st.error();
    }
    (*st)->bind_all(args...);
    return st;
}

/// True when `sql` with `args` yields at least one row.
template <class... Args>
Result<bool> has_row(Db& db, std::string_view sql, const Args&... args) {
    auto st = query(db, sql, args...);
    if (!st) {
        return st.error();
    }
    return (*st)->step();
}

/// The first column of the first row `sql` yields, as an integer; empty when there is no row
/// or the value is NULL.
template <class... Args>
Result<std::optional<std::int64_t>> first_int64(Db& db, std::string_view sql, const Args&... args) {
    auto st = query(db, sql, args...);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::int64_t>();
    }
    return (*st)->column_optional_int64(0);
}

/// Steps through the remaining rows of `st`, calling `fn(st)` for each.
template <class Fn>
Result<void> for_each_row(Statement& st, Fn&& fn) {
    for (;;) {
        auto row = st.step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return {};
        }
        fn(st);
    }
}

/// One schema step: applied once, in version order, when the database's user_version is
/// below `version`.
struct Migration {
    int version;
    const char* sql;
};

/// Applies the pending steps in one transaction and sets user_version to the last one.
/// Returns the resulting version. Error: INTERNAL when the file's version is newer than the
/// newest step (a newer program wrote it) or a step fails; UNAVAILABLE when the file is busy.
Result<int> migrate(Db& db, std::span<const Migration> steps);

/// Maps an SQLite result code to the hub's error code.
errc error_code_of(int sqlite_code) noexcept;

}  // namespace hub::sqlite
