#pragma once
/// The transport between the hub's front door and each recipient's inbox: a durable,
/// at-least-once queue per recipient, broker-neutral (SQLite now, AMQP later). Every
/// implementation passes tests/unit/queue/queue_contract.h.

#include "hub/core/result.h"
#include "hub/core/time.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hub {

struct QueueMessage {
    std::string id;         ///< delivery_id or status_id: the idempotency key
    std::string recipient;  ///< canonical org code
    std::string kind;       ///< "envelope" | "status"
    std::string payload;    ///< opaque bytes
    Instant enqueued_at;
    std::uint32_t attempt = 0;  ///< 0 as published; 1 on the first take, +1 on each re-offer
};

/// Calls may come from any executor and resume on the caller's executor. A coroutine that
/// awaits take() must run on a strand or a single-threaded io_context (as every session
/// does). Failures: UNAVAILABLE when the transport cannot take the request now.
class Queue {
public:
    virtual ~Queue() = default;
    /// Durable before it returns; a message id published twice is stored once (until acked).
    virtual boost::asio::awaitable<Result<void>> publish(std::vector<QueueMessage> messages) = 0;
    /// Up to `max` visible messages for `recipient` in publish order; waits up to `wait` when
    /// none is visible, returning as soon as one is published for that recipient. Taken
    /// messages are invisible for the visibility timeout, then offered again with
    /// attempt + 1.
    virtual boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient, std::size_t max, std::chrono::milliseconds wait) = 0;
    /// Removes the message; true the first time, false for an unknown or already-acked id
    /// (or one addressed to another recipient).
    virtual boost::asio::awaitable<Result<bool>> ack(std::string recipient, std::string id) = 0;
    /// Shutdown: every waiting take() returns now with what it has (nothing), and later ones
    /// do not wait. Thread-safe.
    virtual void interrupt_waits() {}
    /// Messages not yet acked, per recipient (for metrics); recipients with none are absent.
    virtual boost::asio::awaitable<Result<std::map<std::string, std::size_t>>> depths() = 0;
};

}  // namespace hub
