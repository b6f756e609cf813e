#include "https.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <openssl/ssl.h>

#include <stdexcept>

namespace bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// An inbox batch holds up to 100 envelopes with their attachments.
constexpr std::uint64_t kMaxResponseBody = 512ull * 1024 * 1024;

hub::Failure network(const char* stage, const boost::system::error_code& ec) {
    return hub::fail(hub::errc::unavailable, "", std::string(stage) + ": " + ec.message());
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const Identity& id) {
    auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    tls->load_verify_file(id.ca_file, ec);
    if (ec) {
        throw std::runtime_error("CA file " + id.ca_file + ": " + ec.message());
    }
    tls->set_verify_mode(asio::ssl::verify_peer);
    tls->use_certificate_chain_file(id.cert_file, ec);
    if (ec) {
        throw std::runtime_error("certificate " + id.cert_file + ": " + ec.message());
    }
    tls->use_private_key_file(id.key_file, asio::ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("key " + id.key_file + ": " + ec.message());
    }
    return tls;
}

std::string request_head(std::string_view method,
                         std::string_view target,
                         std::string_view content_type,
                         std::string_view accept,
                         std::size_t content_length) {
    std::string head;
    head.reserve(160);
    head.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (!accept.empty()) {
        head.append("Accept: ").append(accept).append("\r\n");
    }
    if (!content_type.empty()) {
        head.append("Content-Type: ").append(content_type).append("\r\n");
    }
    if (!content_type.empty() || method == "POST" || content_length > 0) {
        head.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n");
    }
    head.append("\r\n");
    return head;
}

Connection::Connection(asio::any_io_executor executor,
                       std::shared_ptr<asio::ssl::context> tls,
                       std::uint16_t port)
    : executor_(std::move(executor)), tls_(std::move(tls)), port_(port) {}

asio::awaitable<hub::Result<void>> Connection::connect(std::chrono::milliseconds timeout) {
    // An SSL object cannot be reused after a failure or a close: a fresh stream each time.
    open_ = false;
    buffer_.clear();
    stream_.emplace(executor_, *tls_);
    ++connects_;
    auto& tcp = beast::get_lowest_layer(*stream_);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port_);
    tcp.expires_after(timeout);
    auto [cec] = co_await tcp.async_connect(endpoint, kTuple);
    if (cec) {
        co_return network("connect", cec);
    }
    // Requests go out as one write and a stalled segment would cost a delayed-ACK period.
    tcp.socket().set_option(asio::ip::tcp::no_delay(true), cec);
    stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    tcp.expires_after(timeout);
    auto [hec] = co_await stream_->async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) {
        co_return network("TLS handshake", hec);
    }
    open_ = true;
    co_return hub::Result<void>{};
}

asio::awaitable<hub::Result<Response>> Connection::exchange(std::string_view request,
                                                            std::chrono::milliseconds timeout) {
    if (!open_) {
        if (auto connected = co_await connect(timeout); !connected) {
            co_return connected.error();
        }
    }
    auto& tcp = beast::get_lowest_layer(*stream_);
    tcp.expires_after(timeout);
    // One contiguous buffer: with Boost 1.81, async_write of a std::array of two buffers over
    // beast::ssl_stream sent only the first one and reported success.
    auto [wec, written] =
        co_await asio::async_write(*stream_, asio::buffer(request.data(), request.size()), kTuple);
    if (wec) {
        open_ = false;
        co_return network("send", wec);
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    tcp.expires_after(timeout);
    auto [rec, read] = co_await bhttp::async_read(*stream_, buffer_, parser, kTuple);
    if (rec) {
        open_ = false;
        co_return network("receive", rec);
    }
    auto& res = parser.get();
    Response out;
    out.status = res.result_int();
    out.content_type = std::string(res[bhttp::field::content_type]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) {
        open_ = false;
    }
    co_return out;
}

void Connection::abort() {
    // Closing, not cancel(): a TLS read between two reads of the socket has nothing pending
    // for cancel() to hit, and would then wait for the whole long poll.
    if (stream_) {
        beast::get_lowest_layer(*stream_).close();
    }
    open_ = false;
}

std::string printable(std::string_view text, std::size_t limit) {
    std::string out;
    for (char c : text) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7F) ? ' ' : c;
    }
    return out;
}

namespace {

asio::awaitable<hub::Result<Response>> get_on_new_connection(
    std::shared_ptr<asio::ssl::context> tls,
    std::uint16_t port,
    std::string target,
    std::chrono::milliseconds timeout) {
    Connection connection(co_await asio::this_coro::executor, std::move(tls), port);
    const std::string request = request_head("GET", target, "", "", 0);
    co_return co_await connection.exchange(request, timeout);
}

}  // namespace

hub::Result<Response> fetch_once(std::uint16_t port,
                                 const Identity& id,
                                 std::string_view target,
                                 std::chrono::milliseconds timeout) {
    asio::io_context io;
    auto done = asio::co_spawn(
        io, get_on_new_connection(make_tls_context(id), port, std::string(target), timeout),
        asio::use_future);
    io.run();
    return done.get();
}

}  // namespace bench
