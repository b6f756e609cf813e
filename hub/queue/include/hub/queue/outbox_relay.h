#pragma once
/// Carries the ledger's outbox items of one channel (`inbox`: envelope deliveries and status
/// notices) into a Queue (the RabbitMQ broker), oldest first, and marks each row relayed only
/// after the queue confirmed it: a crash between the ledger commit and the publish, or
/// between the publish and the confirm, loses nothing (the row is claimed again when the relay
/// restarts, or when its lease ends) and at worst publishes a copy, which the inbox drops by
/// item id.
///
/// One loop on a strand of the daemon's io_context. It wakes on the ledger's commits
/// (on_relay_items), and looks again every `poll` anyway. While the queue is down it waits
/// with a backoff (retry, doubling to 10 s) and claims nothing, so what was accepted meanwhile
/// goes out in acceptance order when the broker returns.

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/queue/queue.h"
#include "hub/store/ledger.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hub {

struct OutboxRelayOptions {
    std::string channel = "inbox";
    /// Items per claim and publish (the confirm window is the queue's own).
    std::size_t batch = 256;
    /// A claimed item is invisible this long, then claimed again (a publish that never
    /// confirmed).
    std::chrono::milliseconds lease{std::chrono::seconds(2)};
    std::chrono::milliseconds poll{std::chrono::seconds(1)};
    std::chrono::milliseconds retry{std::chrono::milliseconds(200)};
};

class OutboxRelay {
public:
    /// Registers with `outbox` for wake-ups (once, before start). References must outlive it.
    OutboxRelay(OutboxStore& outbox,
                Queue& queue,
                const Clock& clock,
                Logger& log,
                OutboxRelayOptions options);
    ~OutboxRelay();
    OutboxRelay(const OutboxRelay&) = delete;
    OutboxRelay& operator=(const OutboxRelay&) = delete;

    /// Spawns the loop on a strand of `executor`. It first releases what a process that died
    /// had claimed (OutboxStore::release_leases), so the oldest items go first.
    void start(boost::asio::any_io_executor executor);
    /// The loop ends at its next wake-up (stop the io_context to end it at once). Thread-safe.
    void stop();

    /// Items of the channel not yet relayed, as last read (for intake's bound). Thread-safe.
    std::int64_t backlog() const;
    /// Whether the last publish went through (false until the first one). Thread-safe.
    bool publishing() const;
    /// Items relayed since start (for tests and metrics). Thread-safe.
    std::uint64_t relayed() const;

    struct Loop;

private:
    std::shared_ptr<Loop> loop_;
};

}  // namespace hub
