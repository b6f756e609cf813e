#pragma once
// The broker's own ceiling: rabbitmq-c publishing persistent messages to a durable quorum
// queue with publisher confirms and a window of unconfirmed messages, on one connection,
// exactly as the hub's relay does (hub/queue/src/amqp_queue.cpp), without the hub.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bench {

struct RawConfirmResult {
    std::uint64_t confirmed = 0;
    double seconds = 0;
    double rate() const { return seconds > 0 ? static_cast<double>(confirmed) / seconds : 0; }
};

/// Publishes `bytes`-byte messages for `duration` to a fresh quorum queue (deleted after),
/// keeping up to `window` unconfirmed. Throws std::runtime_error when the broker fails.
RawConfirmResult raw_confirm(const std::string& url,
                             std::chrono::milliseconds duration,
                             std::size_t bytes,
                             std::size_t window);

}  // namespace bench
