#pragma once
/// The agency inbox on a RabbitMQ broker: long polls are served from the recipient's queue
/// (AmqpQueue: manual acks, at most `prefetch` held per recipient), which the outbox relay
/// (AmqpRelay) fills from the ledger. The ledger stays the truth: an item the ledger already
/// closed (a copy a crash made the relay publish twice, taken after the first copy was acked)
/// is removed from the broker here and never offered. An ack reaches the broker only after
/// the ledger recorded it (settled()).

#include "hub/core/logger.h"
#include "hub/queue/amqp_queue.h"
#include "hub/queue/inbox.h"
#include "hub/store/ledger.h"

#include <cstdint>
#include <optional>

namespace hub {

class AmqpInbox final : public Inbox {
public:
    /// Every reference must outlive the inbox.
    AmqpInbox(AmqpQueue& queue, OutboxStore& outbox, EnvelopeStore& envelopes, Logger& log);

    /// Items in acceptance (outbox) order within one answer, their fixed bytes within
    /// `max_bytes` as the embedded inbox counts them; what does not fit is given back to the
    /// queue, visible to the next poll at once. Error: UNAVAILABLE (broker down).
    boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient,
        std::size_t max,
        std::size_t max_bytes,
        std::chrono::milliseconds wait) override;
    void interrupt_waits() override;
    /// Open items from the ledger (the truth), not the broker's counts.
    boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> depths() override;
    boost::asio::awaitable<void> settled(std::string recipient, std::string item_id) override;
    bool reachable() const override;

private:
    /// The item's fixed bytes (header and signature, or notice) while the ledger has it
    /// open; nothing once it is closed (the recipient acked it before).
    boost::asio::awaitable<Result<std::optional<std::int64_t>>> open_bytes(
        const QueueMessage& message);

    AmqpQueue& queue_;
    OutboxStore& outbox_;
    EnvelopeStore& envelopes_;
    Logger& log_;
};

}  // namespace hub
