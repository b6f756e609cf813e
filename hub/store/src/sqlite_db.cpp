#include "hub/store/sqlite_db.h"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace hub::sqlite {

namespace {

Failure failure_of(sqlite3* db, int code, std::string_view what) {
    std::string message = "sqlite: ";
    message += what;
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    return fail(error_code_of(code), {}, std::move(message));
}

}  // namespace

errc error_code_of(int sqlite_code) noexcept {
    switch (sqlite_code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_NOMEM:
        case SQLITE_PROTOCOL:
            return errc::unavailable;
        case SQLITE_CONSTRAINT:
            // Only uniqueness is an expected conflict; other constraints are bugs.
            if (sqlite_code == SQLITE_CONSTRAINT_UNIQUE ||
                sqlite_code == SQLITE_CONSTRAINT_PRIMARYKEY) {
                return errc::duplicate_conflict;
            }
            return errc::internal;
        default:
            return errc::internal;
    }
}

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        db_ = std::exchange(other.db_, nullptr);
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void Statement::bind(int index, Blob blob) {
    // A zero-length blob must still be a blob, not NULL.
    sqlite3_bind_blob64(stmt_, index, blob.bytes.empty() ? "" : blob.bytes.data(),
                        blob.bytes.size(), SQLITE_TRANSIENT);
}

void Statement::bind(int index, std::nullptr_t) { sqlite3_bind_null(stmt_, index); }

void Statement::bind(int index, const std::optional<std::int64_t>& value) {
    if (value) {
        bind_int64(index, *value);
    } else {
        sqlite3_bind_null(stmt_, index);
    }
}

void Statement::bind_int64(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
}

Result<bool> Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    // The extended code (e.g. SQLITE_CONSTRAINT_UNIQUE) is what sqlite3_step returns with
    // extended result codes on, which Db::open turns on.
    Failure f = failure_of(db_, rc, sqlite3_sql(stmt_));
    sqlite3_reset(stmt_);
    return f;
}

Result<void> Statement::run() {
    for (;;) {
        auto r = step();
        if (!r) {
            return r.error();
        }
        if (!*r) {
            return {};
        }
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void Statement::finish() noexcept { sqlite3_reset(stmt_); }

std::int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
    const auto* p = sqlite3_column_text(stmt_, index);
    int n = sqlite3_column_bytes(stmt_, index);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

std::string Statement::column_blob(int index) const {
    const void* p = sqlite3_column_blob(stmt_, index);
    int n = sqlite3_column_bytes(stmt_, index);
    return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::column_optional_int64(int index) const {
    if (column_is_null(index)) {
        return std::nullopt;
    }
    return column_int64(index);
}

// ---- Db ----

Result<Db> Db::open(const std::string& path,
                    OpenMode mode,
                    std::chrono::milliseconds busy_timeout) {
    Db db;
    // NOMUTEX: each connection is confined to one thread at a time by its owner.
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= mode == OpenMode::read_only ? SQLITE_OPEN_READONLY
                                         : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        Failure f = failure_of(db.db_, rc, "open " + path);
        return f;
    }
    sqlite3_extended_result_codes(db.db_, 1);
    sqlite3_busy_timeout(db.db_, static_cast<int>(busy_timeout.count()));
    if (mode == OpenMode::read_write_create) {
        // journal_mode answers with a row; exec() discards it.
        if (auto r = db.exec("PRAGMA journal_mode=WAL"); !r) {
            return r.error();
        }
    }
    if (auto r = db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"); !r) {
        return r.error();
    }
    return db;
}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      cache_(std::move(other.cache_)),
      in_use_(std::move(other.in_use_)) {}

Db& Db::operator=(Db&& other) noexcept {
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        cache_ = std::move(other.cache_);
        in_use_ = std::move(other.in_use_);
    }
    return *this;
}

Db::~Db() { close(); }

void Db::close() noexcept {
    // Statements first: sqlite3_close refuses a connection with live statements.
    in_use_.clear();
    cache_.clear();
    if (db_ != nullptr) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
    }
}

Result<void> Db::exec(std::string_view sql) {
    std::string text(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        return fail(error_code_of(rc), {}, "sqlite: " + text.substr(0, 60) + ": " + detail);
    }
    return {};
}

Result<Statement> Db::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        return failure_of(db_, rc, "prepare " + std::string(sql.substr(0, 60)));
    }
    return Statement(db_, stmt);
}

Result<Statement*> Db::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        auto st = prepare(sql);
        if (!st) {
            return st.error();
        }
        it = cache_.emplace(std::string(sql), std::make_unique<Statement>(std::move(*st))).first;
    } else {
        it->second->reset();
    }
    in_use_.push_back(it->second.get());
    return it->second.get();
}

void Db::release_statements() noexcept {
    for (Statement* st : in_use_) {
        st->finish();
    }
    in_use_.clear();
}

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

bool Db::in_transaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

int Db::changes() const { return sqlite3_changes(db_); }

Result<int> Db::user_version() {
    auto st = prepare("PRAGMA user_version");
    if (!st) {
        return st.error();
    }
    auto row = st->step();
    if (!row) {
        return row.error();
    }
    return *row ? static_cast<int>(st->column_int64(0)) : 0;
}

Failure Db::last_failure(std::string_view what) const {
    return failure_of(db_, sqlite3_extended_errcode(db_), what);
}

// ---- migrations ----

Result<int> migrate(Db& db, std::span<const Migration> steps) {
    // IMMEDIATE: two processes opening the same file must not both apply a step.
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) {
        return r.error();
    }
    auto body = [&]() -> Result<int> {
        auto current = db.user_version();
        if (!current) {
            return current.error();
        }
        int newest = steps.empty() ? 0 : steps.back().version;
        if (*current > newest) {
            return fail(errc::internal, {},
                        "database schema version " + std::to_string(*current) +
                            " is newer than this program's " + std::to_string(newest));
        }
        int version = *current;
        for (const Migration& m : steps) {
            if (m.version <= version) {
                continue;
            }
            if (auto r = db.exec(m.sql); !r) {
                Failure f = r.error();
                f.message = "migration " + std::to_string(m.version) + ": " + f.message;
                return f;
            }
            version = m.version;
        }
        if (version != *current) {
            if (auto r = db.exec("PRAGMA user_version=" + std::to_string(version)); !r) {
                return r.error();
            }
        }
        return version;
    };
    auto result = body();
    if (!result) {
        (void)db.exec("ROLLBACK");
        return result;
    }
    if (auto r = db.exec("COMMIT"); !r) {
        (void)db.exec("ROLLBACK");
        return r.error();
    }
    return result;
}

}  // namespace hub::sqlite
