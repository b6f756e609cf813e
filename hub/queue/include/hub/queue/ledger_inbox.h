#pragma once
/// The embedded inbox: items are the ledger's outbox rows of channel "inbox", claimed by one
/// write each (so two polls never take the same item) and woken by the ledger's commits.
/// No database or thread of its own.

#include "hub/core/clock.h"
#include "hub/queue/inbox.h"
#include "hub/queue/recipient_waiters.h"
#include "hub/store/ledger.h"

#include <atomic>
#include <chrono>

namespace hub {

class LedgerInbox final : public Inbox {
public:
    /// Registers itself with `store` for wake-ups. `store` and `clock` must outlive it.
    LedgerInbox(OutboxStore& store, const Clock& clock, std::chrono::milliseconds visibility);

    boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient,
        std::size_t max,
        std::size_t max_bytes,
        std::chrono::milliseconds wait) override;
    void interrupt_waits() override;
    boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> depths() override;

    /// Long polls waiting now (for tests).
    std::size_t waiting() const { return waiters_.waiting(); }

private:
    OutboxStore& store_;
    const Clock& clock_;
    std::chrono::milliseconds visibility_;
    RecipientWaiters waiters_;
    std::atomic<bool> interrupted_{false};
};

}  // namespace hub
