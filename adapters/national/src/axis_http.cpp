// A new connection per call, as the SDK makes them: no idle connection for the axis to time
// out under us, and a call that failed half-way never leaves a poisoned stream behind.

#include "hub/national/axis_http.h"

#include "hub/http/tls_policy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace hub::national {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Failure network_failure(const std::string& what, const boost::system::error_code& ec) {
    return fail(errc::unavailable, "", "axis " + what + ": " + ec.message());
}

// Writes the request and reads the final answer, skipping interim 1xx answers (an axis that
// honours Expect: 100-continue may send one even when we did not ask).
template <class Stream>
asio::awaitable<Result<WireResponse>> round_trip(Stream& stream,
                                                 bhttp::request<bhttp::string_body> req,
                                                 std::size_t max_answer_bytes) {
    auto [wec, written] = co_await bhttp::async_write(stream, req, kTuple);
    if (wec) {
        co_return network_failure("send", wec);
    }
    beast::flat_buffer buffer;
    for (int interim = 0; interim < 4; ++interim) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(max_answer_bytes);
        parser.header_limit(64 * 1024);
        auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (rec) {
            co_return network_failure("answer", rec);
        }
        auto& res = parser.get();
        if (res.result_int() / 100 == 1) {
            continue;
        }
        co_return WireResponse{res.result_int(), std::move(res.body())};
    }
    co_return fail(errc::unavailable, "", "axis sent only interim answers");
}

}  // namespace

struct HttpAxisClient::State {
    asio::any_io_executor executor;
    AxisHttpOptions options;
    bool tls = true;
    std::string host;
    std::string port;
    std::string base_path;
    asio::ssl::context ssl{asio::ssl::context::tls_client};
};

HttpAxisClient::HttpAxisClient(asio::any_io_executor executor,
                               AxisHttpOptions options,
                               std::unique_ptr<AxisWire> wire)
    : state_(std::make_unique<State>()), wire_(std::move(wire)) {
    auto url = boost::urls::parse_absolute_uri(options.endpoint);
    if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty()) {
        throw std::invalid_argument("national.endpoint: not an http(s) URL");
    }
    state_->executor = std::move(executor);
    state_->tls = url->scheme() == "https";
    state_->host = std::string(url->host());
    state_->port = url->has_port() ? std::string(url->port()) : (state_->tls ? "443" : "80");
    state_->base_path = std::string(url->encoded_path());
    while (!state_->base_path.empty() && state_->base_path.back() == '/') {
        state_->base_path.pop_back();
    }
    if (!hub::http::apply_tls_policy(state_->ssl.native_handle())) {
        throw std::invalid_argument("national.endpoint: the TLS policy cannot be applied");
    }
    boost::system::error_code ec;
    if (options.ca_file.empty()) {
        state_->ssl.set_default_verify_paths(ec);
    } else {
        state_->ssl.load_verify_file(options.ca_file, ec);
    }
    if (ec) {
        throw std::invalid_argument("national.ca_file " + options.ca_file + ": " + ec.message());
    }
    state_->ssl.set_verify_mode(asio::ssl::verify_peer);
    state_->options = std::move(options);
}

HttpAxisClient::~HttpAxisClient() = default;

asio::awaitable<Result<WireResponse>> HttpAxisClient::exchange(WireRequest request) {
    State& s = *state_;
    bhttp::request<bhttp::string_body> req{request.post ? bhttp::verb::post : bhttp::verb::get,
                                           s.base_path + request.path, 11};
    req.set(bhttp::field::host, s.host + ":" + s.port);
    for (auto& [name, value] : request.headers) {
        req.set(name, value);
    }
    if (!request.content_type.empty()) {
        req.set(bhttp::field::content_type, request.content_type);
    }
    req.set(bhttp::field::connection, "close");
    req.body() = std::move(request.body);
    req.prepare_payload();

    const auto deadline = std::chrono::steady_clock::now() + s.options.timeout;
    tcp::resolver resolver(s.executor);
    auto [rec, endpoints] = co_await resolver.async_resolve(s.host, s.port, kTuple);
    if (rec) {
        co_return network_failure("resolve " + s.host, rec);
    }
    beast::tcp_stream tcp_stream(s.executor);
    tcp_stream.expires_at(deadline);
    auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
    if (cec) {
        co_return network_failure("connect " + s.host + ":" + s.port, cec);
    }
    if (!s.tls) {
        auto answer = co_await round_trip(tcp_stream, std::move(req), s.options.max_answer_bytes);
        boost::system::error_code ignored;
        tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return answer;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), s.ssl);
    stream.set_verify_callback(asio::ssl::host_name_verification(s.host));
    boost::system::error_code address_ec;
    (void)asio::ip::make_address(s.host, address_ec);
    if (address_ec) {
        SSL_set_tlsext_host_name(stream.native_handle(), s.host.c_str());  // names only
    }
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) {
        co_return network_failure("TLS handshake", hec);
    }
    auto answer = co_await round_trip(stream, std::move(req), s.options.max_answer_bytes);
    // A bounded close_notify: the answer is already complete, so a peer that never answers
    // it costs at most the deadline.
    (void)co_await stream.async_shutdown(kTuple);
    co_return answer;
}

asio::awaitable<Result<std::string>> HttpAxisClient::send_edoc(std::string package,
                                                               MessageType type,
                                                               std::string from) {
    auto answer = co_await exchange(wire_->send_edoc(package, type, from));
    if (!answer) {
        co_return answer.error();
    }
    co_return wire_->parse_send(*answer);
}

asio::awaitable<Result<std::vector<ReceivedItem>>> HttpAxisClient::received_list(MessageType type) {
    auto answer = co_await exchange(wire_->received_list(type));
    if (!answer) {
        co_return answer.error();
    }
    co_return wire_->parse_received(*answer);
}

asio::awaitable<Result<std::string>> HttpAxisClient::get_edoc(std::string doc_id) {
    auto answer = co_await exchange(wire_->get_edoc(doc_id));
    if (!answer) {
        co_return answer.error();
    }
    co_return wire_->parse_edoc(*answer);
}

asio::awaitable<Result<void>> HttpAxisClient::update_status(std::string doc_id,
                                                            TransportStatus status) {
    auto answer = co_await exchange(wire_->update_status(doc_id, status));
    if (!answer) {
        co_return answer.error();
    }
    co_return wire_->parse_update(*answer);
}

asio::awaitable<Result<std::vector<SentItem>>> HttpAxisClient::sent_list(std::string doc_id) {
    auto answer = co_await exchange(wire_->sent_list(doc_id));
    if (!answer) {
        co_return answer.error();
    }
    co_return wire_->parse_sent(*answer);
}

asio::awaitable<Result<std::optional<std::string>>> HttpAxisClient::find_sent(std::string package) {
    auto sent = co_await sent_list("");
    if (!sent) {
        co_return sent.error();
    }
    const std::string digest = wire_->package_digest(package);
    for (const auto& item : *sent) {
        if (!item.hash_file.empty() && item.hash_file == digest) {
            co_return std::optional<std::string>(item.sender_doc_id);
        }
    }
    co_return std::optional<std::string>();
}

asio::awaitable<Result<std::vector<Agency>>> HttpAxisClient::agencies(std::string level) {
    auto answer = co_await exchange(wire_->agencies(level));
    if (!answer) {
        co_return answer.error();
    }
    co_return wire_->parse_agencies(*answer);
}

std::string read_secret_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("national.secret_file " + path + ": cannot be read");
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string secret = text.str();
    if (!secret.empty() && secret.back() == '\n') {
        secret.pop_back();
    }
    if (!secret.empty() && secret.back() == '\r') {
        secret.pop_back();
    }
    if (secret.empty()) {
        throw std::runtime_error("national.secret_file " + path + ": empty");
    }
    return secret;
}

}  // namespace hub::national
