#pragma once
// An in-memory Queue with the contract of hub/queue/queue.h (it passes the same contract
// suite), for unit tests of the code that publishes and takes. Nothing survives the object.

#include "hub/core/clock.h"
#include "hub/queue/queue.h"
#include "hub/queue/recipient_waiters.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hub::test {

class FakeQueue final : public Queue {
public:
    /// `clock` decides visibility and enqueued_at; it must outlive the queue.
    explicit FakeQueue(Clock& clock,
                       std::chrono::milliseconds visibility_timeout = std::chrono::seconds(60))
        : clock_(clock), visibility_(visibility_timeout) {}

    boost::asio::awaitable<Result<void>> publish(std::vector<QueueMessage> messages) override {
        if (auto f = injected()) {
            co_return *f;
        }
        std::set<std::string> recipients;
        {
            std::lock_guard lock(mutex_);
            for (auto& m : messages) {
                if (by_id_.contains(m.id)) {
                    continue;
                }
                if (m.enqueued_at == Instant{}) {
                    m.enqueued_at = clock_.now();
                }
                recipients.insert(m.recipient);
                by_id_[m.id] = next_seq_;
                stored_[next_seq_++] = Stored{std::move(m), 0};
            }
        }
        for (const auto& r : recipients) {
            waiters_.notify(r);
        }
        co_return Result<void>{};
    }

    boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient, std::size_t max, std::chrono::milliseconds wait) override {
        using std::chrono::steady_clock;
        auto deadline = steady_clock::now() + wait;
        for (;;) {
            if (auto f = injected()) {
                co_return *f;
            }
            std::uint64_t ticket = waiters_.ticket(recipient);
            std::vector<QueueMessage> out;
            std::optional<std::int64_t> next_visible;
            {
                std::lock_guard lock(mutex_);
                std::int64_t now = millis(clock_.now());
                for (auto& [seq, s] : stored_) {
                    if (out.size() >= max) {
                        break;
                    }
                    if (s.message.recipient != recipient) {
                        continue;
                    }
                    if (s.visible_at > now) {
                        next_visible = std::min(next_visible.value_or(s.visible_at), s.visible_at);
                        continue;
                    }
                    ++s.message.attempt;
                    s.visible_at = now + visibility_.count();
                    out.push_back(s.message);
                }
                if (!out.empty() || max == 0) {
                    co_return out;
                }
            }
            auto wall = steady_clock::now();
            if (wall >= deadline) {
                co_return out;
            }
            auto until = deadline;
            if (next_visible) {
                auto in = std::chrono::milliseconds(
                    std::max<std::int64_t>(1, *next_visible - millis(clock_.now())));
                until = std::min(until, wall + in);
            }
            co_await waiters_.wait(recipient, ticket, until);
        }
    }

    boost::asio::awaitable<Result<bool>> ack(std::string recipient, std::string id) override {
        if (auto f = injected()) {
            co_return *f;
        }
        std::lock_guard lock(mutex_);
        auto it = by_id_.find(id);
        if (it == by_id_.end() || stored_.at(it->second).message.recipient != recipient) {
            co_return false;
        }
        stored_.erase(it->second);
        by_id_.erase(it);
        co_return true;
    }

    boost::asio::awaitable<Result<std::map<std::string, std::size_t>>> depths() override {
        if (auto f = injected()) {
            co_return *f;
        }
        std::map<std::string, std::size_t> out;
        std::lock_guard lock(mutex_);
        for (const auto& [seq, s] : stored_) {
            ++out[s.message.recipient];
        }
        co_return out;
    }

    /// Makes every call fail with `f` (e.g. UNAVAILABLE: "broker down") until cleared.
    void inject_failure(std::optional<Failure> f) {
        std::lock_guard lock(mutex_);
        failure_ = std::move(f);
    }

    /// Messages not yet acked, in publish order (for assertions).
    std::vector<QueueMessage> messages() const {
        std::lock_guard lock(mutex_);
        std::vector<QueueMessage> out;
        for (const auto& [seq, s] : stored_) {
            out.push_back(s.message);
        }
        return out;
    }

private:
    struct Stored {
        QueueMessage message;
        std::int64_t visible_at = 0;  // hub-clock milliseconds; 0 = never taken
    };

    static std::int64_t millis(Instant t) { return t.time_since_epoch().count(); }

    std::optional<Failure> injected() const {
        std::lock_guard lock(mutex_);
        return failure_;
    }

    Clock& clock_;
    std::chrono::milliseconds visibility_;
    mutable std::mutex mutex_;
    std::map<std::uint64_t, Stored> stored_;  // by publish order
    std::map<std::string, std::uint64_t> by_id_;
    std::uint64_t next_seq_ = 1;
    std::optional<Failure> failure_;
    RecipientWaiters waiters_;
};

}  // namespace hub::test
