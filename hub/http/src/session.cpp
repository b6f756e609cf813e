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

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

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
// Streamed file answers are read and written this much at a time.
constexpr std::size_t kFileChunk = 64 * 1024;
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

// The file behind a Response::file, opened and checked before any byte of the answer is
// written, so a missing or short file still gets a clean 500. Closed on scope exit.
struct FileSource {
    int fd = -1;
    FileSource() = default;
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;
    ~FileSource() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// Empty when `range` can be streamed from `source`; otherwise why not.
std::string open_range(const FileRange& range, FileSource& source) {
    source.fd = ::open(range.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (source.fd < 0) {
        return std::strerror(errno);
    }
    struct stat st {};
    if (::fstat(source.fd, &st) != 0) {
        return std::strerror(errno);
    }
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (range.offset > size || range.length > size - range.offset) {
        return "the range ends past the file's " + std::to_string(size) + " bytes";
    }
    return {};
}

// The status line and the headers of `response`, common to in-memory and streamed bodies.
template <class Body>
void fill_head(bhttp::response<Body>& out,
               const Response& response,
               unsigned status,
               const std::string& request_id,
               bool& keep_alive) {
    out.version(11);
    out.result(status);
    if (!response.content_type.empty()) {
        out.set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
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
}

void log_write_failed(Listener& listener, const std::string& request_id, const std::string& why) {
    listener.log().debug("write_failed", "listener=" + log_value(listener.options().name) +
                                             " id=" + request_id + " error=" + log_value(why));
}

// Streams `range` from `source` after the header, kFileChunk bytes at a time: memory stays
// bounded whatever the file's size, and each chunk gets body_timeout to go out (a progress
// timeout, so a large download on a slow link is not cut while it moves).
asio::awaitable<bool> write_file(Listener& listener,
                                 TlsStream& stream,
                                 const Response& response,
                                 unsigned status,
                                 const FileSource& source,
                                 const std::string& request_id,
                                 bool& keep_alive) {
    const FileRange& range = *response.file;
    bhttp::response<bhttp::buffer_body> out;
    fill_head(out, response, status, request_id, keep_alive);
    out.content_length(range.length);
    out.keep_alive(keep_alive);
    out.body().data = nullptr;
    out.body().more = range.length > 0;
    bhttp::response_serializer<bhttp::buffer_body> serializer(out);
    auto& tcp = beast::get_lowest_layer(stream);
    tcp.expires_after(listener.options().body_timeout);
    auto [hec, hn] = co_await bhttp::async_write_header(stream, serializer, kTuple);
    if (hec) {
        log_write_failed(listener, request_id, hec.message());
        co_return false;
    }
    std::vector<char> chunk(static_cast<std::size_t>(
        std::min<std::uint64_t>(kFileChunk, std::max<std::uint64_t>(range.length, 1))));
    std::uint64_t offset = range.offset;
    std::uint64_t left = range.length;
    while (left > 0) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), left));
        ssize_t n = ::pread(source.fd, chunk.data(), want, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            // The header promised more bytes than the file now has: only closing is honest.
            listener.log().error(
                "file_read_failed",
                "listener=" + log_value(listener.options().name) + " id=" + request_id +
                    " path=" + log_value(range.path) +
                    " error=" + log_value(n < 0 ? std::strerror(errno) : "file shrank"));
            co_return false;
        }
        offset += static_cast<std::uint64_t>(n);
        left -= static_cast<std::uint64_t>(n);
        out.body().data = chunk.data();
        out.body().size = static_cast<std::size_t>(n);
        out.body().more = left > 0;
        tcp.expires_after(listener.options().body_timeout);
        auto [ec, m] = co_await bhttp::async_write(stream, serializer, kTuple);
        if (ec && ec != bhttp::error::need_buffer) {
            log_write_failed(listener, request_id, ec.message());
            co_return false;
        }
    }
    if (!serializer.is_done()) {
        out.body().data = nullptr;
        out.body().more = false;
        auto [ec, m] = co_await bhttp::async_write(stream, serializer, kTuple);
        if (ec && ec != bhttp::error::need_buffer) {
            log_write_failed(listener, request_id, ec.message());
            co_return false;
        }
    }
    co_return true;
}

// Writes `response`; false when the write failed (the connection is then unusable). A
// response with `file` needs `source` opened by open_range.
asio::awaitable<bool> write_response(Listener& listener,
                                     TlsStream& stream,
                                     Response response,
                                     const std::string& request_id,
                                     bool& keep_alive,
                                     const FileSource* source = nullptr) {
    // A status no client can read is a handler bug; answer it as one.
    unsigned status = response.status < 200 || response.status > 599 ? 500 : response.status;
    if (response.file && source != nullptr && status != 204 && status != 304) {
        co_return co_await write_file(listener, stream, response, status, *source, request_id,
                                      keep_alive);
    }
    bhttp::response<bhttp::string_body> out;
    fill_head(out, response, status, request_id, keep_alive);
    if (status != 204 && status != 304) {
        out.body() = std::move(response.body);
        out.prepare_payload();
    }
    out.keep_alive(keep_alive);
    beast::get_lowest_layer(stream).expires_after(listener.options().body_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, out, kTuple);
    if (ec) {
        log_write_failed(listener, request_id, ec.message());
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
    if (listener.options().render_refusal) {
        response = listener.options().render_refusal(request, failure, std::move(response));
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
    // Created here rather than by file_body::open, which would make it 0644: a body is a
    // document, for the daemon's user only.
    boost::system::error_code open_ec;
    int fd = ::open(spill.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        open_ec.assign(errno, boost::system::system_category());
    } else {
        beast::file file;
        file.native_handle(fd);
        parser.get().body().reset(std::move(file), open_ec);
    }
    if (open_ec) {
        listener.log().error("spill_open_failed", "listener=" + log_value(options.name) +
                                                      " path=" + log_value(spill.path) +
                                                      " error=" + log_value(open_ec.message()));
        if (fd >= 0) {
            spill.remove();  // ours: created above
        } else {
            spill.path.clear();  // not ours (EEXIST) or never made
        }
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
                                     const std::optional<std::string>& fingerprint,
                                     const std::optional<Failure>& refusal) {
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
    // Who asks is known from the TLS session and the header: refuse before the body costs
    // memory, disk or an audit row.
    if (refusal) {
        co_return co_await reject(listener, stream, request, *refusal, started);
    }
    if (options.authorize) {
        if (auto refused = options.authorize(request)) {
            co_return co_await reject(listener, stream, request, *refused, started);
        }
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

    FileSource source;
    if (response.file) {
        if (auto why = open_range(*response.file, source); !why.empty()) {
            listener.log().error("file_open_failed", base_fields(listener, remote) +
                                                         " id=" + meta.request_id +
                                                         " path=" + log_value(response.file->path) +
                                                         " error=" + log_value(why));
            response =
                error_response(fail(errc::internal, "", "cannot read the stored file"), meta);
        }
    }

    keep_alive = keep_alive && !listener.stopping();
    unsigned status = response.status;
    bool written = co_await write_response(listener, stream, std::move(response), meta.request_id,
                                           keep_alive, &source);
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
    if (listener.stopping() || connection.evicted) {
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
    // Over its principal's connection limit, the connection still gets one clear answer.
    std::optional<Failure> refusal;
    if (fingerprint && options.principal) {
        if (auto principal = options.principal(*fingerprint);
            principal && !listener.claim_principal(connection, *principal)) {
            listener.log().warn(
                "connection_refused",
                base_fields(listener, remote) +
                    " reason=max_connections_per_principal principal=" + log_value(*principal));
            refusal = fail(errc::rate_limited, "",
                           "too many open connections for " + *principal + " (limit " +
                               std::to_string(options.max_connections_per_principal) + ")");
        }
    }

    beast::flat_buffer buffer;
    After after = After::close;
    for (;;) {
        connection.idle = true;
        if (listener.stopping() || connection.evicted) {
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
        after = co_await serve_request(listener, stream, buffer, remote, fingerprint, refusal);
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
