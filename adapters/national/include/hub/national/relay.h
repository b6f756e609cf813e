#pragma once
/// The outbound relay: drains the ledger's `national` outbox to the axis. An item is marked
/// relayed (with the axis' DocId) only after the axis answered OK; a failed attempt is retried
/// with exponential backoff and jitter, and becomes a dead letter after the delivery limit.
/// A circuit breaker stops hammering an axis that keeps failing. Before re-sending an item
/// that was already attempted, the axis' sent list is checked, so a crash between the axis'
/// answer and the mark sends nothing twice.

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/core/result.h"
#include "hub/national/axis_client.h"
#include "hub/store/ledger.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace hub::national {

/// What crosses the boundary for one outbox item.
struct OutgoingPackage {
    std::string bytes;  ///< the edXML package
    MessageType type = MessageType::edoc;
    std::string from;  ///< the sender's code as the axis knows it (`from` parameter)
};

/// Builds the package for an outbox item (an envelope delivery or a status notice) from the
/// ledger. It must build the same bytes for the same item every time: the duplicate check
/// after a crash compares them with what the axis recorded. Errors are permanent for the
/// item (it goes to the dead letters at once): NOT_FOUND, MALFORMED (cannot be expressed in
/// edXML). UNAVAILABLE (the ledger is busy) is retried.
class PackageSource {
public:
    virtual ~PackageSource() = default;
    virtual boost::asio::awaitable<Result<OutgoingPackage>> package_for(OutboxItem item) = 0;
};

/// Circuit breaker over the axis: `failures` consecutive failures open it for `cooldown`;
/// then one attempt is let through (half-open): success closes it, failure opens it again.
/// Thread-safe.
class Breaker {
public:
    enum class State { closed, open, half_open };

    Breaker(std::uint32_t failures, std::chrono::milliseconds cooldown);
    /// True when a call may be made at `now`; moves open to half-open once the cooldown ends.
    bool allow(Instant now);
    void success();
    void failure(Instant now);
    State state() const;
    /// When an open breaker lets the next attempt through.
    Instant open_until() const;

private:
    mutable std::mutex mutex_;
    std::uint32_t threshold_;
    std::chrono::milliseconds cooldown_;
    std::uint32_t consecutive_ = 0;
    State state_ = State::closed;
    Instant open_until_{};
};

std::string_view breaker_state_name(Breaker::State state) noexcept;

struct RelayOptions {
    std::string channel = "national";
    std::size_t batch = 16;
    /// How long a claimed item stays invisible to a second claim (longer than one send).
    std::chrono::milliseconds lease{120'000};
    /// The longest the relay sleeps when nothing wakes it (items becoming visible again).
    std::chrono::milliseconds idle_poll{1'000};
    /// Attempts before an item becomes a dead letter.
    std::uint32_t delivery_limit = 20;
    std::chrono::milliseconds retry_base{1'000};
    std::chrono::milliseconds retry_max{300'000};
    std::uint32_t breaker_failures = 5;
    std::chrono::milliseconds breaker_cooldown{10'000};
};

/// Counters and state for /status.json and /metrics; never reset.
struct RelayStats {
    std::uint64_t relayed = 0;
    std::uint64_t failed_attempts = 0;
    std::uint64_t dead = 0;
    std::uint64_t found_already_sent = 0;  ///< re-sends avoided by the sent-list check
    std::optional<Instant> last_success;
    std::string last_error;  ///< no secrets: the axis' ErrorDesc or a network error
    Breaker::State breaker = Breaker::State::closed;
};

/// The delay before attempt `attempt + 1` after `attempt` failed: retry_base * 2^(attempt-1),
/// capped at retry_max, then scaled by `jitter` in [0.5, 1] (so retries of many items after
/// an outage spread out).
std::chrono::milliseconds retry_delay(const RelayOptions& options,
                                      std::uint32_t attempt,
                                      double jitter);

class OutboundRelay {
public:
    /// References are not owned and must outlive the relay. Runs on `executor`.
    OutboundRelay(boost::asio::any_io_executor executor,
                  OutboxStore& outbox,
                  AxisClient& axis,
                  PackageSource& packages,
                  const Clock& clock,
                  Logger& log,
                  RelayOptions options);

    /// Carries items until stop(). Spawn it once on the executor.
    boost::asio::awaitable<void> run();
    /// One pass: claims a batch and carries it; answers how many items were claimed.
    boost::asio::awaitable<std::size_t> run_once();
    /// New items may be waiting (from any thread: the ledger's writer calls it).
    void wake();
    /// Ends run() (from any thread).
    void stop();

    RelayStats stats() const;
    const Breaker& breaker() const { return breaker_; }

private:
    boost::asio::awaitable<void> carry(RelayItem claimed);
    boost::asio::awaitable<void> failed(const OutboxItem& item,
                                        const Failure& failure,
                                        bool permanent);

    boost::asio::any_io_executor executor_;
    OutboxStore& outbox_;
    AxisClient& axis_;
    PackageSource& packages_;
    const Clock& clock_;
    Logger& log_;
    RelayOptions options_;
    Breaker breaker_;
    boost::asio::steady_timer wakeup_;
    std::atomic<bool> stopped_{false};
    std::atomic<bool> woken_{false};
    mutable std::mutex stats_mutex_;
    RelayStats stats_;
};

}  // namespace hub::national
