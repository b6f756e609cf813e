// Versioned migrations: applied once, in order, in one transaction; never re-applied.

#include "hub/store/sqlite_db.h"

#include <sqlite3.h>

#include "unit/store/store_fixture.h"

using namespace store_test;
using hub::sqlite::Db;
using hub::sqlite::Migration;

namespace {

int raw_user_version(const std::string& path) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

Db open_db(const std::string& path) {
    auto db = Db::open(path, hub::sqlite::OpenMode::read_write_create, 5s);
    REQUIRE(db.has_value());
    return std::move(*db);
}

}  // namespace

TEST_CASE("migrations: the ledger's schema is applied once and kept on reopen",
          "[store][migration]") {
    LedgerFixture f;
    CHECK(f.ledger().schema_version() == hub::SqliteLedger::latest_schema_version());
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    f.reopen();
    CHECK(f.ledger().schema_version() == hub::SqliteLedger::latest_schema_version());
    CHECK(f.ok(f.ledger().find_envelope("H39.05", "e-1")).has_value());
    f.close();
    CHECK(raw_user_version(f.db_path()) == hub::SqliteLedger::latest_schema_version());
}

TEST_CASE("migrations: only the steps above the file's version run", "[store][migration]") {
    TempDir dir;
    std::string path = dir.path + "/m.db";
    const Migration two[] = {{1, "CREATE TABLE a (x INTEGER);"}, {2, "INSERT INTO a VALUES (1);"}};
    {
        Db db = open_db(path);
        auto v = hub::sqlite::migrate(db, two);
        REQUIRE(v.has_value());
        CHECK(*v == 2);
        REQUIRE(hub::sqlite::migrate(db, two).has_value());  // again: nothing runs
    }
    const Migration three[] = {{1, "CREATE TABLE a (x INTEGER);"},
                               {2, "INSERT INTO a VALUES (1);"},
                               {3, "INSERT INTO a VALUES (2);"}};
    Db db = open_db(path);
    auto v = hub::sqlite::migrate(db, three);
    REQUIRE(v.has_value());
    CHECK(*v == 3);
    auto st = db.prepare("SELECT count(*), sum(x) FROM a");
    REQUIRE(st.has_value());
    REQUIRE(st->step().value());
    CHECK(st->column_int64(0) == 2);  // step 2 ran once, step 3 once
    CHECK(st->column_int64(1) == 3);
}

TEST_CASE("migrations: a failing step leaves the file as it was", "[store][migration]") {
    TempDir dir;
    std::string path = dir.path + "/m.db";
    const Migration steps[] = {{1, "CREATE TABLE a (x INTEGER);"},
                               {2, "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);"}};
    Db db = open_db(path);
    auto v = hub::sqlite::migrate(db, steps);
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().message.find("migration 2") != std::string::npos);
    CHECK(db.user_version().value() == 0);
    CHECK_FALSE(db.prepare("SELECT * FROM a").has_value());  // step 1 rolled back too
}

TEST_CASE("migrations: a file from a newer program is refused", "[store][migration]") {
    LedgerFixture f;
    f.close();
    {
        Db db = open_db(f.db_path());
        REQUIRE(db.exec("PRAGMA user_version = 999").has_value());
    }
    hub::SqliteLedgerOptions options;
    options.path = f.db_path();
    f.log.set_level(hub::LogLevel::off);  // the refusal is logged as an error; expected here
    auto l = hub::SqliteLedger::open(options, f.log);
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().code == hub::errc::internal);
}
