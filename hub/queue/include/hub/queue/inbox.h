#pragma once
/// Where an agency's long poll takes its items from: the embedded inbox (the ledger's outbox,
/// LedgerInbox) or a broker queue (AmqpInbox). Acks are recorded in the ledger by the daemon;
/// an Inbox offers, and hears of an ack once the ledger has it (settled()).

#include "hub/core/result.h"
#include "hub/queue/queue.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace hub {

class Inbox {
public:
    virtual ~Inbox() = default;
    /// Up to `max` visible items for `recipient` in acceptance order, their fixed bytes
    /// (header, signature, notice) within `max_bytes` but at least one; waits up to `wait`
    /// when none is visible, returning as soon as one arrives. Taken items are invisible for
    /// the visibility timeout, then offered again with attempt + 1. A coroutine awaiting
    /// take() runs on a strand or a single-threaded io_context. Error: UNAVAILABLE.
    virtual boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient,
        std::size_t max,
        std::size_t max_bytes,
        std::chrono::milliseconds wait) = 0;
    /// Shutdown: every waiting take() returns now with nothing, and later ones do not wait.
    /// Thread-safe.
    virtual void interrupt_waits() = 0;
    /// Items not yet acked, per recipient; recipients with none are absent.
    virtual boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> depths() = 0;
    /// The ledger recorded the recipient's ack of `item_id`: a broker inbox removes its copy
    /// now. Nothing to do for the embedded inbox (the ledger row is the item).
    virtual boost::asio::awaitable<void> settled(std::string /*recipient*/,
                                                 std::string /*item_id*/) {
        co_return;
    }
    /// Whether the transport under this inbox is reachable (for /readyz). Thread-safe.
    virtual bool reachable() const { return true; }
};

}  // namespace hub
