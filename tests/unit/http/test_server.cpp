#include "unit/http/test_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <stdexcept>
#include <tuple>

namespace hub::http::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<Response> record(std::shared_ptr<Seen> seen, Request request) {
    Response response;
    response.content_type = "text/plain";
    response.body = "ok " + request.request_id;
    {
        std::lock_guard lock(seen->mutex);
        seen->requests.push_back(std::move(request));
    }
    co_return response;
}

}  // namespace

ServerOptions test_options() {
    const TestPki& pki = TestPki::get();
    ServerOptions options;
    options.cert_chain_file = pki.server_cert;
    options.key_file = pki.server_key;
    options.client_ca_file = pki.ca_cert;
    options.require_client_cert = false;
    options.name = "test";
    options.spill_dir = pki.dir;
    return options;
}

ClientOptions client_options(std::uint16_t port, bool with_cert) {
    const TestPki& pki = TestPki::get();
    ClientOptions options;
    options.port = port;
    options.ca_file = pki.ca_cert;
    if (with_cert) {
        options.cert_file = pki.client_cert;
        options.key_file = pki.client_key;
    }
    options.timeout = 5s;
    return options;
}

std::size_t Seen::count() {
    std::lock_guard lock(mutex);
    return requests.size();
}

Request Seen::last() {
    std::lock_guard lock(mutex);
    return requests.empty() ? Request{} : requests.back();
}

Handler recording_handler(std::shared_ptr<Seen> seen) {
    return [seen](Request request) { return record(seen, std::move(request)); };
}

TestServer::TestServer(ServerOptions options, Handler handler, int threads)
    : work_(asio::make_work_guard(io_)),
      server_(std::make_unique<Server>(io_, std::move(options), std::move(handler), log_)) {
    auto port = server_->start();
    if (!port) {
        throw std::runtime_error("server start: " + port.error().text());
    }
    port_ = *port;
    for (int i = 0; i < threads; ++i) {
        threads_.emplace_back([this] { io_.run(); });
    }
}

TestServer::~TestServer() {
    if (!stopped_) {
        stop_and_wait(0ms, 5s);
    }
    work_.reset();
    io_.stop();
    for (auto& t : threads_) {
        t.join();
    }
}

bool TestServer::stop_and_wait(std::chrono::milliseconds drain,
                               std::chrono::milliseconds deadline) {
    stopped_ = true;
    server_->stop(drain);
    auto done = asio::co_spawn(io_, server_->wait_stopped(), asio::use_future);
    return done.wait_for(deadline) == std::future_status::ready;
}

RawTls::RawTls(std::uint16_t port, std::chrono::milliseconds timeout)
    : RawTls(port, timeout, Options{}) {}

RawTls::RawTls(std::uint16_t port, std::chrono::milliseconds timeout, Options options)
    : port_(port),
      timeout_(timeout),
      options_(std::move(options)),
      tls_(asio::ssl::context::tls_client) {
    const TestPki& pki = TestPki::get();
    tls_.load_verify_file(pki.ca_cert);
    if (options_.with_cert) {
        tls_.use_certificate_chain_file(pki.client_cert);
        tls_.use_private_key_file(pki.client_key, asio::ssl::context::pem);
    }
    tls_.set_verify_mode(asio::ssl::verify_peer);
    stream_.emplace(io_, tls_);  // after the context is set up: SSL_new copies it
}

template <class T>
T RawTls::run(asio::awaitable<T> work) {
    auto future = asio::co_spawn(io_, std::move(work), asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
}

boost::system::error_code RawTls::connect_tcp() {
    auto ec = run([](RawTls* self) -> asio::awaitable<boost::system::error_code> {
        auto& tcp = beast::get_lowest_layer(*self->stream_);
        boost::system::error_code ec;
        tcp.socket().open(asio::ip::tcp::v4(), ec);
        if (!ec && self->options_.receive_buffer > 0) {
            tcp.socket().set_option(
                asio::socket_base::receive_buffer_size(self->options_.receive_buffer), ec);
        }
        if (!ec && !self->options_.source_address.empty()) {
            asio::ip::tcp::endpoint local(asio::ip::make_address(self->options_.source_address), 0);
            tcp.socket().bind(local, ec);
        }
        if (ec) {
            co_return ec;
        }
        tcp.expires_after(self->timeout_);
        asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), self->port_);
        auto [cec] = co_await tcp.async_connect(endpoint, kTuple);
        co_return cec;
    }(this));
    tcp_connected_ = !ec;
    return ec;
}

boost::system::error_code RawTls::connect() {
    if (!tcp_connected_) {
        if (auto ec = connect_tcp()) {
            return ec;
        }
    }
    auto ec = run([](RawTls* self) -> asio::awaitable<boost::system::error_code> {
        auto& tcp = beast::get_lowest_layer(*self->stream_);
        tcp.expires_after(self->timeout_);
        auto [hec] =
            co_await self->stream_->async_handshake(asio::ssl::stream_base::client, kTuple);
        co_return hec;
    }(this));
    handshaken_ = !ec;
    return ec;
}

boost::system::error_code RawTls::write(const std::string& bytes) {
    return run([](RawTls* self, std::string data) -> asio::awaitable<boost::system::error_code> {
        beast::get_lowest_layer(*self->stream_).expires_after(self->timeout_);
        auto [ec, n] = co_await asio::async_write(*self->stream_, asio::buffer(data), kTuple);
        co_return ec;
    }(this, bytes));
}

RawTls::ReadResult RawTls::read_until_close() {
    return run([](RawTls* self) -> asio::awaitable<ReadResult> {
        ReadResult out;
        beast::get_lowest_layer(*self->stream_).expires_after(self->timeout_);
        for (;;) {
            char buf[4096];
            std::size_t n = 0;
            boost::system::error_code ec;
            if (self->handshaken_) {
                std::tie(ec, n) =
                    co_await self->stream_->async_read_some(asio::buffer(buf), kTuple);
            } else {
                std::tie(ec, n) = co_await beast::get_lowest_layer(*self->stream_)
                                      .async_read_some(asio::buffer(buf), kTuple);
            }
            out.data.append(buf, n);
            if (ec) {
                out.ec = ec;
                co_return out;
            }
        }
    }(this));
}

RawTls::ReadResult RawTls::read_exactly(std::size_t n) {
    return run([](RawTls* self, std::size_t wanted) -> asio::awaitable<ReadResult> {
        ReadResult out;
        // Bytes a read_response() left in the buffer come first.
        auto buffered = std::min(wanted, self->buffer_.size());
        out.data = beast::buffers_to_string(beast::buffers_prefix(buffered, self->buffer_.data()));
        self->buffer_.consume(buffered);
        beast::get_lowest_layer(*self->stream_).expires_after(self->timeout_);
        std::string buf(std::min<std::size_t>(wanted, 16 * 1024), '\0');
        while (out.data.size() < wanted) {
            auto room = std::min(buf.size(), wanted - out.data.size());
            auto [ec, got] =
                co_await self->stream_->async_read_some(asio::buffer(buf.data(), room), kTuple);
            out.data.append(buf.data(), got);
            if (ec) {
                out.ec = ec;
                co_return out;
            }
        }
        co_return out;
    }(this, n));
}

RawTls::HttpResult RawTls::read_response() {
    return run([](RawTls* self) -> asio::awaitable<HttpResult> {
        HttpResult out;
        bhttp::response<bhttp::string_body> res;
        beast::get_lowest_layer(*self->stream_).expires_after(self->timeout_);
        auto [ec, n] = co_await bhttp::async_read(*self->stream_, self->buffer_, res, kTuple);
        out.ec = ec;
        out.status = res.result_int();
        out.body = res.body();
        out.connection = std::string(res[bhttp::field::connection]);
        co_return out;
    }(this));
}

}  // namespace hub::http::test
