#pragma once
// A real hub::http::Server on 127.0.0.1 port 0 with io threads of its own, a handler that
// records what it saw, and a raw TLS client for the requests hub::http::Client will not send
// (half headers, chunked bodies, lying Content-Length).

#include "hub/core/logger.h"
#include "hub/http/client.h"
#include "hub/http/server.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "unit/http/outcome.h"
#include "unit/http/test_pki.h"

namespace hub::http::test {

using namespace std::chrono_literals;

/// Options for a listener with the test PKI: client certificates asked for, not required.
ServerOptions test_options();

/// Client options trusting the test CA; with the test client certificate when `with_cert`.
ClientOptions client_options(std::uint16_t port, bool with_cert = true);

/// What the recording handler saw, in order.
struct Seen {
    std::mutex mutex;
    std::vector<Request> requests;

    std::size_t count();
    Request last();
};

/// Records the request and answers 200 text/plain "ok <request_id>".
Handler recording_handler(std::shared_ptr<Seen> seen);

class TestServer {
public:
    /// Starts the server; throws when start() fails. `threads` io threads run it.
    TestServer(ServerOptions options, Handler handler, int threads = 2);
    ~TestServer();

    Server& server() { return *server_; }
    std::uint16_t port() const { return port_; }
    boost::asio::io_context& io() { return io_; }

    /// stop(drain), then true when wait_stopped() completed within `deadline`.
    bool stop_and_wait(std::chrono::milliseconds drain, std::chrono::milliseconds deadline);

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    Logger log_{LogLevel::warn};
    std::unique_ptr<Server> server_;
    std::uint16_t port_ = 0;
    std::vector<std::thread> threads_;
    bool stopped_ = false;
};

/// Polls `done` until it is true or `deadline` passes; returns its last value.
template <class F>
bool eventually(F done, std::chrono::milliseconds deadline = 5s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/// A TLS connection driven byte by byte. Every call is bounded by `timeout`.
class RawTls {
public:
    struct ReadResult {
        boost::system::error_code ec;  // how the read ended
        std::string data;              // what arrived before that
    };
    struct HttpResult {
        boost::system::error_code ec;
        unsigned status = 0;
        std::string body;
        std::string connection;  // the Connection header
    };

    struct Options {
        /// Bind the client socket to this local address first ("127.0.0.2"); "" = any.
        std::string source_address;
        /// SO_RCVBUF before connecting (0: the system's, autotuned), to keep a slow reader
        /// from buffering much of a streamed answer.
        int receive_buffer = 0;
        /// Present the test client certificate.
        bool with_cert = true;
    };

    explicit RawTls(std::uint16_t port, std::chrono::milliseconds timeout = 5s);
    RawTls(std::uint16_t port, std::chrono::milliseconds timeout, Options options);
    /// TCP connect only (no handshake): a socket that holds a slot and says nothing.
    boost::system::error_code connect_tcp();
    /// TCP connect (unless connect_tcp() already did) and TLS handshake.
    boost::system::error_code connect();
    boost::system::error_code write(const std::string& bytes);
    /// Reads until the peer closes, an error, or the timeout (ec = beast timeout). After
    /// connect_tcp() alone it reads the bare TCP socket.
    ReadResult read_until_close();
    /// Reads exactly `n` decrypted bytes (less on error or timeout, with ec set).
    ReadResult read_exactly(std::size_t n);
    /// Reads one HTTP response.
    HttpResult read_response();

private:
    template <class T>
    T run(boost::asio::awaitable<T> work);

    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    Options options_;
    bool tcp_connected_ = false;
    bool handshaken_ = false;
    boost::asio::io_context io_;
    boost::asio::ssl::context tls_;
    std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace hub::http::test
