#include "hub/queue/amqp_inbox.h"

#include <algorithm>

namespace hub {

namespace {

/// The outbox seq the relay puts in the payload, for ordering; 0 when absent.
std::int64_t seq_of(const QueueMessage& m) {
    try {
        return std::stoll(m.payload);
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

AmqpInbox::AmqpInbox(AmqpQueue& queue, OutboxStore& outbox, EnvelopeStore& envelopes, Logger& log)
    : queue_(queue), outbox_(outbox), envelopes_(envelopes), log_(log) {}

boost::asio::awaitable<Result<bool>> AmqpInbox::closed(const QueueMessage& message) {
    if (message.kind == "status") {
        auto status = co_await envelopes_.get_status(message.id);
        if (!status) {
            co_return status.error();
        }
        co_return !*status || (*status)->notified;
    }
    auto delivery = co_await envelopes_.get_delivery(message.id);
    if (!delivery) {
        co_return delivery.error();
    }
    // A delivery is closed by its first ack, which records its arrival.
    co_return !*delivery || (*delivery)->arrived_at.has_value();
}

boost::asio::awaitable<Result<std::vector<QueueMessage>>> AmqpInbox::take(
    std::string recipient,
    std::size_t max,
    std::size_t /*max_bytes*/,
    std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        const auto left = std::max(std::chrono::milliseconds(0),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now()));
        auto taken = co_await queue_.take(recipient, max, left);
        if (!taken) {
            co_return taken.error();
        }
        std::vector<QueueMessage> open;
        for (auto& m : *taken) {
            auto done = co_await closed(m);
            if (!done) {
                co_return done.error();
            }
            if (*done) {
                // A second copy of something the recipient already acked: gone for good.
                log_.info("amqp_duplicate_dropped", "id=" + m.id);
                (void)co_await queue_.ack(recipient, m.id);
                continue;
            }
            open.push_back(std::move(m));
        }
        if (!open.empty() || taken->empty() || std::chrono::steady_clock::now() >= deadline) {
            std::stable_sort(open.begin(), open.end(),
                             [](const auto& a, const auto& b) { return seq_of(a) < seq_of(b); });
            co_return open;
        }
    }
}

void AmqpInbox::interrupt_waits() { queue_.interrupt_waits(); }

boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> AmqpInbox::depths() {
    return outbox_.open_items("inbox");
}

boost::asio::awaitable<void> AmqpInbox::settled(std::string recipient, std::string item_id) {
    // False when this process does not hold the item (taken before a restart): the broker
    // offers it again and take() drops it as closed.
    (void)co_await queue_.ack(std::move(recipient), std::move(item_id));
}

bool AmqpInbox::reachable() const { return queue_.connected(); }

}  // namespace hub
