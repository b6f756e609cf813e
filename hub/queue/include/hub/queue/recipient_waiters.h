#pragma once
/// Wakes long-polls: a take() that found nothing waits here until a publish for its
/// recipient, or until its deadline. No thread per waiter: each wait is a timer on the
/// waiter's own executor, and a publish completes the waiters of its recipient.
///
/// Lost wake-ups are avoided with tickets: take a ticket, look for messages, then wait with
/// the ticket; a publish in between makes the wait return at once.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hub {

class RecipientWaiters {
public:
    RecipientWaiters();
    /// Pending waits still complete after destruction (their state is shared).
    ~RecipientWaiters();
    RecipientWaiters(const RecipientWaiters&) = delete;
    RecipientWaiters& operator=(const RecipientWaiters&) = delete;

    /// The recipient's publish count, to pass to wait(). Thread-safe.
    std::uint64_t ticket(const std::string& recipient);
    /// Returns once notify(recipient) has been called since `ticket` was taken (at once if
    /// it already was) or at `until`, whichever is first. Spurious returns are possible;
    /// callers look again. Runs on the caller's executor.
    boost::asio::awaitable<void> wait(std::string recipient,
                                      std::uint64_t ticket,
                                      std::chrono::steady_clock::time_point until);
    /// Wakes every current waiter of `recipient`. Thread-safe; call after the message is
    /// visible to take().
    void notify(const std::string& recipient);
    /// Wakes every current waiter of every recipient (shutdown). Thread-safe.
    void notify_all();
    /// Waits in progress (for tests).
    std::size_t waiting() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace hub
