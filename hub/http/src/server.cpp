#include "hub/http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

#include "listener.h"
#include "tls.h"

namespace hub::http {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Completion handler for co_spawn: a session or loop that throws is a bug; log it.
struct LogException {
    Logger* log;
    std::string listener;
    const char* what;
    // Keeps a session's cancellation signal alive as long as the slot bound to it.
    std::shared_ptr<Connection> connection = nullptr;
    void operator()(const std::exception_ptr& e) const {
        if (!e) {
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log->error("coroutine_exception", "listener=" + log_value(listener) + " in=" + what +
                                                  " what=" + log_value(ex.what()));
        } catch (...) {
            log->error("coroutine_exception",
                       "listener=" + log_value(listener) + " in=" + what + " what=unknown");
        }
    }
};

}  // namespace

ConnectionLease::ConnectionLease(std::shared_ptr<Listener> listener,
                                 std::shared_ptr<Connection> connection)
    : listener_(std::move(listener)), connection_(std::move(connection)) {}

ConnectionLease::~ConnectionLease() {
    if (listener_ && connection_) {
        listener_->release(connection_);
    }
}

Listener::Listener(asio::io_context& io, ServerOptions options, Handler handler, Logger& log)
    : io_(io),
      options_(std::move(options)),
      handler_(std::move(handler)),
      log_(log),
      tls_(asio::ssl::context::tls_server),
      control_(asio::make_strand(io)),
      acceptor_(control_),
      drain_timer_(control_) {}

Result<std::uint16_t> Listener::start() {
    if (auto tls = configure_server_tls(tls_, options_); !tls) {
        return tls.error();
    }
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.address, ec);
    if (ec) {
        return fail(errc::unavailable, "",
                    "listen address " + options_.address + ": " + ec.message());
    }
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        return fail(errc::unavailable, "",
                    "listen on " + options_.address + ":" + std::to_string(options_.port) + ": " +
                        ec.message());
    }
    std::uint16_t port = acceptor_.local_endpoint(ec).port();
    log_.info("listener_started", "listener=" + log_value(options_.name) +
                                      " address=" + log_value(options_.address) +
                                      " port=" + std::to_string(port));
    asio::co_spawn(control_, accept_loop(shared_from_this()),
                   LogException{&log_, options_.name, "accept_loop"});
    return port;
}

asio::awaitable<void> Listener::accept_loop(std::shared_ptr<Listener> self) {
    const ServerOptions& options = self->options_;
    for (;;) {
        // Each connection gets its own strand, so the io_context may run on several threads.
        auto [ec, socket] = co_await self->acceptor_.async_accept(
            asio::any_io_executor(asio::make_strand(self->io_)),
            asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) {
            co_return;
        }
        if (ec) {
            // EMFILE and friends: back off instead of spinning on the error.
            self->log_.warn("accept_failed", "listener=" + log_value(options.name) +
                                                 " error=" + log_value(ec.message()));
            asio::steady_timer pause(self->control_, std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        boost::system::error_code ignored;
        if (self->stopping()) {
            socket.close(ignored);
            continue;
        }
        auto peer = socket.remote_endpoint(ignored);
        const std::string address = peer.address().to_string();
        auto connection = std::make_shared<Connection>(socket.get_executor());
        connection->address = address;
        std::shared_ptr<Connection> victim;
        const char* refused = nullptr;
        {
            std::lock_guard lock(self->mutex_);
            if (options.max_connections_per_address != 0 &&
                self->per_address_[address] >= options.max_connections_per_address) {
                refused = "max_connections_per_address";
            } else if (self->connections_.size() >= options.max_connections) {
                // Sockets that never handshake, or sit idle, must not lock real clients
                // out: the oldest of them makes room.
                victim = self->pick_evictable();
                if (!victim) {
                    refused = "max_connections";
                }
            }
            if (refused == nullptr) {
                ++self->per_address_[address];
                self->connections_.push_back(connection);
            } else if (self->per_address_[address] == 0) {
                self->per_address_.erase(address);
            }
        }
        if (refused != nullptr) {
            self->log_.warn("connection_refused", "listener=" + log_value(options.name) +
                                                      " reason=" + refused + " remote=" + address +
                                                      ":" + std::to_string(peer.port()));
            socket.close(ignored);
            continue;
        }
        if (victim) {
            self->log_.info("connection_evicted",
                            "listener=" + log_value(options.name) +
                                " reason=max_connections remote=" + victim->address);
            asio::post(victim->executor, [victim] {
                // Closed only while still idle; a connection that started a request ends
                // at its next idle moment instead (run_session checks `evicted`).
                if (victim->stream != nullptr && victim->idle) {
                    victim->stream->close();
                }
            });
        }
        auto exec = connection->executor;
        auto slot = connection->cancel.slot();
        LogException on_exit{&self->log_, options.name, "session", connection};
        asio::co_spawn(exec,
                       run_session(ConnectionLease(self, std::move(connection)), std::move(socket)),
                       asio::bind_cancellation_slot(slot, std::move(on_exit)));
    }
}

std::shared_ptr<Connection> Listener::pick_evictable() {
    for (auto& candidate : connections_) {
        if (candidate->idle && !candidate->evicted) {
            candidate->evicted = true;
            return candidate;
        }
    }
    return nullptr;
}

bool Listener::claim_principal(Connection& connection, const std::string& principal) {
    std::lock_guard lock(mutex_);
    auto& count = per_principal_[principal];
    if (options_.max_connections_per_principal != 0 &&
        count >= options_.max_connections_per_principal) {
        if (count == 0) {
            per_principal_.erase(principal);
        }
        return false;
    }
    ++count;
    connection.principal = principal;
    return true;
}

void Listener::release(const std::shared_ptr<Connection>& connection) {
    bool drained = false;
    {
        std::lock_guard lock(mutex_);
        connections_.remove(connection);
        drained = connections_.empty();
        auto uncount = [](std::map<std::string, std::size_t>& counts, const std::string& key) {
            auto it = counts.find(key);
            if (it != counts.end() && --it->second == 0) {
                counts.erase(it);
            }
        };
        uncount(per_address_, connection->address);
        if (!connection->principal.empty()) {
            uncount(per_principal_, connection->principal);
        }
    }
    if (drained && stopping()) {
        asio::post(control_, [self = shared_from_this()] { self->finish_if_drained(); });
    }
}

std::size_t Listener::active() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

void Listener::stop(std::chrono::milliseconds drain) {
    asio::post(control_, [self = shared_from_this(), drain] { self->begin_stop(drain); });
}

void Listener::begin_stop(std::chrono::milliseconds drain) {
    if (stop_requested_) {
        return;
    }
    stop_requested_ = true;
    stopping_.store(true);
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    log_.info("listener_stopping", "listener=" + log_value(options_.name) +
                                       " connections=" + std::to_string(active()) +
                                       " drain_ms=" + std::to_string(drain.count()));
    close_connections(/*idle_only=*/true);
    drain_timer_.expires_after(drain);
    drain_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec) {
            return;  // cancelled: everything closed in time
        }
        if (std::size_t left = self->active(); left != 0) {
            self->log_.warn("drain_timeout", "listener=" + log_value(self->options_.name) +
                                                 " closing=" + std::to_string(left));
            self->close_connections(/*idle_only=*/false);
        }
    });
    finish_if_drained();
}

void Listener::close_connections(bool idle_only) {
    std::vector<std::shared_ptr<Connection>> copy;
    {
        std::lock_guard lock(mutex_);
        copy.assign(connections_.begin(), connections_.end());
    }
    // Each stream belongs to its session's strand: close it there.
    for (auto& connection : copy) {
        asio::post(connection->executor, [connection, idle_only] {
            // stream is set only while the session coroutine runs, so the signal is only
            // emitted at a coroutine that is there to receive it.
            if (connection->stream == nullptr || (idle_only && !connection->idle)) {
                return;
            }
            if (!idle_only) {
                connection->cancel.emit(asio::cancellation_type::terminal);
            }
            connection->stream->close();
        });
    }
}

void Listener::finish_if_drained() {
    if (!stop_requested_ || stopped_ || active() != 0) {
        return;
    }
    stopped_ = true;
    drain_timer_.cancel();
    for (auto& waiter : waiters_) {
        waiter->cancel();
    }
    waiters_.clear();
    log_.info("listener_stopped", "listener=" + log_value(options_.name));
}

asio::awaitable<void> Listener::wait_stopped(std::shared_ptr<Listener> self) {
    // The waiter list belongs to the control strand, so the waiting happens there.
    auto control = self->control_;
    co_await asio::co_spawn(control, wait_on_control(std::move(self)), asio::use_awaitable);
}

asio::awaitable<void> Listener::wait_on_control(std::shared_ptr<Listener> self) {
    if (self->stopped_) {
        co_return;
    }
    auto timer =
        std::make_shared<asio::steady_timer>(self->control_, asio::steady_timer::time_point::max());
    self->waiters_.push_back(timer);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
}

Server::Server(asio::io_context& io, ServerOptions options, Handler handler, Logger& log)
    : listener_(std::make_shared<Listener>(io, std::move(options), std::move(handler), log)) {}

Server::~Server() {
    // Releases the port even when the owner forgot stop(); connections end on their own.
    listener_->stop(std::chrono::milliseconds(0));
}

Result<std::uint16_t> Server::start() { return listener_->start(); }

void Server::stop(std::chrono::milliseconds drain) { listener_->stop(drain); }

asio::awaitable<void> Server::wait_stopped() { return Listener::wait_stopped(listener_); }

std::size_t Server::active_connections() const { return listener_->active(); }

}  // namespace hub::http
