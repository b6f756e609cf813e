#pragma once
/// The single-node transport: its own SQLite file (e.g. queue.db next to the ledger) in WAL
/// mode with synchronous=FULL, written through the same group commit as the ledger, so a
/// burst of publishes, takes and acks shares one fsync.

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/queue/queue.h"
#include "hub/queue/recipient_waiters.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hub {

namespace sqlite {
class GroupCommitWriter;
class ReaderPool;
}  // namespace sqlite

struct SqliteQueueOptions {
    std::string path;                                     ///< e.g. /var/lib/lienthong/queue.db
    std::chrono::milliseconds visibility_timeout{60000};  ///< before a taken message returns
    std::size_t max_batch = 256;                          ///< writes per transaction at most
    std::chrono::milliseconds busy_timeout{5000};
};

class SqliteQueue final : public Queue {
public:
    /// Opens or creates the file and applies its schema. `clock` (visibility and
    /// enqueued_at) and `log` must outlive the queue. Error: UNAVAILABLE, INTERNAL.
    static Result<std::unique_ptr<SqliteQueue>> open(SqliteQueueOptions options,
                                                     Clock& clock,
                                                     Logger& log);
    /// Finishes queued writes. Calls still pending (a take waiting) are a bug.
    ~SqliteQueue() override;

    boost::asio::awaitable<Result<void>> publish(std::vector<QueueMessage> messages) override;
    boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient, std::size_t max, std::chrono::milliseconds wait) override;
    boost::asio::awaitable<Result<bool>> ack(std::string recipient, std::string id) override;
    boost::asio::awaitable<Result<std::map<std::string, std::size_t>>> depths() override;

    void interrupt_waits() override;
    /// Transactions committed since open (for tests and metrics).
    std::uint64_t commits() const noexcept;

private:
    SqliteQueue(SqliteQueueOptions options,
                Clock& clock,
                std::unique_ptr<sqlite::GroupCommitWriter> writer,
                std::unique_ptr<sqlite::ReaderPool> readers);

    SqliteQueueOptions options_;
    Clock& clock_;
    std::unique_ptr<sqlite::GroupCommitWriter> writer_;
    std::unique_ptr<sqlite::ReaderPool> readers_;
    RecipientWaiters waiters_;
    std::atomic<bool> interrupted_{false};
};

}  // namespace hub
