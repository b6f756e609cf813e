#pragma once
/// The inbound poller: every poll interval, lists what the axis holds for us (documents and
/// status packages), fetches each, hands it to the sink (which decodes, checks, stores and
/// routes it in one ledger transaction), and only then tells the axis `done`; a package the
/// sink refuses for good is reported `fail`. A package the sink could not take for now
/// (UNAVAILABLE) stays on the axis for the next poll, so nothing is lost; the sink is
/// idempotent on the package, so nothing is stored twice when `done` itself was lost.

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/core/result.h"
#include "hub/national/axis_client.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace hub::national {

/// Where fetched packages go (the daemon: edXML decode, then the envelope store's accept path).
class InboundSink {
public:
    virtual ~InboundSink() = default;
    /// Takes one package. Errors: UNAVAILABLE (try again later); anything else is final for
    /// this package and its text is what the axis is told.
    virtual boost::asio::awaitable<Result<void>> take(ReceivedItem item, std::string package) = 0;
};

struct InboundOptions {
    std::chrono::milliseconds poll_interval{60'000};
};

struct InboundStats {
    std::uint64_t taken = 0;
    std::uint64_t refused = 0;
    std::uint64_t deferred = 0;
    std::optional<Instant> last_poll;  ///< the last poll whose both lists answered
    std::string last_error;
};

class InboundPoller {
public:
    InboundPoller(boost::asio::any_io_executor executor,
                  AxisClient& axis,
                  InboundSink& sink,
                  const Clock& clock,
                  Logger& log,
                  InboundOptions options);

    /// Polls until stop().
    boost::asio::awaitable<void> run();
    /// One poll of both lists; false when the axis could not be listed.
    boost::asio::awaitable<bool> poll_once();
    void stop();
    InboundStats stats() const;

private:
    boost::asio::awaitable<Result<void>> drain(MessageType type);

    AxisClient& axis_;
    InboundSink& sink_;
    const Clock& clock_;
    Logger& log_;
    InboundOptions options_;
    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer timer_;
    std::atomic<bool> stopped_{false};
    mutable std::mutex stats_mutex_;
    InboundStats stats_;
};

}  // namespace hub::national
