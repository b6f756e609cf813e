#pragma once
/// The hub's HTTPS listener: Beast over OpenSSL, mutual TLS, HTTP/1.1 keep-alive, size limits,
/// per-phase timeouts and a graceful stop. Endpoints are not its business: every request that
/// passes the transport checks goes to one Handler, which answers (404 included).

#include "hub/core/logger.h"
#include "hub/core/result.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hub::http {

/// What a handler sees of one HTTP request.
struct Request {
    boost::beast::http::verb method = boost::beast::http::verb::unknown;
    /// Decoded path without the query, e.g. "/v1/inbox/abc/ack".
    std::string path;
    /// Decoded query parameters; the last one wins when a name repeats.
    std::map<std::string, std::string> query;
    /// Content-Type and Accept headers as sent (empty when absent).
    std::string content_type;
    std::string accept;
    /// The body when it is at most ServerOptions::spill_bytes long.
    std::string body;
    /// Otherwise the path of a file holding the body (and `body` is empty). The server removes
    /// whatever is still at this path once the handler has returned, so a handler that wants
    /// to keep the bytes renames the file.
    std::string body_file;
    /// Lower-case hex SHA-256 of the DER of the peer's leaf certificate, when the client
    /// presented one (it then chained to the listener's client CA, or the handshake failed).
    std::optional<std::string> client_cert_sha256;
    /// 16 hex characters, random; also sent back as X-Request-Id.
    std::string request_id;
    /// Peer address, "ip:port".
    std::string remote;
    /// Every header, names in lower case; repeated headers joined with ", ".
    std::map<std::string, std::string> headers;

    /// The value of header `lower_name`, or "" when absent.
    const std::string& header(const std::string& lower_name) const;
};

/// A response body streamed from a file rather than held in memory: `length` bytes from
/// `offset` of the file at `path`, read in bounded chunks while they are written.
struct FileRange {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// What a handler answers. The server adds Content-Length, X-Request-Id and Connection.
struct Response {
    unsigned status = 200;
    std::string content_type;
    /// The body, unless `file` is set (then `body` is ignored).
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// Streams the body from a file (downloads of large attachments). Initialized here so
    /// that aggregate initializations that stop before it stay warning-free.
    std::optional<FileRange> file = std::nullopt;
    /// The stable code of an error answer (error_response sets it), for metrics by outcome;
    /// nullopt for a success.
    std::optional<errc> error = std::nullopt;
};

/// Called once per request on the connection's strand; may suspend. With several io threads
/// handlers of different connections run concurrently. An exception becomes 500 INTERNAL.
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

/// Decides about a request from its header alone (see ServerOptions::authorize): nullopt lets
/// it through, a Failure is the answer.
using Authorize = std::function<std::optional<Failure>(const Request& head)>;

/// The key per-principal connection limits count by (the caller's organization) for a client
/// certificate fingerprint (lower-case hex SHA-256); nullopt: not counted.
using Principal = std::function<std::optional<std::string>(const std::string& cert_sha256)>;

/// Listener configuration; the daemon fills it from config.proto.
struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the system picks; start() tells which
    /// PEM files: the server chain (leaf first) and its private key.
    std::string cert_chain_file;
    std::string key_file;
    /// PEM CA certificates client certificates must chain to. Empty: no client certificates
    /// are asked for (then require_client_cert must be false).
    std::string client_ca_file;
    /// true: a client without a certificate fails the handshake. false: a certificate is
    /// asked for but may be absent (the handler sees nullopt and answers 401 itself).
    bool require_client_cert = true;
    std::size_t max_body_bytes = 64 * 1024 * 1024;  // larger bodies: 413 PAYLOAD_TOO_LARGE
    std::size_t max_header_bytes = 16 * 1024;       // larger headers: 431, then close
    /// Open connections per listener. At the limit, the oldest connection that is still
    /// handshaking or idle between requests is closed to make room; when every connection is
    /// busy, a new one is accepted and closed at once.
    std::size_t max_connections = 1024;
    /// Open connections from one client IP address; more are accepted and closed at once.
    /// 0: no limit (also for the next one).
    std::size_t max_connections_per_address = 64;
    /// Open connections per principal (see `principal`); the connection over the limit gets
    /// its first request answered 429 RATE_LIMITED (with Retry-After) and is closed.
    std::size_t max_connections_per_principal = 64;
    /// A connection that has not finished its TLS handshake by then is closed.
    std::chrono::milliseconds handshake_timeout{5'000};
    /// From the first byte of a request to the end of its header (slow-loris guard).
    std::chrono::milliseconds header_timeout{10'000};
    /// From the end of the header to the end of the body.
    std::chrono::milliseconds body_timeout{120'000};
    /// Keep-alive: how long a connection may wait for its next request.
    std::chrono::milliseconds idle_timeout{60'000};
    /// Bodies longer than this go to a file in spill_dir (temp_directory_path() when empty),
    /// created 0600 and named "lienthong-body-<request id>"; files of that name left by a
    /// killed process are the owner's to clean at start-up.
    std::size_t spill_bytes = 1024 * 1024;
    std::string spill_dir;
    /// "agency" / "operator": names the listener in log lines.
    std::string name = "https";
    /// Called on the connection's strand once a request's header is read, before any byte of
    /// its body is read or stored and before 100 Continue. `head` has every Request field
    /// except `body` and `body_file`. A Failure is answered at once (error_response, so
    /// RATE_LIMITED carries Retry-After) and the connection is closed without keeping the
    /// body. Must not block; may be called from several threads at once. Empty: all pass.
    Authorize authorize;
    /// Renders the listener's own refusals (authorize's, limits') for APIs with an error
    /// shape of their own; `answer` is error_response's. Empty: error_response as it is.
    std::function<Response(const Request& head, const Failure& failure, Response answer)>
        render_refusal;
    /// Called on the connection's strand after the handshake when the client presented a
    /// certificate. Empty: no per-principal limit.
    Principal principal;
};

class Listener;

/// One HTTPS listener. Thread-safe: start(), stop() and active_connections() may be called
/// from any thread. Connections run on strands of the given io_context, which may be run by
/// several threads. Destroy a Server only after wait_stopped() has completed or the
/// io_context has been stopped.
class Server {
public:
    /// Keeps `log` by reference; copies the handler.
    Server(boost::asio::io_context& io, ServerOptions options, Handler handler, Logger& log);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Loads the certificates, binds, listens and starts accepting. Returns the bound port.
    /// Failures (unreadable or mismatched cert/key, address in use) are errc::unavailable with
    /// the reason in the message. Call once.
    Result<std::uint16_t> start();

    /// Begins a graceful stop and returns at once: stops accepting, closes idle keep-alive
    /// connections, lets requests already being read or handled finish and get their answer
    /// (with Connection: close), and after `drain` closes whatever is left. Idempotent.
    void stop(std::chrono::milliseconds drain);

    /// Completes when stop() has finished: the acceptor is closed and no connection is left
    /// (a handler that ignores the cancellation at the drain deadline delays this). Before
    /// stop() it just waits. May be awaited from any executor, by several waiters.
    boost::asio::awaitable<void> wait_stopped();

    /// Open connections (accepted and not yet closed).
    std::size_t active_connections() const;

private:
    std::shared_ptr<Listener> listener_;
};

}  // namespace hub::http
