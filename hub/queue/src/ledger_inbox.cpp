#include "hub/queue/ledger_inbox.h"

#include <algorithm>

namespace hub {

LedgerInbox::LedgerInbox(OutboxStore& store,
                         const Clock& clock,
                         std::chrono::milliseconds visibility)
    : store_(store), clock_(clock), visibility_(visibility) {
    store_.on_inbox_items([this](const std::string& recipient) { waiters_.notify(recipient); });
}

boost::asio::awaitable<Result<std::vector<QueueMessage>>> LedgerInbox::take(
    std::string recipient, std::size_t max, std::size_t max_bytes, std::chrono::milliseconds wait) {
    using std::chrono::steady_clock;
    if (max == 0) {
        co_return std::vector<QueueMessage>{};
    }
    const auto deadline = steady_clock::now() + wait;
    for (;;) {
        // Before looking, so a commit between the look and the wait is not missed.
        const std::uint64_t ticket = waiters_.ticket(recipient);
        const Instant now = clock_.now();
        auto claim = co_await store_.claim_inbox(recipient, max, max_bytes, now, visibility_);
        if (!claim) {
            co_return claim.error();
        }
        if (!claim->items.empty()) {
            std::vector<QueueMessage> messages;
            messages.reserve(claim->items.size());
            for (auto& item : claim->items) {
                messages.push_back(QueueMessage{std::move(item.item_id), recipient, item.kind,
                                                std::to_string(item.ref), item.created_at,
                                                item.attempt});
            }
            co_return messages;
        }
        const auto wall = steady_clock::now();
        if (wall >= deadline || interrupted_) {
            co_return std::vector<QueueMessage>{};
        }
        auto until = deadline;
        if (claim->next_visible_at) {
            // Wake when the earliest offered item comes back, read on the hub clock.
            const auto in = std::max(std::chrono::milliseconds(1),
                                     std::chrono::duration_cast<std::chrono::milliseconds>(
                                         *claim->next_visible_at - clock_.now()));
            until = std::min(until, wall + in);
        }
        co_await waiters_.wait(recipient, ticket, until);
    }
}

void LedgerInbox::interrupt_waits() {
    interrupted_ = true;
    waiters_.notify_all();
}

boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> LedgerInbox::depths() {
    return store_.open_items("inbox");
}

}  // namespace hub
