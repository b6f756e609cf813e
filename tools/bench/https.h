#pragma once
// The bench's own HTTPS/1.1 client: one keep-alive connection owned by one coroutine, the
// server certificate verified against the dev CA, a client certificate presented. The same
// code sends every workload, so what differs between a baseline and its subject is the
// request, never the client.

#include "hub/core/result.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

/// Who the client is: the CA that must have issued the hub's certificate, and the client
/// certificate and key presented in the handshake (files of a dev environment).
struct Identity {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
};

/// A TLS 1.2/1.3 client context for `id`. Throws std::runtime_error when a file does not
/// load (set-up, before anything is measured). Shared by every connection of one identity.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const Identity& id);

struct Response {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

/// `METHOD target HTTP/1.1` with Host, Accept and, when `content_type` is not empty or the
/// method is POST, Content-Type and Content-Length; ends with the blank line.
std::string request_head(std::string_view method,
                         std::string_view target,
                         std::string_view content_type,
                         std::string_view accept,
                         std::size_t content_length);

/// One connection to 127.0.0.1:port. Not thread-safe: use it from the coroutine that owns
/// it, on its executor. Failures (connect, TLS, timeouts, a closed connection) are UNAVAILABLE
/// values; after one the connection is closed and the next exchange reconnects.
class Connection {
public:
    Connection(boost::asio::any_io_executor executor,
               std::shared_ptr<boost::asio::ssl::context> tls,
               std::uint16_t port);

    /// TCP connect and TLS handshake, each within `timeout`.
    boost::asio::awaitable<hub::Result<void>> connect(std::chrono::milliseconds timeout);

    /// Writes `request` (a complete HTTP/1.1 request: head and body in one buffer) and reads
    /// the whole response, each within `timeout`. Connects first when closed.
    boost::asio::awaitable<hub::Result<Response>> exchange(std::string_view request,
                                                           std::chrono::milliseconds timeout);

    /// Closes the socket: a pending operation and any later one on this connection fail at
    /// once (until the next connect). Call on the connection's executor.
    void abort();

    bool is_open() const { return open_; }
    const boost::asio::any_io_executor& executor() const { return executor_; }
    /// Connections made so far, the first one included.
    int connects() const { return connects_; }

private:
    using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    boost::asio::any_io_executor executor_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::uint16_t port_;
    std::optional<Stream> stream_;
    boost::beast::flat_buffer buffer_;
    bool open_ = false;
    int connects_ = 0;
};

/// Printable, one line, at most `limit` bytes: for error bodies in reports.
std::string printable(std::string_view text, std::size_t limit = 300);

}  // namespace bench

namespace bench {

/// One GET on a fresh connection, blocking the calling thread (readiness checks only).
hub::Result<Response> fetch_once(std::uint16_t port,
                                 const Identity& id,
                                 std::string_view target,
                                 std::chrono::milliseconds timeout);

}  // namespace bench
