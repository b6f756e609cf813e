#include "hub/queue/recipient_waiters.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <vector>

namespace hub {

namespace asio = boost::asio;

namespace {

struct Waiter {
    std::shared_ptr<asio::steady_timer> timer;
    /// Posts the suspended caller's continuation to its executor.
    std::function<void()> resume;
};

}  // namespace

// Whoever removes a waiter from its list (notify or the timer) resumes it: the mutex makes
// that exactly once. The timer is only touched under the mutex (async_wait) or after its
// waiter left the list (cancel), never by two threads at once.
struct RecipientWaiters::State {
    struct Entry {
        std::uint64_t generation = 0;
        std::list<std::shared_ptr<Waiter>> waiters;
    };
    mutable std::mutex mutex;
    std::map<std::string, Entry, std::less<>> entries;
};

RecipientWaiters::RecipientWaiters() : state_(std::make_shared<State>()) {}

RecipientWaiters::~RecipientWaiters() = default;

std::uint64_t RecipientWaiters::ticket(const std::string& recipient) {
    std::lock_guard lock(state_->mutex);
    return state_->entries[recipient].generation;
}

asio::awaitable<void> RecipientWaiters::wait(std::string recipient,
                                             std::uint64_t ticket,
                                             std::chrono::steady_clock::time_point until) {
    auto executor = co_await asio::this_coro::executor;
    auto initiate = [state = state_, executor, recipient = std::move(recipient), ticket,
                     until](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto resume_on = asio::get_associated_executor(*shared);
        auto w = std::make_shared<Waiter>();
        w->resume = [shared, resume_on] { asio::post(resume_on, [shared] { (*shared)(); }); };
        w->timer = std::make_shared<asio::steady_timer>(executor, until);

        std::unique_lock lock(state->mutex);
        auto& entry = state->entries[recipient];
        if (entry.generation != ticket) {
            lock.unlock();
            w->resume();
            return;
        }
        entry.waiters.push_back(w);
        w->timer->async_wait([state, recipient, w](const boost::system::error_code&) {
            std::unique_lock lock(state->mutex);
            auto& list = state->entries[recipient].waiters;
            auto it = std::find(list.begin(), list.end(), w);
            if (it == list.end()) {
                return;  // notify already resumed it
            }
            list.erase(it);
            lock.unlock();
            w->resume();
        });
    };
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(std::move(initiate),
                                                                         asio::use_awaitable);
}

void RecipientWaiters::notify_all() {
    std::vector<std::string> recipients;
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& [recipient, entry] : state_->entries) {
            recipients.push_back(recipient);
        }
    }
    for (const auto& recipient : recipients) {
        notify(recipient);
    }
}

void RecipientWaiters::notify(const std::string& recipient) {
    std::vector<std::shared_ptr<Waiter>> woken;
    {
        std::lock_guard lock(state_->mutex);
        auto& entry = state_->entries[recipient];
        ++entry.generation;
        woken.assign(entry.waiters.begin(), entry.waiters.end());
        entry.waiters.clear();
    }
    for (auto& w : woken) {
        w->resume();
        // Cancelled on its own executor so the long wait does not keep the io_context busy.
        asio::post(w->timer->get_executor(), [timer = w->timer] { timer->cancel(); });
    }
}

std::size_t RecipientWaiters::waiting() const {
    std::lock_guard lock(state_->mutex);
    std::size_t n = 0;
    for (const auto& [recipient, entry] : state_->entries) {
        n += entry.waiters.size();
    }
    return n;
}

}  // namespace hub
