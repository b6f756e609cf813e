// Blocking on the outside, Asio coroutines on a private io_context on the inside: the only
// way to get per-operation timeouts from Beast (tcp_stream::expires_after is async-only).

#include "hub/http/client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cctype>
#include <optional>

#include "tls.h"

namespace hub::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
const std::string kEmpty;

Failure network_failure(const std::string& what, const boost::system::error_code& ec) {
    return fail(errc::unavailable, "", what + ": " + ec.message());
}

}  // namespace

const std::string& ClientResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? kEmpty : it->second;
}

class ClientConnection {
public:
    explicit ClientConnection(const ClientOptions& options)
        : options_(options), tls_(asio::ssl::context::tls_client) {}

    Result<void> configure() {
        SSL_CTX* raw = tls_.native_handle();
        int min = tls_version(options_.min_tls);
        int max = tls_version(options_.max_tls);
        if (min == 0 || max == 0 || SSL_CTX_set_min_proto_version(raw, min) != 1 ||
            SSL_CTX_set_max_proto_version(raw, max) != 1) {
            return fail(errc::internal, "", "unsupported TLS version range");
        }
        if (options_.max_tls < 12) {
            // OpenSSL 3 refuses TLS < 1.2 at the default security level; a test offering
            // only TLS 1.1 must get as far as the server saying no.
            SSL_CTX_set_security_level(raw, 0);
            SSL_CTX_set_cipher_list(raw, "DEFAULT:@SECLEVEL=0");
        }
        if (!options_.tls12_ciphers.empty() &&
            SSL_CTX_set_cipher_list(raw, options_.tls12_ciphers.c_str()) != 1) {
            return fail(errc::internal, "", "cipher list " + options_.tls12_ciphers);
        }
        boost::system::error_code ec;
        if (options_.ca_file.empty()) {
            tls_.set_default_verify_paths(ec);
        } else {
            tls_.load_verify_file(options_.ca_file, ec);
        }
        if (ec) {
            return fail(errc::internal, "", "CA file " + options_.ca_file + ": " + ec.message());
        }
        tls_.set_verify_mode(asio::ssl::verify_peer);
        if (!options_.cert_file.empty()) {
            tls_.use_certificate_chain_file(options_.cert_file, ec);
            if (ec) {
                return fail(errc::internal, "",
                            "certificate " + options_.cert_file + ": " + ec.message());
            }
            tls_.use_private_key_file(options_.key_file, asio::ssl::context::pem, ec);
            if (ec) {
                return fail(errc::internal, "", "key " + options_.key_file + ": " + ec.message());
            }
        }
        // The SSL object copies the context's settings when it is made: make it last.
        stream_.emplace(io_, tls_);
        stream_->set_verify_callback(asio::ssl::host_name_verification(options_.host));
        boost::system::error_code address_ec;
        (void)asio::ip::make_address(options_.host, address_ec);
        if (address_ec) {
            // SNI for names only; RFC 6066 forbids IP literals there.
            SSL_set_tlsext_host_name(stream_->native_handle(), options_.host.c_str());
        }
        return {};
    }

    Result<void> connect() { return run(do_connect()); }

    Result<ClientResponse> request(bhttp::request<bhttp::string_body> req) {
        return run(do_request(std::move(req)));
    }

    bool open() const { return open_; }
    // The last request failed before any byte of an answer arrived.
    bool nothing_received() const { return nothing_received_; }
    // Requests answered on this connection.
    int served() const { return served_; }

private:
    template <class T>
    T run(asio::awaitable<T> work) {
        auto future = asio::co_spawn(io_, std::move(work), asio::use_future);
        io_.restart();
        io_.run();
        return future.get();
    }

    asio::awaitable<Result<void>> do_connect() {
        auto& tcp_layer = beast::get_lowest_layer(*stream_);
        tcp::resolver resolver(io_);
        auto [rec, endpoints] =
            co_await resolver.async_resolve(options_.host, std::to_string(options_.port), kTuple);
        if (rec) {
            co_return network_failure("resolve " + options_.host, rec);
        }
        tcp_layer.expires_after(options_.timeout);
        auto [cec, endpoint] = co_await tcp_layer.async_connect(endpoints, kTuple);
        if (cec) {
            co_return network_failure(
                "connect " + options_.host + ":" + std::to_string(options_.port), cec);
        }
        tcp_layer.expires_after(options_.timeout);
        auto [hec] = co_await stream_->async_handshake(asio::ssl::stream_base::client, kTuple);
        if (hec) {
            co_return network_failure("TLS handshake", hec);
        }
        open_ = true;
        co_return Result<void>{};
    }

    asio::awaitable<Result<ClientResponse>> do_request(bhttp::request<bhttp::string_body> req) {
        auto& tcp_layer = beast::get_lowest_layer(*stream_);
        nothing_received_ = true;
        tcp_layer.expires_after(options_.timeout);
        auto [wec, written] = co_await bhttp::async_write(*stream_, req, kTuple);
        if (wec) {
            open_ = false;
            co_return network_failure("send request", wec);
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(boost::none);
        tcp_layer.expires_after(options_.timeout);
        auto [rec, read] = co_await bhttp::async_read(*stream_, buffer_, parser, kTuple);
        if (rec) {
            open_ = false;
            nothing_received_ = read == 0 && buffer_.size() == 0;
            co_return network_failure("read response", rec);
        }
        nothing_received_ = false;
        ++served_;
        auto& res = parser.get();
        ClientResponse out;
        out.status = res.result_int();
        out.body = std::move(res.body());
        for (const auto& field : res) {
            std::string name(field.name_string());
            for (char& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
            if (!inserted) {
                it->second += ", ";
                it->second += std::string(field.value());
            }
        }
        if (!res.keep_alive()) {
            open_ = false;
        }
        co_return out;
    }

    ClientOptions options_;
    asio::io_context io_;
    asio::ssl::context tls_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;  // made by configure()
    beast::flat_buffer buffer_;
    bool open_ = false;
    bool nothing_received_ = false;
    int served_ = 0;
};

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Client::~Client() = default;

Result<void> Client::connect() {
    // A fresh stream per connection: an SSL object cannot be reused after a failure.
    connection_ = std::make_unique<ClientConnection>(options_);
    if (auto configured = connection_->configure(); !configured) {
        connection_.reset();
        return configured.error();
    }
    auto connected = connection_->connect();
    if (!connected) {
        connection_.reset();
    }
    return connected;
}

Result<ClientResponse> Client::request(
    bhttp::verb method,
    const std::string& target,
    const std::string& body,
    const std::string& content_type,
    const std::string& accept,
    const std::vector<std::pair<std::string, std::string>>& extra_headers) {
    if (!connected()) {
        if (auto connected = connect(); !connected) {
            return connected.error();
        }
    }
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, options_.host);
    if (!content_type.empty()) {
        req.set(bhttp::field::content_type, content_type);
    }
    if (!accept.empty()) {
        req.set(bhttp::field::accept, accept);
    }
    for (const auto& [name, value] : extra_headers) {
        req.set(name, value);
    }
    req.body() = body;
    if (!body.empty() || method == bhttp::verb::post || method == bhttp::verb::put) {
        req.prepare_payload();
    }
    bool reused = connection_->served() > 0;
    auto response = connection_->request(req);
    if (!response && reused && connection_->nothing_received()) {
        // The server closed the kept-alive connection while it was idle, before our request
        // reached it (it closes only idle connections that way), so sending again on a fresh
        // connection cannot apply the request twice.
        if (auto connected = connect(); !connected) {
            return connected.error();
        }
        response = connection_->request(std::move(req));
    }
    if (connection_ && !connection_->open()) {
        connection_.reset();
    }
    return response;
}

bool Client::connected() const { return connection_ && connection_->open(); }

void Client::close() { connection_.reset(); }

}  // namespace hub::http
