#pragma once
// Internal: the state one Server shares with its accept loop and its sessions. Sessions hold
// a shared_ptr to it, so it outlives the Server object until the last connection is gone.

#include "hub/http/server.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace hub::http {

// One open connection as stop() and the accept loop see it. `stream` and `cancel` are touched
// only on `executor` (the connection's strand), where its session coroutine runs; `address`
// and `principal` only under the listener's mutex.
struct Connection {
    explicit Connection(boost::asio::any_io_executor exec) : executor(std::move(exec)) {}
    boost::asio::any_io_executor executor;
    boost::beast::tcp_stream* stream = nullptr;  // set while the session's stream exists
    // Handshaking or waiting for a request: closing it loses nothing. Read by the accept
    // loop when it looks for a connection to make room.
    std::atomic<bool> idle{true};
    // Chosen to make room for a new connection: the session ends at its next idle moment.
    std::atomic<bool> evicted{false};
    std::string address;    // client IP, counted against max_connections_per_address
    std::string principal;  // counted against max_connections_per_principal once claimed
    // Bound to the session coroutine: at the drain deadline it aborts whatever the session
    // (or the handler inside it) is waiting for, so a long poll cannot hold up the stop.
    boost::asio::cancellation_signal cancel;
};

class Listener;

// Unregisters its connection when destroyed: when the session coroutine ends, or when its
// frame is destroyed without ever running (io_context torn down).
class ConnectionLease {
public:
    ConnectionLease(std::shared_ptr<Listener> listener, std::shared_ptr<Connection> connection);
    ConnectionLease(ConnectionLease&&) noexcept = default;
    ConnectionLease& operator=(ConnectionLease&&) = delete;
    ~ConnectionLease();

    Connection& connection() const { return *connection_; }
    Listener& listener() const { return *listener_; }

private:
    std::shared_ptr<Listener> listener_;
    std::shared_ptr<Connection> connection_;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(boost::asio::io_context& io, ServerOptions options, Handler handler, Logger& log);

    Result<std::uint16_t> start();
    void stop(std::chrono::milliseconds drain);
    std::size_t active() const;
    static boost::asio::awaitable<void> wait_stopped(std::shared_ptr<Listener> self);

    const ServerOptions& options() const { return options_; }
    Logger& log() const { return log_; }
    boost::asio::ssl::context& tls() { return tls_; }
    const Handler& handler() const { return handler_; }
    // Set once stop() has begun: answer with Connection: close and take no new requests.
    bool stopping() const { return stopping_.load(); }
    // Called by ConnectionLease.
    void release(const std::shared_ptr<Connection>& connection);
    // Counts `connection` against `principal`; false when that principal is at its limit
    // (then it is not counted).
    bool claim_principal(Connection& connection, const std::string& principal);

private:
    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<Listener> self);
    static boost::asio::awaitable<void> wait_on_control(std::shared_ptr<Listener> self);
    void begin_stop(std::chrono::milliseconds drain);
    void close_connections(bool idle_only);
    void finish_if_drained();
    // Under mutex_: the oldest idle connection not already chosen, or null.
    std::shared_ptr<Connection> pick_evictable();

    boost::asio::io_context& io_;
    ServerOptions options_;
    Handler handler_;
    Logger& log_;
    boost::asio::ssl::context tls_;
    // The acceptor, the drain timer, the waiters and the stop flags live on this strand.
    boost::asio::strand<boost::asio::io_context::executor_type> control_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer drain_timer_;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters_;
    bool stop_requested_ = false;
    bool stopped_ = false;
    std::atomic<bool> stopping_{false};

    mutable std::mutex mutex_;  // guards connections_ and the counts below
    std::list<std::shared_ptr<Connection>> connections_;  // oldest first
    std::map<std::string, std::size_t> per_address_;
    std::map<std::string, std::size_t> per_principal_;
};

// Serves one accepted connection to its end; runs on the connection's strand.
boost::asio::awaitable<void> run_session(ConnectionLease lease,
                                         boost::asio::ip::tcp::socket socket);

}  // namespace hub::http
