// Group commit: writes that queue while a batch runs share its successor's single COMMIT,
// and one write's failure rolls back only that write.

#include "hub/store/group_commit.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <set>

#include "unit/store/store_fixture.h"

using namespace store_test;
namespace asio = boost::asio;
using hub::sqlite::Db;

namespace {

void rethrow(std::exception_ptr e) {
    if (e) {
        std::rethrow_exception(e);
    }
}

asio::awaitable<void> insert_key(hub::sqlite::GroupCommitWriter& writer,
                                 std::string key,
                                 hub::Result<void>& out) {
    hub::sqlite::WriteFn<void> op = [key](Db& db) {
        return hub::sqlite::execute(db, "INSERT INTO t (k) VALUES (?)", key);
    };
    out = co_await writer.write<void>(std::move(op));
}

/// Holds the writer thread inside a batch until `release` is set, so later writes queue.
asio::awaitable<void> hold_writer(hub::sqlite::GroupCommitWriter& writer,
                                  std::shared_ptr<std::promise<void>> running,
                                  std::shared_future<void> release,
                                  hub::Result<void>& out) {
    hub::sqlite::WriteFn<void> op = [running, release](Db& db) {
        running->set_value();
        release.wait();
        return hub::sqlite::execute(db, "INSERT INTO t (k) VALUES ('holder')");
    };
    out = co_await writer.write<void>(std::move(op));
}

struct WriterFixture {
    TempDir dir;
    hub::Logger log{hub::LogLevel::warn};
    asio::io_context io;
    std::unique_ptr<hub::sqlite::GroupCommitWriter> writer;

    explicit WriterFixture(std::size_t max_batch) {
        auto db = Db::open(dir.path + "/w.db", hub::sqlite::OpenMode::read_write_create, 5s);
        REQUIRE(db.has_value());
        REQUIRE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY)").has_value());
        writer = std::make_unique<hub::sqlite::GroupCommitWriter>(std::move(*db), log, max_batch);
    }

    /// Starts a write that blocks the writer; returns once it is running.
    std::promise<void> hold(hub::Result<void>& out) {
        auto running = std::make_shared<std::promise<void>>();
        std::promise<void> release;
        asio::co_spawn(io, hold_writer(*writer, running, release.get_future().share(), out),
                       rethrow);
        io.run_one();  // the holder's first step: its write is queued
        running->get_future().wait();
        return release;
    }

    std::int64_t rows() {
        auto n = writer->write_sync<std::int64_t>([](Db& db) -> hub::Result<std::int64_t> {
            auto st = hub::sqlite::query(db, "SELECT count(*) FROM t");
            if (!st) {
                return st.error();
            }
            auto row = (*st)->step();
            if (!row) {
                return row.error();
            }
            return (*st)->column_int64(0);
        });
        REQUIRE(n.has_value());
        return *n;
    }
};

}  // namespace

TEST_CASE("group commit: queued writes share one COMMIT, a failing one fails alone",
          "[store][group_commit]") {
    WriterFixture f(256);
    hub::Result<void> held;
    auto release = f.hold(held);
    std::vector<hub::Result<void>> results(11);
    for (int i = 0; i < 10; ++i) {
        asio::co_spawn(f.io, insert_key(*f.writer, "k-" + std::to_string(i), results[i]), rethrow);
    }
    // The same key twice in one batch: the second violates the primary key.
    asio::co_spawn(f.io, insert_key(*f.writer, "k-3", results[10]), rethrow);
    asio::post(f.io, [&release] { release.set_value(); });  // after every write is queued
    f.io.run();

    CHECK(held.has_value());
    for (int i = 0; i < 10; ++i) {
        CHECK(results[i].has_value());
    }
    REQUIRE_FALSE(results[10].has_value());
    CHECK(results[10].error().code == hub::errc::duplicate_conflict);
    CHECK(f.writer->commits() == 2);  // the holder's batch, then all eleven together
    CHECK(f.writer->writes() == 12);
    CHECK(f.rows() == 11);
}

TEST_CASE("group commit: a batch holds at most max_batch writes", "[store][group_commit]") {
    WriterFixture f(4);
    hub::Result<void> held;
    auto release = f.hold(held);
    std::vector<hub::Result<void>> results(10);
    for (int i = 0; i < 10; ++i) {
        asio::co_spawn(f.io, insert_key(*f.writer, "k-" + std::to_string(i), results[i]), rethrow);
    }
    asio::post(f.io, [&release] { release.set_value(); });
    f.io.run();
    for (const auto& r : results) {
        CHECK(r.has_value());
    }
    CHECK(f.writer->commits() == 1 + 3);  // 4 + 4 + 2
    CHECK(f.rows() == 11);
}

TEST_CASE("group commit: a write that throws fails alone and the writer lives on",
          "[store][group_commit]") {
    WriterFixture f(256);
    auto thrown = f.writer->write_sync<void>(
        [](Db&) -> hub::Result<void> { throw std::runtime_error("bug"); });
    REQUIRE_FALSE(thrown.has_value());
    CHECK(thrown.error().code == hub::errc::internal);
    CHECK(f.rows() == 0);
}

namespace {

asio::awaitable<void> accept(hub::Ledger& ledger,
                             hub::NewEnvelope e,
                             hub::Result<hub::AcceptResult>& out) {
    out = co_await ledger.accept_envelope(std::move(e));
}

}  // namespace

TEST_CASE("group commit: 200 concurrent accepts take far fewer transactions",
          "[store][group_commit]") {
    LedgerFixture f;
    constexpr int kCalls = 200;
    auto before = f.ledger().commits();
    std::vector<hub::Result<hub::AcceptResult>> results(kCalls + 1);
    for (int i = 0; i < kCalls; ++i) {
        asio::co_spawn(f.io, accept(f.ledger(), envelope("e-" + std::to_string(i)), results[i]),
                       rethrow);
    }
    // One more whose delivery id collides with e-7's: only it fails, and nothing of it stays.
    auto bad = envelope("e-bad");
    bad.deliveries[1].delivery_id = "d-e-7-0";
    asio::co_spawn(f.io, accept(f.ledger(), bad, results[kCalls]), rethrow);
    f.io.run();

    auto commits = f.ledger().commits() - before;
    INFO("commits=" << commits);
    CHECK(commits < kCalls / 4);
    for (int i = 0; i < kCalls; ++i) {
        REQUIRE(results[i].has_value());
        CHECK(results[i]->outcome == hub::AcceptResult::created);
    }
    REQUIRE_FALSE(results[kCalls].has_value());
    CHECK(results[kCalls].error().code == hub::errc::duplicate_conflict);
    CHECK_FALSE(f.ok(f.ledger().find_envelope("H39.05", "e-bad")).has_value());
    CHECK_FALSE(f.ok(f.ledger().get_delivery("d-e-bad-0")).has_value());
    CHECK(f.ok(f.ledger().get_delivery("d-e-7-0"))->envelope_seq == results[7]->envelope_seq);
    // Every accepted delivery is owed in the outbox, in the same transaction as its envelope.
    std::int64_t owed = 0;
    for (const auto& [recipient, count] : f.ok(f.ledger().open_items("inbox"))) {
        owed += count;
    }
    CHECK(owed == 2 * kCalls);
}

namespace {

asio::awaitable<void> roll_everything_back(hub::sqlite::GroupCommitWriter& writer,
                                           hub::Result<void>& out) {
    // What SQLite does by itself on SQLITE_FULL or SQLITE_IOERR: the whole transaction goes.
    hub::sqlite::WriteFn<void> op = [](Db& db) -> hub::Result<void> {
        (void)hub::sqlite::execute(db, "INSERT INTO t (k) VALUES ('doomed')");
        (void)db.exec("ROLLBACK");
        return hub::fail(hub::errc::unavailable, {}, "disk full");
    };
    out = co_await writer.write<void>(std::move(op));
}

asio::awaitable<void> insert_big(hub::sqlite::GroupCommitWriter& writer,
                                 std::string key,
                                 hub::Result<void>& out) {
    hub::sqlite::WriteFn<void> op = [key](Db& db) {
        return hub::sqlite::execute(db, "INSERT INTO t (k, v) VALUES (?, zeroblob(3000))", key);
    };
    out = co_await writer.write<void>(std::move(op));
}

}  // namespace

TEST_CASE("R-21 group commit: a batch SQLite rolled back whole fails as one",
          "[store][group_commit]") {
    WriterFixture f(256);
    hub::Result<void> held;
    auto release = f.hold(held);
    std::vector<hub::Result<void>> before(3), after(3);
    hub::Result<void> doomed;
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(f.io, insert_key(*f.writer, "before-" + std::to_string(i), before[i]),
                       rethrow);
    }
    asio::co_spawn(f.io, roll_everything_back(*f.writer, doomed), rethrow);
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(f.io, insert_key(*f.writer, "after-" + std::to_string(i), after[i]),
                       rethrow);
    }
    asio::post(f.io, [&release] { release.set_value(); });
    f.io.run();

    CHECK(held.has_value());
    // Nobody is told "stored" for a write that is not in the file, and the writes after the
    // rollback did not commit on their own either.
    for (const auto* group : {&before, &after}) {
        for (const auto& r : *group) {
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().code == hub::errc::unavailable);
        }
    }
    CHECK_FALSE(doomed.has_value());
    CHECK(f.rows() == 1);  // the holder's own batch only
    // The writer goes on with the next batch.
    hub::Result<void> later;
    asio::co_spawn(f.io, insert_key(*f.writer, "later", later), rethrow);
    f.io.restart();
    f.io.run();
    CHECK(later.has_value());
    CHECK(f.rows() == 2);
}

TEST_CASE("R-21 group commit: on a full disk, what is reported stored is exactly what is stored",
          "[store][group_commit]") {
    TempDir dir;
    hub::Logger log{hub::LogLevel::off};
    auto db = Db::open(dir.path + "/full.db", hub::sqlite::OpenMode::read_write_create, 5s);
    REQUIRE(db.has_value());
    REQUIRE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)").has_value());
    // A tiny "disk": a few pages more than the empty file.
    REQUIRE(db->exec("PRAGMA max_page_count = 12").has_value());
    hub::sqlite::GroupCommitWriter writer(std::move(*db), log, 256);
    asio::io_context io;
    constexpr int kWrites = 40;
    std::vector<hub::Result<void>> results(kWrites);
    for (int i = 0; i < kWrites; ++i) {
        asio::co_spawn(io, insert_big(writer, "k-" + std::to_string(i), results[i]), rethrow);
    }
    io.run();
    std::set<std::string> reported;
    for (int i = 0; i < kWrites; ++i) {
        if (results[i].has_value()) {
            reported.insert("k-" + std::to_string(i));
        }
    }
    CHECK(reported.size() < static_cast<std::size_t>(kWrites));  // the disk did fill up
    auto stored =
        writer.write_sync<std::set<std::string>>([](Db& db) -> hub::Result<std::set<std::string>> {
            std::set<std::string> keys;
            auto st = hub::sqlite::query(db, "SELECT k FROM t");
            if (!st) {
                return st.error();
            }
            auto r = hub::sqlite::for_each_row(
                **st, [&](hub::sqlite::Statement& row) { keys.insert(row.column_text(0)); });
            if (!r) {
                return r.error();
            }
            return keys;
        });
    REQUIRE(stored.has_value());
    CHECK(*stored == reported);
}
