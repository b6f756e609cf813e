// The hub's front door against the real lienthongd: who is turned away at the header (before
// a byte of the body is read), how many connections and requests a caller gets, and what a
// crash leaves behind. Each test case starts its own daemon.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
namespace v1 = lienthong::v1;
using boost::beast::http::verb;
using hub::http::Client;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Spilled request bodies and half-written blobs live in the blob store's tmp directory.
std::string tmp_dir(const it::Hub& hub) { return hub.dir() + "/data/blobs/tmp"; }

std::vector<std::string> spill_files(const it::Hub& hub) {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(tmp_dir(hub))) {
        if (entry.path().filename().string().rfind("lienthong-body-", 0) == 0) {
            out.push_back(entry.path().string());
        }
    }
    return out;
}

// What a client without a certificate gets when it sends `head` and then `body_part` of a
// body and waits for an answer (at most `timeout`).
struct RawAnswer {
    boost::system::error_code ec;
    unsigned status = 0;
    std::string body;
    std::string retry_after;
    SteadyClock::duration waited{};
};

// How raw_exchange connects: the client certificate (none when empty) and the local address.
struct RawClient {
    std::uint16_t port = 0;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    std::string source_address;
};

asio::awaitable<RawAnswer> raw_exchange(RawClient client,
                                        std::string bytes,
                                        std::chrono::milliseconds timeout) {
    RawAnswer out;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.load_verify_file(client.ca_file);
    if (!client.cert_file.empty()) {
        tls.use_certificate_chain_file(client.cert_file);
        tls.use_private_key_file(client.key_file, asio::ssl::context::pem);
    }
    tls.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, tls);
    auto& tcp = beast::get_lowest_layer(stream);
    if (!client.source_address.empty()) {
        boost::system::error_code bec;
        tcp.socket().open(asio::ip::tcp::v4(), bec);
        if (!bec) {
            tcp.socket().bind({asio::ip::make_address(client.source_address), 0}, bec);
        }
        if (bec) {
            out.ec = bec;
            co_return out;
        }
    }
    tcp.expires_after(timeout);
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), client.port);
    auto [cec] = co_await tcp.async_connect(endpoint, kTuple);
    if (cec) {
        out.ec = cec;
        co_return out;
    }
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) {
        out.ec = hec;
        co_return out;
    }
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(bytes), kTuple);
    if (wec) {
        out.ec = wec;
        co_return out;
    }
    const auto sent = SteadyClock::now();
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    auto [rec, n] = co_await bhttp::async_read(stream, buffer, response, kTuple);
    out.waited = SteadyClock::now() - sent;
    out.ec = rec;
    out.status = response.result_int();
    out.body = response.body();
    out.retry_after = std::string(response[bhttp::field::retry_after]);
    co_return out;
}

RawAnswer exchange(RawClient client, const std::string& bytes, std::chrono::milliseconds timeout) {
    asio::io_context io;
    auto future =
        asio::co_spawn(io, raw_exchange(std::move(client), bytes, timeout), asio::use_future);
    io.run();
    return future.get();
}

RawAnswer exchange_without_certificate(const it::Hub& hub,
                                       const std::string& bytes,
                                       std::chrono::milliseconds timeout) {
    return exchange(RawClient{hub.agency_port(), hub.dir() + "/ca/root.crt", "", "", ""}, bytes,
                    timeout);
}

std::string metrics_text(const it::Hub& hub) {
    Client op(hub.operator_client());
    return it::get(op, "/metrics").body;
}

// The value of an unlabelled counter in Prometheus text; -1 when absent.
// Requests refused with `outcome`, summed over every route of lienthong_requests_total.
long long refusals(const std::string& text, const std::string& outcome) {
    long long total = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("lienthong_requests_total{") &&
            line.find("outcome=\"" + outcome + "\"") != std::string::npos) {
            total += std::stoll(line.substr(line.rfind(' ') + 1));
        }
    }
    return total;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("R-04 a client without a certificate is refused before its body is read",
          "[gate][auth]") {
    it::Hub hub;
    // 32 MiB promised, 256 KiB sent: a hub that read (or spilled) the body before deciding
    // would wait for the rest and answer nothing before the client gives up.
    const std::string head =
        "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-protobuf\r\nContent-Length: 33554432\r\n\r\n";
    const auto answer = exchange_without_certificate(hub, head + std::string(256 * 1024, 'x'), 10s);
    INFO("error: " << answer.ec.message() << " body: " << answer.body);
    REQUIRE_FALSE(answer.ec);
    CHECK(answer.status == 401);
    CHECK(it::parse_error(answer.body).code() == "UNAUTHENTICATED");
    CHECK(answer.waited < 5s);
    CHECK(spill_files(hub).empty());

    // Counted, not audited one by one.
    CHECK(refusals(metrics_text(hub), "UNAUTHENTICATED") == 1);
}

TEST_CASE("R-04 every agency endpoint needs a registered certificate, /v1/time included",
          "[gate][auth]") {
    it::Hub hub;
    Client anonymous(hub.agency_with("", ""));
    for (const char* target : {"/v1/time", "/v1/inbox", "/v1/envelopes/x", "/nowhere"}) {
        INFO(target);
        const auto response = it::get(anonymous, target);
        CHECK(response.status == 401);
        CHECK(it::parse_error(response.body).code() == "UNAUTHENTICATED");
    }
    Client unknown(hub.agency_with(hub.dir() + "/unregistered/client.crt",
                                   hub.dir() + "/unregistered/client.key"));
    const auto response = it::get(unknown, "/v1/time");
    CHECK(response.status == 401);
    CHECK(it::parse_error(response.body).code() == "UNAUTHENTICATED");

    Client agency(hub.agency(hub.code(0)));
    CHECK(it::get(agency, "/v1/time").status == 200);
    CHECK(refusals(metrics_text(hub), "UNAUTHENTICATED") == 5);
}

TEST_CASE("R-22 an organization over its request rate gets 429 with Retry-After", "[gate][rate]") {
    it::HubOptions options;
    options.config_overrides =
        boost::json::parse(R"({"limits": {"ratePerOrg": 2, "rateBurst": 3}})").as_object();
    it::Hub hub(std::move(options));
    Client agency(hub.agency(hub.code(0)));
    std::vector<unsigned> statuses;
    std::string retry_after;
    for (int i = 0; i < 10; ++i) {
        const auto response = it::get(agency, "/v1/time");
        statuses.push_back(response.status);
        if (response.status == 429) {
            CHECK(it::parse_error(response.body).code() == "RATE_LIMITED");
            retry_after = response.header("retry-after");
        }
    }
    // The burst passes; ten at once cannot all fit in 3 tokens plus 2 per second.
    CHECK(statuses[0] == 200);
    CHECK(statuses[1] == 200);
    CHECK(statuses[2] == 200);
    CHECK(std::count(statuses.begin(), statuses.end(), 429u) >= 1);
    CHECK_FALSE(retry_after.empty());

    // Another organization has its own bucket.
    Client other(hub.agency(hub.code(1)));
    CHECK(it::get(other, "/v1/time").status == 200);

    // The bucket refills.
    CHECK(it::eventually([&] { return it::get(agency, "/v1/time").status == 200; }, 10s));
}

TEST_CASE("R-22 idle sockets do not block the agency listener at its connection limit",
          "[gate][connections]") {
    it::HubOptions options;
    options.config_overrides =
        boost::json::parse(R"({"limits": {"maxConnections": 8, "handshakeTimeoutMs": 25000}})")
            .as_object();
    it::Hub hub(std::move(options));
    asio::io_context io;
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> idle;
    for (int i = 0; i < 8; ++i) {
        idle.push_back(std::make_unique<asio::ip::tcp::socket>(io));
        idle.back()->connect({asio::ip::make_address("127.0.0.1"), hub.agency_port()});
    }
    auto client_options = hub.agency(hub.code(0));
    client_options.timeout = 3s;
    Client agency(client_options);
    const auto started = SteadyClock::now();
    const auto response = it::get(agency, "/v1/time");
    CHECK(response.status == 200);
    CHECK(SteadyClock::now() - started < 2s);
}

TEST_CASE("R-22 one address over its connection limit is refused while another is served",
          "[gate][connections]") {
    it::HubOptions options;
    options.config_overrides =
        boost::json::parse(R"({"limits": {"maxConnectionsPerAddress": 2}})").as_object();
    it::Hub hub(std::move(options));
    asio::io_context io;
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> held;
    for (int i = 0; i < 2; ++i) {
        held.push_back(std::make_unique<asio::ip::tcp::socket>(io));
        held.back()->connect({asio::ip::make_address("127.0.0.1"), hub.agency_port()});
    }
    // The listener counts them once it has accepted them: poll until a third is refused.
    auto client_options = hub.agency(hub.code(0));
    client_options.timeout = 2s;
    const auto deadline = SteadyClock::now() + 10s;
    bool refused = false;
    while (!refused && SteadyClock::now() < deadline) {
        Client third(client_options);
        refused = !third.request(verb::get, "/v1/time").has_value();
    }
    CHECK(refused);

    // From 127.0.0.2 (all of 127/8 is loopback on Linux) the hub still answers.
    const auto adir = hub.agency_dir(hub.code(0));
    const auto answer = exchange(RawClient{hub.agency_port(), hub.dir() + "/ca/root.crt",
                                           adir + "/client.crt", adir + "/client.key", "127.0.0.2"},
                                 "GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 5s);
    INFO("error: " << answer.ec.message() << " body: " << answer.body);
    REQUIRE_FALSE(answer.ec);
    CHECK(answer.status == 200);
}

TEST_CASE("R-23 a restart after kill -9 removes leftover spill and temp files",
          "[gate][leftovers]") {
    it::Hub hub;
    hub.kill9();
    const std::string spill = tmp_dir(hub) + "/lienthong-body-0123456789abcdef";
    const std::string blob = tmp_dir(hub) + "/blob-AbC123";
    const std::string other = tmp_dir(hub) + "/operator-notes.txt";
    for (const auto& path : {spill, blob, other}) {
        std::ofstream(path) << "left behind";
    }
    hub.restart();
    CHECK_FALSE(fs::exists(spill));
    CHECK_FALSE(fs::exists(blob));
    CHECK(fs::exists(other));  // not ours: left alone
}

TEST_CASE("R-22 the ledger, blob files and their directories are the daemon user's only",
          "[gate][leftovers]") {
    it::Hub hub;
    // An attachment over the inline limit (256 KiB) is stored as a blob file.
    Client agency(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [](it::Draft& d) {
        d.add("appendix-1", "phu-luc.pdf", "application/pdf", v1::APPENDIX,
              it::minimal_pdf(std::string(400 * 1024, 'p')));
    });
    const auto posted = it::post(agency, envelope);
    INFO("HTTP " << posted.status << " " << posted.body);
    REQUIRE(posted.status == 202);

    const std::string data = hub.dir() + "/data";
    CHECK((mode_of(data + "/ledger.db") & 077) == 0);
    std::size_t blob_files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(data + "/blobs")) {
        INFO(entry.path().string() << " mode " << std::oct << mode_of(entry.path().string()));
        CHECK((mode_of(entry.path().string()) & 077) == 0);
        if (entry.is_regular_file()) {
            ++blob_files;
        }
    }
    CHECK((mode_of(data + "/blobs") & 077) == 0);
    CHECK((mode_of(tmp_dir(hub)) & 077) == 0);
    CHECK(blob_files >= 1);
}
