// One connection, one coroutine (STYLE.md example A): handshake, then read a request header,
// check the limits, read the body (into memory or a spill file), call the handler, answer,
// and loop while the connection is kept alive.

#include "hub/http/message.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>

#include "listener.h"
#include "request.h"
#include "tls.h"

namespace hub::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
// After an answer sent without reading the body, keep reading (and discarding) for a while:
// closing with unread data makes the kernel send RST, and the client may lose the answer.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::size_t kLingerBytes = 8 * 1024 * 1024;

enum class After { keep_alive, close, linger };

// Lets stop() reach the stream while the session runs; cleared before the stream dies.
struct StreamRegistration {
    StreamRegistration(Connection& c, beast::tcp_stream& s) : connection(c) {
        connection.stream = &s;
    }
    ~StreamRegistration() { connection.stream = nullptr; }
    StreamRegistration(const StreamRegistration&) = delete;
    StreamRegistration& operator=(const StreamRegistration&) = delete;
    Connection& connection;
};

// The spilled body, removed once the request is answered unless the handler moved it.
struct SpillFile {
    std::string path;
    SpillFile() = default;
    SpillFile(const SpillFile&) = delete;
    SpillFile& operator=(const SpillFile&) = delete;
    ~SpillFile() { remove(); }
    void remove() {
        if (!path.empty()) {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
            path.clear();
        }
    }
};

bool is_disconnect(const boost::system::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
           ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
           ec == asio::error::bad_descriptor;
}

std::string base_fields(const Listener& listener, const std::string& remote) {
    return "listener=" + log_value(listener.options().name) + " remote=" + remote;
}

void log_request(const Listener& listener,
                 const Request& request,
                 unsigned status,
                 std::chrono::steady_clock::time_point started) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    auto method = bhttp::to_string(request.method);
    listener.log().info("http_request",
                        base_fields(listener, request.remote) + " id=" + request.request_id +
                            " method=" + log_value(std::string_view(method.data(), method.size())) +
                            " path=" + log_value(request.path) +
                            " status=" + std::to_string(status) + " ms=" + std::to_string(ms));
}

std::string spill_path(const ServerOptions& options, const std::string& request_id) {
    std::filesystem::path dir = options.spill_dir;
    if (dir.empty()) {
        std::error_code ec;
        dir = std::filesystem::temp_directory_path(ec);
    }
    return (dir / ("lienthong-body-" + request_id)).string();
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

// Writes `response`; false when the write failed (the connection is then unusable).
asio::awaitable<bool> write_response(Listener& listener,
                                     TlsStream& stream,
                                     Response response,
                                     const std::string& request_id,
                                     bool& keep_alive) {
    bhttp::response<bhttp::string_body> out;
    out.version(11);
    // A status no client can read is a handler bug; answer it as one.
    unsigned status = response.status < 200 || response.status > 599 ? 500 : response.status;
    out.result(status);
    if (!response.content_type.empty()) {
        out.set(bhttp::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) {
        // The framing headers are the server's job; a handler's Connection: close is honoured.
        if (beast::iequals(name, "connection")) {
            if (beast::iequals(value, "close")) {
                keep_alive = false;
            }
            continue;
        }
        if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
            beast::iequals(name, "x-request-id")) {
            continue;
        }
        out.insert(name, value);
    }
    out.set("X-Request-Id", request_id);
    if (status != 204 && status != 304) {
        out.body() = std::move(response.body);
        out.prepare_payload();
    }
    out.keep_alive(keep_alive);
    beast::get_lowest_layer(stream).expires_after(listener.options().body_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, out, kTuple);
    if (ec) {
        listener.log().debug("write_failed", "listener=" + log_value(listener.options().name) +
                                                 " id=" + request_id +
                                                 " error=" + log_value(ec.message()));
        co_return false;
    }
    co_return true;
}

// Answers with an error and ends the connection (the caller closes it).
asio::awaitable<After> reject(Listener& listener,
                              TlsStream& stream,
                              const Request& request,
                              const Failure& failure,
                              std::chrono::steady_clock::time_point started,
                              unsigned status = 0) {
    Response response = error_response(failure, request);
    if (status != 0) {
        response.status = status;
    }
    unsigned sent = response.status;
    bool keep_alive = false;
    bool written = co_await write_response(listener, stream, std::move(response),
                                           request.request_id, keep_alive);
    log_request(listener, request, sent, started);
    co_return written ? After::linger : After::close;
}

// Reads the body per the header already in `head`, into request.body or a spill file.
// Returns an error code from Beast (body_limit, timeout, ...) or a Failure for local trouble.
struct BodyOutcome {
    boost::system::error_code ec;
    std::optional<Failure> failure;
};

asio::awaitable<BodyOutcome> read_body(Listener& listener,
                                       TlsStream& stream,
                                       beast::flat_buffer& buffer,
                                       bhttp::request_parser<bhttp::empty_body>& head,
                                       Request& request,
                                       SpillFile& spill) {
    const ServerOptions& options = listener.options();
    auto length = head.content_length();
    // Chunked bodies have no length up front: they go to a file and come back into memory
    // when they turn out small.
    bool to_file = !length || *length > options.spill_bytes;
    beast::get_lowest_layer(stream).expires_after(options.body_timeout);
    if (!to_file) {
        bhttp::request_parser<bhttp::string_body> parser(std::move(head));
        parser.body_limit(options.max_body_bytes);
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (!ec) {
            request.body = std::move(parser.get().body());
        }
        co_return BodyOutcome{ec, std::nullopt};
    }
    bhttp::request_parser<bhttp::file_body> parser(std::move(head));
    parser.body_limit(options.max_body_bytes);
    spill.path = spill_path(options, request.request_id);
    boost::system::error_code open_ec;
    parser.get().body().open(spill.path.c_str(), beast::file_mode::write_new, open_ec);
    if (open_ec) {
        listener.log().error("spill_open_failed", "listener=" + log_value(options.name) +
                                                      " path=" + log_value(spill.path) +
                                                      " error=" + log_value(open_ec.message()));
        spill.path.clear();
        co_return BodyOutcome{{}, fail(errc::unavailable, "", "cannot store the body now")};
    }
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    parser.get().body().close();
    if (ec) {
        co_return BodyOutcome{ec, std::nullopt};
    }
    std::error_code size_ec;
    auto size = std::filesystem::file_size(spill.path, size_ec);
    if (!size_ec && size <= options.spill_bytes) {
        if (!read_file(spill.path, request.body)) {
            co_return BodyOutcome{{}, fail(errc::internal, "", "cannot read the spilled body")};
        }
        spill.remove();
    } else {
        request.body_file = spill.path;
    }
    co_return BodyOutcome{};
}

asio::awaitable<After> serve_request(Listener& listener,
                                     TlsStream& stream,
                                     beast::flat_buffer& buffer,
                                     const std::string& remote,
                                     const std::optional<std::string>& fingerprint) {
    const ServerOptions& options = listener.options();
    auto started = std::chrono::steady_clock::now();
    Request request;
    request.request_id = new_request_id();
    request.remote = remote;
    request.client_cert_sha256 = fingerprint;

    bhttp::request_parser<bhttp::empty_body> head;
    head.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // The body limit is checked against Content-Length below, before any body byte is read.
    head.body_limit(boost::none);
    beast::get_lowest_layer(stream).expires_after(options.header_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, head, kTuple);
    if (ec == bhttp::error::header_limit) {
        co_return co_await reject(listener, stream, request,
                                  fail(errc::malformed, "",
                                       "the request header is larger than " +
                                           std::to_string(options.max_header_bytes) + " bytes"),
                                  started, 431);
    }
    if (ec == beast::error::timeout) {
        listener.log().info("header_timeout", base_fields(listener, remote));
        co_return After::close;
    }
    if (ec && is_disconnect(ec)) {
        co_return After::close;
    }
    if (ec) {
        co_return co_await reject(listener, stream, request,
                                  fail(errc::malformed, "", "bad HTTP request: " + ec.message()),
                                  started);
    }
    if (auto filled = fill_request(head.get(), request); !filled) {
        co_return co_await reject(listener, stream, request, filled.error(), started);
    }
    bool keep_alive = head.keep_alive();
    if (auto length = head.content_length(); length && *length > options.max_body_bytes) {
        co_return co_await reject(
            listener, stream, request,
            fail(errc::payload_too_large, "",
                 "the body of " + std::to_string(*length) + " bytes is over the limit of " +
                     std::to_string(options.max_body_bytes)),
            started);
    }

    SpillFile spill;
    if (!head.is_done()) {
        if (beast::iequals(head.get()[bhttp::field::expect], "100-continue")) {
            bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
            auto [wec, m] = co_await bhttp::async_write(stream, go_on, kTuple);
            if (wec) {
                co_return After::close;
            }
        }
        BodyOutcome body = co_await read_body(listener, stream, buffer, head, request, spill);
        if (body.failure) {
            co_return co_await reject(listener, stream, request, *body.failure, started);
        }
        if (body.ec == bhttp::error::body_limit) {
            co_return co_await reject(
                listener, stream, request,
                fail(errc::payload_too_large, "",
                     "the body is over the limit of " + std::to_string(options.max_body_bytes)),
                started);
        }
        if (body.ec == beast::error::timeout) {
            listener.log().info("body_timeout",
                                base_fields(listener, remote) + " id=" + request.request_id);
            co_return After::close;
        }
        if (body.ec && is_disconnect(body.ec)) {
            co_return After::close;
        }
        if (body.ec) {
            co_return co_await reject(
                listener, stream, request,
                fail(errc::malformed, "body", "bad HTTP body: " + body.ec.message()), started);
        }
    }

    // What we still need once the request has been moved into the handler.
    Request meta;
    meta.method = request.method;
    meta.path = request.path;
    meta.accept = request.accept;
    meta.request_id = request.request_id;
    meta.remote = request.remote;

    Response response;
    std::string exception_text;
    try {
        response = co_await listener.handler()(std::move(request));
    } catch (const std::exception& e) {
        exception_text = e.what();
        if (exception_text.empty()) {
            exception_text = "exception";
        }
    } catch (...) {
        exception_text = "unknown exception";
    }
    // The handler is done with the body: free the disk before the answer goes out.
    spill.remove();
    if (!exception_text.empty()) {
        listener.log().error("handler_exception", base_fields(listener, remote) +
                                                      " id=" + meta.request_id +
                                                      " what=" + log_value(exception_text));
        response = error_response(fail(errc::internal), meta);
    }

    keep_alive = keep_alive && !listener.stopping();
    unsigned status = response.status;
    bool written =
        co_await write_response(listener, stream, std::move(response), meta.request_id, keep_alive);
    log_request(listener, meta, status, started);
    co_return written&& keep_alive ? After::keep_alive : After::close;
}

asio::awaitable<void> linger(beast::tcp_stream& tcp) {
    boost::system::error_code ignored;
    // FIN tells the client we are done; it still can read our answer.
    tcp.socket().shutdown(asio::socket_base::shutdown_send, ignored);
    tcp.expires_after(kLingerTime);
    std::array<char, kReadChunk> scratch;
    std::size_t total = 0;
    while (total < kLingerBytes) {
        auto [ec, n] = co_await tcp.async_read_some(asio::buffer(scratch), kTuple);
        if (ec) {
            break;
        }
        total += n;
    }
}

}  // namespace

asio::awaitable<void> run_session(ConnectionLease lease, asio::ip::tcp::socket socket) {
    Listener& listener = lease.listener();
    Connection& connection = lease.connection();
    const ServerOptions& options = listener.options();
    // A cancelled session (drain deadline) sees its operations fail with operation_aborted
    // and winds down through the normal error paths instead of unwinding by exception.
    co_await asio::this_coro::throw_if_cancelled(false);

    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    std::string remote = ec ? std::string("unknown")
                            : peer.address().to_string() + ":" + std::to_string(peer.port());
    TlsStream stream(std::move(socket), listener.tls());
    auto& tcp = beast::get_lowest_layer(stream);
    StreamRegistration registration(connection, tcp);
    if (listener.stopping()) {
        co_return;
    }

    tcp.expires_after(options.handshake_timeout);
    auto [handshake_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (handshake_ec) {
        listener.log().info("tls_handshake_failed", base_fields(listener, remote) + " error=" +
                                                        log_value(handshake_ec.message()));
        co_return;
    }
    auto fingerprint = peer_certificate_sha256(stream.native_handle());

    beast::flat_buffer buffer;
    After after = After::close;
    for (;;) {
        connection.idle = true;
        if (listener.stopping()) {
            break;
        }
        if (buffer.size() == 0) {
            // Idle keep-alive: the header timeout starts with the next request's first byte.
            tcp.expires_after(options.idle_timeout);
            auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kTuple);
            if (read_ec) {
                break;
            }
            buffer.commit(n);
        }
        connection.idle = false;
        after = co_await serve_request(listener, stream, buffer, remote, fingerprint);
        if (after != After::keep_alive) {
            break;
        }
    }
    if (after == After::linger) {
        co_await linger(tcp);
    }
    tcp.socket().shutdown(asio::socket_base::shutdown_both, ec);
    tcp.close();
}

}  // namespace hub::http
