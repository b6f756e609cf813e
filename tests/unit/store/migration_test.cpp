// Versioned migrations: applied once, in order, in one transaction; never re-applied.

#include "hub/store/ledger_schema.h"
#include "hub/store/sqlite_db.h"

#include <sqlite3.h>

#include <filesystem>

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

TEST_CASE("migrations: a ledger file of schema version 1 upgrades with its rows",
          "[store][migration]") {
    LedgerFixture f;
    f.close();
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(f.db_path() + suffix);
    }
    {
        // What the previous program created: the first step only, with rows written by it.
        Db db = open_db(f.db_path());
        auto v = hub::sqlite::migrate(db, hub::ledger::schema_steps().first(1));
        REQUIRE(v.has_value());
        REQUIRE(*v == 1);
        REQUIRE(db.exec("INSERT INTO envelopes (seq, sender, sender_given, envelope_id, "
                        "document_id, business_type, header, signature, header_sha256, "
                        "content_digest, receipt, accepted_at, reply_requested, reply_due) "
                        "VALUES (1, 'H39.05', '000.00.05.H39', 'e-old', 'doc-old', 0, x'00', "
                        "x'01', 'aa', 'digest', x'02', 1000, 1, '2026-11-26');"
                        "INSERT INTO deliveries (delivery_id, envelope_seq, position, recipient, "
                        "recipient_given, route, created_at) "
                        "VALUES ('d-old', 1, 0, 'H39.07', 'H39.07', 0, 1000);"
                        "INSERT INTO status_events (status_id, delivery_id, envelope_seq, "
                        "reporter, counterpart, code, recorded_at) "
                        "VALUES ('s-old', 'd-old', 1, 'H39.07', 'H39.05', '01', 2000);")
                    .has_value());
    }
    REQUIRE(raw_user_version(f.db_path()) == 1);

    f.open();
    CHECK(f.ledger().schema_version() == hub::SqliteLedger::latest_schema_version());
    CHECK(hub::SqliteLedger::latest_schema_version() > 1);
    auto old = f.ok(f.ledger().get_status("s-old"));
    REQUIRE(old.has_value());
    CHECK(old->code == "01");
    CHECK(old->notice.empty());
    CHECK_FALSE(old->notified);
    CHECK(old->seq == 1);
    // What the old file owed is in the outbox: the delivery not yet arrived; an old status
    // without a notice owes nothing.
    auto owed = f.ok(f.ledger().claim_inbox("H39.07", 10, 1 << 20, t0(), 1min));
    REQUIRE(owed.items.size() == 1);
    CHECK(owed.items[0].item_id == "d-old");
    CHECK(owed.items[0].ref == 1);
    CHECK(f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0(), 1min)).items.empty());
    auto envelope_old = f.ok(f.ledger().find_envelope("H39.05", "e-old"));
    REQUIRE(envelope_old.has_value());
    CHECK(envelope_old->reply_requested);
    CHECK_FALSE(envelope_old->reply_deadline.has_value());
    CHECK(f.ok(f.ledger().late_replies(t0() + 1000h, 10)).empty());  // no deadline to miss

    // The upgraded file takes the new columns, after the old rows.
    f.ok(f.ledger().accept_envelope(envelope("e-new")));
    auto fresh = status("s-new", "d-e-new-0", "01");
    fresh.notice = "notice bytes";
    f.ok(f.ledger().add_status(fresh, {}, {}));
    auto outbox = f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0(), 1min));
    REQUIRE(outbox.items.size() == 1);
    CHECK(outbox.items[0].item_id == "s-new");
    CHECK(outbox.items[0].ref > old->seq);
    f.close();
    CHECK(raw_user_version(f.db_path()) == hub::SqliteLedger::latest_schema_version());
}

TEST_CASE("migrations: a ledger file of schema version 2 upgrades to inline attachments",
          "[store][migration][inline]") {
    LedgerFixture f;
    f.close();
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(f.db_path() + suffix);
    }
    {
        // Version 2 knew only BlobStore attachments.
        Db db = open_db(f.db_path());
        auto v = hub::sqlite::migrate(db, hub::ledger::schema_steps().first(2));
        REQUIRE(v.has_value());
        REQUIRE(*v == 2);
        REQUIRE(db.exec("INSERT INTO envelopes (seq, sender, sender_given, envelope_id, "
                        "document_id, business_type, header, signature, header_sha256, "
                        "content_digest, receipt, accepted_at) "
                        "VALUES (1, 'H39.05', '000.00.05.H39', 'e-old', 'doc-old', 0, x'00', "
                        "x'01', 'aa', 'digest', x'02', 1000);"
                        "INSERT INTO attachments (envelope_seq, position, content_id, name, "
                        "media_type, size, sha256, role) VALUES (1, 0, 'main', 'a.pdf', "
                        "'application/pdf', 10, 'ab', 1);")
                    .has_value());
    }
    f.open();
    CHECK(f.ledger().schema_version() == hub::SqliteLedger::latest_schema_version());
    CHECK(hub::SqliteLedger::latest_schema_version() >= 3);
    auto old = f.ok(f.ledger().find_envelope("H39.05", "e-old"));
    REQUIRE(old.has_value());
    REQUIRE(old->attachments.size() == 1);
    CHECK_FALSE(old->attachments[0].inline_content);  // still read from the BlobStore
    CHECK(old->attachments[0].sha256 == "ab");

    auto fresh = envelope("e-new");
    fresh.attachments[0].inline_content = true;
    fresh.attachments[0].content = std::string("%PDF\0new", 8);
    fresh.attachments[0].sha256.clear();
    auto r = f.ok(f.ledger().accept_envelope(fresh));
    auto back = f.ok(f.ledger().load_envelope(r.envelope_seq));
    REQUIRE(back.has_value());
    CHECK(back->attachments.at(0).content == std::string("%PDF\0new", 8));
}

TEST_CASE("migrations: a version 3 ledger's owed deliveries and notices move to the outbox",
          "[store][migration][outbox]") {
    LedgerFixture f;
    f.close();
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(f.db_path() + suffix);
    }
    {
        Db db = open_db(f.db_path());
        auto v = hub::sqlite::migrate(db, hub::ledger::schema_steps().first(3));
        REQUIRE(v.has_value());
        REQUIRE(*v == 3);
        // Two envelopes to H39.07 (one arrived), one national delivery, and two notices for
        // H39.05 of which one was acked (notified) already.
        REQUIRE(db.exec("INSERT INTO envelopes (seq, sender, sender_given, envelope_id, "
                        "document_id, business_type, header, signature, header_sha256, "
                        "content_digest, receipt, accepted_at) VALUES "
                        "(1, 'H39.05', 'H39.05', 'e-1', 'doc-1', 0, x'00', x'01', 'aa', 'd1', "
                        "x'02', 1000), "
                        "(2, 'H39.05', 'H39.05', 'e-2', 'doc-2', 0, x'00', x'01', 'aa', 'd2', "
                        "x'02', 2000);"
                        "INSERT INTO deliveries (delivery_id, envelope_seq, position, recipient, "
                        "recipient_given, route, created_at, arrived_at) VALUES "
                        "('d-1', 1, 0, 'H39.07', 'H39.07', 1, 1000, 1500), "
                        "('d-2', 2, 0, 'H39.07', 'H39.07', 1, 2000, NULL), "
                        "('d-3', 2, 1, 'G22', 'G22', 2, 2000, NULL);"
                        "INSERT INTO status_events (status_id, delivery_id, envelope_seq, "
                        "reporter, counterpart, code, recorded_at, notice, notified) VALUES "
                        "('s-1', 'd-1', 1, 'H39.07', 'H39.05', '01', 1500, x'0a', 1), "
                        "('s-2', 'd-1', 1, 'H39.07', 'H39.05', '03', 1600, x'0b', 0);")
                    .has_value());
    }
    f.open();
    auto to_b = f.ok(f.ledger().claim_inbox("H39.07", 10, 1 << 20, t0(), 1min));
    REQUIRE(to_b.items.size() == 1);
    CHECK(to_b.items[0].item_id == "d-2");
    auto to_a = f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0(), 1min));
    REQUIRE(to_a.items.size() == 1);
    CHECK(to_a.items[0].item_id == "s-2");
    CHECK(f.ok(f.ledger().open_items("national")) ==
          std::map<std::string, std::int64_t>{{"G22", 1}});
    CHECK(f.ok(f.ledger().get_status("s-1"))->notified);
    CHECK_FALSE(f.ok(f.ledger().get_status("s-2"))->notified);
    // Acking again what arrived before the upgrade is a repeat, as it was; others' is not.
    hub::Arrival again{t0(), t0(), t0(), status("s-x", "d-1", "01")};
    CHECK_FALSE(
        f.ok(f.ledger().ack_item("H39.07", "d-1", t0(), again, f.audit_record("ack", "d-1"))));
    CHECK(f.failure(f.ledger().ack_item("H39.99", "d-1", t0(), again, f.audit_record("ack", "d-1")))
              .code == hub::errc::not_found);
}
