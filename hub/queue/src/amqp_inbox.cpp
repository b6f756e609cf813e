#include "hub/queue/amqp_inbox.h"

#include <algorithm>
#include <utility>

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

/// The first items whose bytes fit in `max_bytes` (at least one), as the embedded inbox
/// claims them; the rest go back to the queue for the next poll.
std::vector<QueueMessage> within(AmqpQueue& queue,
                                 const std::string& recipient,
                                 std::vector<std::pair<QueueMessage, std::int64_t>> items,
                                 std::size_t max_bytes) {
    std::vector<QueueMessage> out;
    std::vector<std::string> back;
    auto budget = static_cast<std::int64_t>(max_bytes);
    for (auto& [message, bytes] : items) {
        if (!back.empty() || (!out.empty() && bytes > budget)) {
            back.push_back(message.id);
            continue;
        }
        budget -= bytes;
        out.push_back(std::move(message));
    }
    if (!back.empty()) {
        queue.release(recipient, back);
    }
    return out;
}

}  // namespace

AmqpInbox::AmqpInbox(AmqpQueue& queue, OutboxStore& outbox, EnvelopeStore& envelopes, Logger& log)
    : queue_(queue), outbox_(outbox), envelopes_(envelopes), log_(log) {}

boost::asio::awaitable<Result<std::optional<std::int64_t>>> AmqpInbox::open_bytes(
    const QueueMessage& message) {
    if (message.kind == "status") {
        auto status = co_await envelopes_.get_status(message.id);
        if (!status) {
            co_return status.error();
        }
        if (!*status || (*status)->notified) {
            co_return std::nullopt;
        }
        co_return static_cast<std::int64_t>((*status)->notice.size());
    }
    auto delivery = co_await envelopes_.get_delivery(message.id);
    if (!delivery) {
        co_return delivery.error();
    }
    // A delivery is closed by its first ack, which records its arrival.
    if (!*delivery || (*delivery)->arrived_at.has_value()) {
        co_return std::nullopt;
    }
    auto envelope = co_await envelopes_.load_envelope((*delivery)->envelope_seq, false);
    if (!envelope) {
        co_return envelope.error();
    }
    if (!*envelope) {
        co_return std::nullopt;
    }
    co_return static_cast<std::int64_t>((*envelope)->header.size() +
                                        (*envelope)->signature.size());
}

boost::asio::awaitable<Result<std::vector<QueueMessage>>> AmqpInbox::take(
    std::string recipient,
    std::size_t max,
    std::size_t max_bytes,
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
        std::vector<std::pair<QueueMessage, std::int64_t>> open;
        for (auto& m : *taken) {
            auto bytes = co_await open_bytes(m);
            if (!bytes) {
                co_return bytes.error();
            }
            if (!*bytes) {
                // A second copy of something the recipient already acked: gone for good.
                log_.info("amqp_duplicate_dropped", "id=" + m.id);
                (void)co_await queue_.ack(recipient, m.id);
                continue;
            }
            open.emplace_back(std::move(m), **bytes);
        }
        if (!open.empty() || taken->empty() || std::chrono::steady_clock::now() >= deadline) {
            std::stable_sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
                return seq_of(a.first) < seq_of(b.first);
            });
            co_return within(queue_, recipient, std::move(open), max_bytes);
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
