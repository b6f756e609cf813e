// The ledger is the only home of delivery state: the relay keeps none of its own beyond
// counters. A crash at any point leaves the item claimable again at the next start, and
// the sent-list check turns "maybe sent" into "sent" without a second copy on the axis.

#include "hub/national/relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace hub::national {
namespace asio = boost::asio;

Breaker::Breaker(std::uint32_t failures, std::chrono::milliseconds cooldown)
    : threshold_(std::max<std::uint32_t>(failures, 1)), cooldown_(cooldown) {}

bool Breaker::allow(Instant now) {
    std::lock_guard lock(mutex_);
    if (state_ == State::open && now >= open_until_) {
        state_ = State::half_open;
    }
    return state_ != State::open;
}

void Breaker::success() {
    std::lock_guard lock(mutex_);
    consecutive_ = 0;
    state_ = State::closed;
}

void Breaker::failure(Instant now) {
    std::lock_guard lock(mutex_);
    ++consecutive_;
    if (state_ == State::half_open || consecutive_ >= threshold_) {
        state_ = State::open;
        open_until_ = now + cooldown_;
    }
}

Breaker::State Breaker::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

Instant Breaker::open_until() const {
    std::lock_guard lock(mutex_);
    return open_until_;
}

std::string_view breaker_state_name(Breaker::State state) noexcept {
    switch (state) {
        case Breaker::State::closed:
            return "closed";
        case Breaker::State::open:
            return "open";
        case Breaker::State::half_open:
            return "half_open";
    }
    return "open";
}

std::chrono::milliseconds retry_delay(const RelayOptions& options,
                                      std::uint32_t attempt,
                                      double jitter) {
    const std::uint32_t doublings = std::min<std::uint32_t>(attempt > 0 ? attempt - 1 : 0, 30);
    double delay = static_cast<double>(options.retry_base.count()) *
                   static_cast<double>(std::uint64_t{1} << doublings);
    delay = std::min(delay, static_cast<double>(options.retry_max.count()));
    jitter = std::clamp(jitter, 0.5, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(delay * jitter));
}

OutboundRelay::OutboundRelay(asio::any_io_executor executor,
                             OutboxStore& outbox,
                             AxisClient& axis,
                             PackageSource& packages,
                             const Clock& clock,
                             Logger& log,
                             RelayOptions options)
    : executor_(executor),
      outbox_(outbox),
      axis_(axis),
      packages_(packages),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      breaker_(options_.breaker_failures, options_.breaker_cooldown),
      wakeup_(executor) {}

void OutboundRelay::wake() {
    woken_ = true;
    asio::post(executor_, [this] { wakeup_.cancel(); });
}

void OutboundRelay::stop() {
    stopped_ = true;
    asio::post(executor_, [this] { wakeup_.cancel(); });
}

RelayStats OutboundRelay::stats() const {
    std::lock_guard lock(stats_mutex_);
    RelayStats out = stats_;
    out.breaker = breaker_.state();
    return out;
}

asio::awaitable<void> OutboundRelay::run() {
    log_.info("national_relay_started", "channel=" + options_.channel);
    // What a process that died had claimed goes first; its lease might never end on a clock
    // that was set back. Failing that, the leases bring the items back.
    if (auto released = co_await outbox_.release_leases(options_.channel, clock_.now());
        !released) {
        log_.warn("national_relay_release_failed", "error=" + log_value(released.error().text()));
    }
    while (!stopped_) {
        std::size_t claimed = co_await run_once();
        if (stopped_) {
            break;
        }
        if (claimed > 0 && breaker_.state() == Breaker::State::closed) {
            continue;  // more may be waiting
        }
        auto sleep = options_.idle_poll;
        if (breaker_.state() == Breaker::State::open) {
            auto until = breaker_.open_until() - clock_.now();
            sleep = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(until),
                               std::chrono::milliseconds(1), options_.idle_poll);
        }
        if (woken_.exchange(false) && breaker_.state() != Breaker::State::open) {
            continue;
        }
        wakeup_.expires_after(sleep);
        (void)co_await wakeup_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    log_.info("national_relay_stopped", "channel=" + options_.channel);
}

asio::awaitable<std::size_t> OutboundRelay::run_once() {
    const Instant now = clock_.now();
    if (!breaker_.allow(now)) {
        co_return 0;
    }
    // Half-open: one item tests the axis before a batch is risked on it.
    const std::size_t max =
        breaker_.state() == Breaker::State::half_open ? std::size_t{1} : options_.batch;
    auto claimed = co_await outbox_.claim_relay(options_.channel, max, now, options_.lease);
    if (!claimed) {
        log_.warn("national_relay_claim_failed", "error=" + log_value(claimed.error().text()));
        co_return 0;
    }
    for (auto& item : *claimed) {
        // The lease brings the rest back; after the breaker opened mid-batch that spares a
        // failing axis one timeout per remaining item.
        if (stopped_ || !breaker_.allow(clock_.now())) {
            break;
        }
        co_await carry(std::move(item));
    }
    co_return claimed->size();
}

asio::awaitable<void> OutboundRelay::carry(RelayItem claimed) {
    const OutboxItem& item = claimed.item;
    auto package = co_await packages_.package_for(item);
    if (!package) {
        const bool permanent = package.error().code != errc::unavailable;
        co_await failed(item, package.error(), permanent);
        co_return;
    }
    std::optional<std::string> doc_id;
    if (item.attempt > 1) {
        // This item may have reached the axis on an earlier attempt whose answer or mark was
        // lost: ask before sending a second copy.
        auto earlier = co_await axis_.find_sent(package->bytes);
        if (!earlier) {
            breaker_.failure(clock_.now());
            co_await failed(item, earlier.error(), false);
            co_return;
        }
        if (*earlier) {
            doc_id = **earlier;
            std::lock_guard lock(stats_mutex_);
            ++stats_.found_already_sent;
        }
    }
    if (!doc_id) {
        auto sent = co_await axis_.send_edoc(package->bytes, package->type, package->from);
        if (!sent) {
            // A refusal by a working axis says nothing about its health.
            if (sent.error().code != errc::malformed) {
                breaker_.failure(clock_.now());
            } else {
                breaker_.success();
            }
            co_await failed(item, sent.error(), false);
            co_return;
        }
        doc_id = std::move(*sent);
    }
    breaker_.success();
    auto marked = co_await outbox_.mark_relayed(item.item_id, *doc_id, clock_.now());
    if (!marked) {
        // The axis has it; the next attempt's sent-list check finds it and marks it then.
        log_.warn("national_relay_mark_failed",
                  "item=" + item.item_id + " error=" + log_value(marked.error().text()));
        co_return;
    }
    {
        std::lock_guard lock(stats_mutex_);
        ++stats_.relayed;
        stats_.last_success = clock_.now();
    }
    log_.info("national_relayed", "item=" + item.item_id + " kind=" + item.kind +
                                      " attempt=" + std::to_string(item.attempt) +
                                      " doc_id=" + log_value(*doc_id));
}

asio::awaitable<void> OutboundRelay::failed(const OutboxItem& item,
                                            const Failure& failure,
                                            bool permanent) {
    thread_local std::mt19937 random{std::random_device{}()};
    const double jitter = std::uniform_real_distribution<double>(0.5, 1.0)(random);
    const Instant now = clock_.now();
    const bool dead = permanent || item.attempt >= options_.delivery_limit;
    const Instant retry_at = now + retry_delay(options_, item.attempt, jitter);
    const std::string error = std::string(code_name(failure.code)) + ": " + failure.text();
    AuditRecord audit{now,
                      "hub",
                      "national.dead_letter",
                      item.item_id,
                      std::string(code_name(failure.code)),
                      "attempts=" + std::to_string(item.attempt) + " kind=" + item.kind};
    auto marked =
        co_await outbox_.mark_relay_failed(item.item_id, error, retry_at, dead, std::move(audit));
    if (!marked) {
        log_.warn("national_relay_mark_failed",
                  "item=" + item.item_id + " error=" + log_value(marked.error().text()));
    }
    {
        std::lock_guard lock(stats_mutex_);
        ++stats_.failed_attempts;
        stats_.last_error = error;
        if (dead) {
            ++stats_.dead;
        }
    }
    log_.log(dead ? LogLevel::error : LogLevel::warn,
             dead ? "national_dead_letter" : "national_relay_failed",
             "item=" + item.item_id + " attempt=" + std::to_string(item.attempt) +
                 " error=" + log_value(error));
}

}  // namespace hub::national
