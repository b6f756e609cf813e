#include "hub/queue/sqlite_queue.h"

#include "hub/store/group_commit.h"
#include "hub/store/reader_pool.h"

#include <algorithm>
#include <set>

namespace hub {

using boost::asio::awaitable;
using sqlite::Db;
using sqlite::Statement;

namespace {

// visible_at: milliseconds since the epoch (hub clock) from which take() may offer the
// message; 0 for never taken.
constexpr sqlite::Migration kSteps[] = {
    {1, R"sql(
CREATE TABLE messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     BLOB NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempt     INTEGER NOT NULL DEFAULT 0,
    visible_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_by_recipient ON messages(recipient, seq);
)sql"},
};

std::int64_t millis(Instant t) { return t.time_since_epoch().count(); }

struct Taken {
    std::vector<QueueMessage> messages;
    /// When nothing was visible: the earliest time a taken message becomes visible again.
    std::optional<std::int64_t> next_visible_at;
};

Result<void> insert_all(Db& db, const std::vector<QueueMessage>& messages) {
    for (const auto& m : messages) {
        // The id is the idempotency key: a re-publish (a retry after a crash) is a no-op.
        auto r = sqlite::execute(db,
                                 "INSERT INTO messages (id, recipient, kind, payload, enqueued_at, "
                                 "attempt) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                                 m.id, m.recipient, m.kind, sqlite::Blob{m.payload},
                                 millis(m.enqueued_at), m.attempt);
        if (!r) {
            return r.error();
        }
    }
    return {};
}

Result<Taken> take_visible(Db& db,
                           const std::string& recipient,
                           std::size_t max,
                           std::int64_t now,
                           std::int64_t hidden_until) {
    Taken out;
    auto st = sqlite::query(db,
                            "SELECT id, kind, payload, enqueued_at, attempt FROM messages "
                            "WHERE recipient = ? AND visible_at <= ? ORDER BY seq LIMIT ?",
                            recipient, now, max);
    if (!st) {
        return st.error();
    }
    auto scanned = sqlite::for_each_row(**st, [&](Statement& s) {
        QueueMessage m;
        m.id = s.column_text(0);
        m.recipient = recipient;
        m.kind = s.column_text(1);
        m.payload = s.column_blob(2);
        m.enqueued_at = Instant(std::chrono::milliseconds(s.column_int64(3)));
        m.attempt = static_cast<std::uint32_t>(s.column_int64(4)) + 1;
        out.messages.push_back(std::move(m));
    });
    if (!scanned) {
        return scanned.error();
    }
    for (const auto& m : out.messages) {
        auto r = sqlite::execute(db, "UPDATE messages SET attempt = ?, visible_at = ? WHERE id = ?",
                                 m.attempt, hidden_until, m.id);
        if (!r) {
            return r.error();
        }
    }
    if (out.messages.empty()) {
        auto next = sqlite::query(db, "SELECT min(visible_at) FROM messages WHERE recipient = ?",
                                  recipient);
        if (!next) {
            return next.error();
        }
        auto row = (*next)->step();
        if (!row) {
            return row.error();
        }
        if (*row) {
            out.next_visible_at = (*next)->column_optional_int64(0);
        }
    }
    return out;
}

}  // namespace

Result<std::unique_ptr<SqliteQueue>> SqliteQueue::open(SqliteQueueOptions options,
                                                       Clock& clock,
                                                       Logger& log) {
    auto db = Db::open(options.path, sqlite::OpenMode::read_write_create, options.busy_timeout);
    if (!db) {
        return db.error();
    }
    auto version = sqlite::migrate(*db, kSteps);
    if (!version) {
        log.error("queue_migration_failed", "path=" + log_value(options.path) +
                                                " error=" + log_value(version.error().message));
        return version.error();
    }
    auto readers = sqlite::ReaderPool::open(options.path, 1, options.busy_timeout);
    if (!readers) {
        return readers.error();
    }
    auto writer =
        std::make_unique<sqlite::GroupCommitWriter>(std::move(*db), log, options.max_batch);
    log.info("queue_open", "path=" + log_value(options.path) + " visibility_ms=" +
                               std::to_string(options.visibility_timeout.count()));
    return std::unique_ptr<SqliteQueue>(
        new SqliteQueue(std::move(options), clock, std::move(writer), std::move(*readers)));
}

SqliteQueue::SqliteQueue(SqliteQueueOptions options,
                         Clock& clock,
                         std::unique_ptr<sqlite::GroupCommitWriter> writer,
                         std::unique_ptr<sqlite::ReaderPool> readers)
    : options_(std::move(options)),
      clock_(clock),
      writer_(std::move(writer)),
      readers_(std::move(readers)) {}

SqliteQueue::~SqliteQueue() = default;

std::uint64_t SqliteQueue::commits() const noexcept { return writer_->commits(); }

awaitable<Result<void>> SqliteQueue::publish(std::vector<QueueMessage> messages) {
    Instant now = clock_.now();
    std::set<std::string> recipients;
    for (auto& m : messages) {
        if (m.enqueued_at == Instant{}) {
            m.enqueued_at = now;
        }
        recipients.insert(m.recipient);
    }
    // The write is built outside the co_await expression: GCC 12 destroys lambda captures
    // made inside one twice.
    sqlite::WriteFn<void> insert = [messages = std::move(messages)](Db& db) {
        return insert_all(db, messages);
    };
    auto stored = co_await writer_->write<void>(std::move(insert));
    if (!stored) {
        co_return stored.error();
    }
    // After the COMMIT: a woken take() must find the message.
    for (const auto& r : recipients) {
        waiters_.notify(r);
    }
    co_return Result<void>{};
}

awaitable<Result<std::vector<QueueMessage>>> SqliteQueue::take(std::string recipient,
                                                               std::size_t max,
                                                               std::chrono::milliseconds wait) {
    using std::chrono::steady_clock;
    if (max == 0) {
        co_return std::vector<QueueMessage>{};
    }
    auto deadline = steady_clock::now() + wait;
    for (;;) {
        // Before looking, so a publish between the look and the wait is not missed.
        std::uint64_t ticket = waiters_.ticket(recipient);
        std::int64_t now = millis(clock_.now());
        std::int64_t hidden_until = now + options_.visibility_timeout.count();
        sqlite::WriteFn<Taken> look = [recipient, max, now, hidden_until](Db& db) {
            return take_visible(db, recipient, max, now, hidden_until);
        };
        auto taken = co_await writer_->write<Taken>(std::move(look));
        if (!taken) {
            co_return taken.error();
        }
        if (!taken->messages.empty()) {
            co_return std::move(taken->messages);
        }
        auto wall = steady_clock::now();
        if (wall >= deadline || interrupted_) {
            co_return std::vector<QueueMessage>{};
        }
        auto until = deadline;
        if (taken->next_visible_at) {
            // Wake when the earliest taken message comes back, read on the hub clock.
            auto in = std::chrono::milliseconds(
                std::max<std::int64_t>(1, *taken->next_visible_at - millis(clock_.now())));
            until = std::min(until, wall + in);
        }
        co_await waiters_.wait(recipient, ticket, until);
    }
}

void SqliteQueue::interrupt_waits() {
    interrupted_ = true;
    waiters_.notify_all();
}

awaitable<Result<bool>> SqliteQueue::ack(std::string recipient, std::string id) {
    return writer_->write<bool>(
        [recipient = std::move(recipient), id = std::move(id)](Db& db) -> Result<bool> {
            auto r = sqlite::execute(db, "DELETE FROM messages WHERE id = ? AND recipient = ?", id,
                                     recipient);
            if (!r) {
                return r.error();
            }
            return db.changes() > 0;
        });
}

awaitable<Result<std::map<std::string, std::size_t>>> SqliteQueue::depths() {
    return readers_->read<std::map<std::string, std::size_t>>(
        [](Db& db) -> Result<std::map<std::string, std::size_t>> {
            std::map<std::string, std::size_t> out;
            auto st =
                sqlite::query(db, "SELECT recipient, count(*) FROM messages GROUP BY recipient");
            if (!st) {
                return st.error();
            }
            auto r = sqlite::for_each_row(**st, [&](Statement& s) {
                out[s.column_text(0)] = static_cast<std::size_t>(s.column_int64(1));
            });
            if (!r) {
                return r.error();
            }
            return out;
        });
}

}  // namespace hub
