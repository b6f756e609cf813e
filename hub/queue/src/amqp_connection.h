#pragma once
// One rabbitmq-c connection with channel 1 open and the hub's topology declared, reconnected
// with a backoff. Private to hub/queue: it is the only place amqp.h is included, and it is
// used from exactly one thread (rabbitmq-c connections are not thread-safe).

#include "hub/core/logger.h"
#include "hub/core/result.h"
#include "hub/queue/amqp_queue.h"

#include <amqp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

namespace hub::amqp {

/// The URL's parts, with credentials from the options when they are set there.
struct Endpoint {
    std::string host;
    int port = 5672;
    std::string vhost = "/";
    std::string user = "guest";
    std::string password = "guest";
    bool tls = false;
};

/// MALFORMED when the URL is not amqp:// or amqps://.
Result<Endpoint> parse_endpoint(const AmqpOptions& options);

class Connection {
public:
    /// `role` names the connection in logs ("publish", "consume").
    Connection(const AmqpOptions& options, Logger& log, std::string role, bool confirms);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Opens the connection unless it is open or the backoff since the last failure has not
    /// passed (UNAVAILABLE at once then). A new connection starts a new generation.
    Result<void> ensure();
    /// Closes with the close handshake (the broker requeues unacked messages).
    void close();
    /// Forgets the connection after an error, without a handshake, and starts the backoff.
    void drop(const std::string& why);

    bool is_open() const { return conn_ != nullptr; }
    /// Thread-safe.
    bool up() const { return up_.load(); }
    std::uint64_t generation() const { return generation_; }
    amqp_connection_state_t raw() const { return conn_; }

    /// Declares the recipient queue `name` (durable quorum, dead-letter exchange, delivery
    /// limit) and binds it with routing key `name`; cached per connection unless `count` is
    /// wanted. Returns the ready message count.
    Result<std::uint32_t> declare_queue(const std::string& name, bool count = false);

    /// The failure of a reply: drops the connection and returns UNAVAILABLE naming `what`.
    Failure failed(const char* what, const amqp_rpc_reply_t& reply);
    /// The failure of a library status code, the same way.
    Failure failed(const char* what, int status);

    /// Sends a heartbeat and notices a close from the broker; drops the connection when
    /// either fails. Call about once a second while idle.
    void keepalive();

    /// Delivery tags of published messages (channel 1, after confirm.select).
    std::uint64_t next_tag = 0;

private:
    Result<void> open();
    Result<void> declare_topology();

    const AmqpOptions& options_;
    Logger& log_;
    std::string role_;
    bool confirms_;
    amqp_connection_state_t conn_ = nullptr;
    std::atomic<bool> up_{false};
    std::uint64_t generation_ = 0;
    std::set<std::string> declared_;
    std::chrono::steady_clock::time_point retry_at_{};
    std::chrono::milliseconds backoff_{0};
    bool reported_down_ = false;
};

}  // namespace hub::amqp
