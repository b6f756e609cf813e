// Acknowledging on the axis comes strictly after the ledger commit: a crash in between
// makes the next poll fetch the package again, and the sink's idempotency absorbs it.

#include "hub/national/inbound.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hub::national {
namespace asio = boost::asio;

InboundPoller::InboundPoller(asio::any_io_executor executor,
                             AxisClient& axis,
                             InboundSink& sink,
                             const Clock& clock,
                             Logger& log,
                             InboundOptions options)
    : axis_(axis),
      sink_(sink),
      clock_(clock),
      log_(log),
      options_(options),
      executor_(executor),
      timer_(executor) {}

void InboundPoller::stop() {
    stopped_ = true;
    asio::post(executor_, [this] { timer_.cancel(); });
}

InboundStats InboundPoller::stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

asio::awaitable<void> InboundPoller::run() {
    while (!stopped_) {
        co_await poll_once();
        if (stopped_) {
            break;
        }
        timer_.expires_after(options_.poll_interval);
        (void)co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<bool> InboundPoller::poll_once() {
    // Statuses first: a status about a document we are about to take is harmless either way,
    // but listing both before marking the poll good keeps "last poll" honest.
    auto documents = co_await drain(MessageType::edoc);
    auto statuses = co_await drain(MessageType::status);
    std::lock_guard lock(stats_mutex_);
    if (documents && statuses) {
        stats_.last_poll = clock_.now();
        co_return true;
    }
    stats_.last_error = (!documents ? documents.error() : statuses.error()).text();
    co_return false;
}

asio::awaitable<Result<void>> InboundPoller::drain(MessageType type) {
    auto listed = co_await axis_.received_list(type);
    if (!listed) {
        log_.warn("national_poll_failed", "type=" + std::string(message_type_name(type)) +
                                              " error=" + log_value(listed.error().text()));
        co_return listed.error();
    }
    for (auto& item : *listed) {
        if (stopped_) {
            break;
        }
        auto package = co_await axis_.get_edoc(item.doc_id);
        if (!package) {
            log_.warn("national_fetch_failed", "doc_id=" + log_value(item.doc_id) +
                                                   " error=" + log_value(package.error().text()));
            continue;  // listed again next poll
        }
        const std::string doc_id = item.doc_id;
        auto taken = co_await sink_.take(std::move(item), std::move(*package));
        if (!taken && taken.error().code == errc::unavailable) {
            std::lock_guard lock(stats_mutex_);
            ++stats_.deferred;
            continue;
        }
        auto reported = co_await axis_.update_status(
            doc_id, taken ? TransportStatus::done : TransportStatus::fail);
        {
            std::lock_guard lock(stats_mutex_);
            ++(taken ? stats_.taken : stats_.refused);
        }
        if (taken) {
            log_.info("national_received", "doc_id=" + log_value(doc_id));
        } else {
            log_.warn("national_refused", "doc_id=" + log_value(doc_id) + " code=" +
                                              std::string(code_name(taken.error().code)) +
                                              " error=" + log_value(taken.error().text()));
        }
        if (!reported) {
            log_.warn("national_update_status_failed", "doc_id=" + log_value(doc_id) + " error=" +
                                                           log_value(reported.error().text()));
        }
    }
    co_return Result<void>{};
}

}  // namespace hub::national
