#pragma once
/// The Queue on a RabbitMQ broker (rabbitmq-c 0.11), one durable quorum queue per recipient
/// (`<queue_prefix><canonical code>`) bound to a direct exchange, with a dead-letter exchange
/// and queue always declared and a delivery limit, so a poison message ends in the
/// dead-letter queue on RabbitMQ 3.x and 4.x alike.
///
/// Two connections, each owned by a thread of its own (rabbitmq-c blocks and is not
/// thread-safe): one publishes with publisher confirms (a window of unconfirmed messages; the
/// basic.ack/basic.nack frames are read here, as 0.11 has no confirm-wait helper), the other
/// takes with basic.get and manual acks. Taken messages stay unacked on the broker while this
/// object holds them (at most `prefetch` per recipient); the visibility timeout is applied
/// here, on the hub clock, and a message offered more than `delivery_limit` times is rejected
/// to the dead-letter exchange. When a connection drops, the broker requeues what was held
/// and the next take receives it again (its attempt from the broker's x-delivery-count).
///
/// Publishing a message id that this object published and nobody acked yet stores nothing;
/// a copy that still reaches the queue (published by another process, or before a restart)
/// is acked away when taken while the first copy is held. What was acked is gone: the daemon
/// filters redeliveries of acked items against the ledger (AmqpInbox).
///
/// While the broker is down every call fails with UNAVAILABLE at once; a connection is tried
/// again after a backoff (100 ms doubling to 5 s), also without traffic, so connected()
/// turns true on its own. amqp.h stays out of this header.

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/queue/queue.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hub {

/// Client certificate and trust for `amqps://` (config `queue.amqp_tls`); all paths.
struct AmqpTls {
    std::string ca;
    std::string cert;
    std::string key;
};

struct AmqpOptions {
    /// `amqp://[user:password@]host[:port][/vhost]` or `amqps://...`.
    std::string url;
    /// When set, used instead of the URL's credentials (config `queue.amqp_credentials_file`).
    std::string user;
    std::string password;
    AmqpTls tls;
    std::string exchange = "lienthong";
    std::string dead_letter_exchange = "lienthong.dead";
    std::string dead_letter_queue = "lienthong.dead";
    /// Queue name = prefix + recipient's canonical code. Tests use a prefix of their own.
    std::string queue_prefix = "lienthong.agency.";
    /// Most messages held unacked per recipient (config `queue.amqp_prefetch`).
    std::size_t prefetch = 100;
    /// Most published messages awaiting their confirm (config `queue.amqp_confirm_window`).
    std::size_t confirm_window = 256;
    /// Offers of one message before it is dead-lettered (config `queue.delivery_limit`).
    std::uint32_t delivery_limit = 10;
    std::chrono::milliseconds visibility{std::chrono::seconds(60)};
    std::chrono::seconds heartbeat{10};
    /// Bound on connecting and on every broker round trip.
    std::chrono::milliseconds timeout{std::chrono::seconds(5)};
};

/// Checks an AMQP URL as AmqpQueue reads it; the error names what is wrong (MALFORMED).
Result<void> check_amqp_url(const std::string& url);

class AmqpQueue final : public Queue {
public:
    /// Starts both connection threads; connects in the background (the broker may be down).
    /// `clock` and `log` must outlive the queue.
    AmqpQueue(AmqpOptions options, const Clock& clock, Logger& log);
    /// Closes both connections (the broker requeues what was held) and joins the threads.
    ~AmqpQueue() override;
    /// The same, early: calls in flight are abandoned (for daemon shutdown, before the
    /// io_context their callers run on goes away). Idempotent.
    void shutdown();
    AmqpQueue(const AmqpQueue&) = delete;
    AmqpQueue& operator=(const AmqpQueue&) = delete;

    /// Returns once the broker confirmed every message (durable on a quorum queue).
    boost::asio::awaitable<Result<void>> publish(std::vector<QueueMessage> messages) override;
    boost::asio::awaitable<Result<std::vector<QueueMessage>>> take(
        std::string recipient, std::size_t max, std::chrono::milliseconds wait) override;
    boost::asio::awaitable<Result<bool>> ack(std::string recipient, std::string id) override;
    void interrupt_waits() override;
    /// Takes back an offer: the held messages `ids` of `recipient`, taken but not handed on
    /// (an answer that was full), are visible again at once and that offer does not count
    /// towards their delivery limit. Ids not held are ignored. Thread-safe.
    void release(const std::string& recipient, const std::vector<std::string>& ids);
    /// Ready messages on the broker plus the ones held here, for the recipients this object
    /// has published to or taken from.
    boost::asio::awaitable<Result<std::map<std::string, std::size_t>>> depths() override;

    /// Both connections are open (for /readyz). Thread-safe.
    bool connected() const;
    /// Wakes long polls of `recipient` (another component published for it). Thread-safe.
    void notify(const std::string& recipient);

    /// Opaque: the connections, their threads and what is held (amqp_queue.cpp).
    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace hub
