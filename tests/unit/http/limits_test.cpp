// Transport limits of the listener: body and header sizes, the slow-loris header timeout and
// the connection cap.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "unit/http/test_server.h"

namespace hub::http::test {
namespace {

using boost::beast::http::verb;

std::string json_code(const std::string& body) {
    auto value = boost::json::parse(body);
    return std::string(value.as_object().at("code").as_string());
}

TEST_CASE("Content-Length over the limit answers 413 without reading the body", "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.max_body_bytes = 1024;
    options.body_timeout = 30s;  // a server waiting for the body would outlast the client
    TestServer server(options, recording_handler(seen));

    RawTls raw(server.port(), 5s);
    REQUIRE_FALSE(raw.connect());
    // The header promises 1025 bytes, and none follow.
    REQUIRE_FALSE(
        raw.write("POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 1025\r\n\r\n"));
    auto response = raw.read_response();
    REQUIRE_FALSE(response.ec);
    CHECK(response.status == 413);
    CHECK(json_code(response.body) == "PAYLOAD_TOO_LARGE");
    CHECK(response.connection == "close");
    CHECK(seen->count() == 0);
}

TEST_CASE("a body of exactly the limit is accepted", "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.max_body_bytes = 1024;
    TestServer server(options, recording_handler(seen));
    Client client(client_options(server.port()));
    auto response = client.request(verb::post, "/echo", std::string(1024, 'x'), "text/plain");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    REQUIRE(seen->count() == 1);
    CHECK(seen->last().body.size() == 1024);
}

TEST_CASE("a chunked body over the limit answers 413", "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.max_body_bytes = 1024;
    TestServer server(options, recording_handler(seen));

    RawTls raw(server.port(), 5s);
    REQUIRE_FALSE(raw.connect());
    std::string request =
        "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) {
        request += "200\r\n" + std::string(512, 'a') + "\r\n";
    }
    request += "0\r\n\r\n";
    REQUIRE_FALSE(raw.write(request));
    auto response = raw.read_response();
    REQUIRE_FALSE(response.ec);
    CHECK(response.status == 413);
    CHECK(json_code(response.body) == "PAYLOAD_TOO_LARGE");
    CHECK(response.connection == "close");
    CHECK(seen->count() == 0);
}

TEST_CASE("a header over the limit answers 431 and closes", "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.max_header_bytes = 1024;
    TestServer server(options, recording_handler(seen));

    RawTls raw(server.port(), 5s);
    REQUIRE_FALSE(raw.connect());
    REQUIRE_FALSE(raw.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(2048, 'p') + "\r\n\r\n"));
    auto response = raw.read_response();
    REQUIRE_FALSE(response.ec);
    CHECK(response.status == 431);
    CHECK(json_code(response.body) == "MALFORMED");
    CHECK(response.connection == "close");
    CHECK(seen->count() == 0);
}

TEST_CASE("a stalled half header is cut after header_timeout while another client is served",
          "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.header_timeout = 300ms;
    // One io thread: if the stalled connection blocked the server, nobody else would be served.
    TestServer server(options, recording_handler(seen), /*threads=*/1);

    RawTls stalled(server.port(), 10s);
    REQUIRE_FALSE(stalled.connect());
    auto stalled_at = std::chrono::steady_clock::now();
    REQUIRE_FALSE(stalled.write("POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"));

    Client other(client_options(server.port()));
    auto response = other.request(verb::get, "/v1/time");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    CHECK(seen->count() == 1);

    auto closed = stalled.read_until_close();
    auto waited = std::chrono::steady_clock::now() - stalled_at;
    // Closed by the server (not our own 10 s timeout), with no answer, after the timeout.
    CHECK(closed.ec != boost::beast::error::timeout);
    CHECK(closed.data.empty());
    CHECK(waited >= 290ms);
    CHECK(waited < 5s);
    CHECK(seen->count() == 1);
}

TEST_CASE("max_connections is enforced: at the limit the oldest idle connection makes room",
          "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.max_connections = 2;
    TestServer server(options, recording_handler(seen));

    Client first(client_options(server.port()));
    Client second(client_options(server.port()));
    REQUIRE(outcome(first.request(verb::get, "/a")) == "ok");
    REQUIRE(outcome(second.request(verb::get, "/b")) == "ok");
    CHECK(server.server().active_connections() == 2);

    // Both wait idle between requests: the first, the oldest, is closed for the third.
    Client third(client_options(server.port()));
    auto admitted = third.request(verb::get, "/c");
    REQUIRE(outcome(admitted) == "ok");
    CHECK(admitted->status == 200);
    REQUIRE(eventually([&] { return server.server().active_connections() == 2; }));
    CHECK(seen->count() == 3);

    // The first client finds its connection closed and is served on a new one.
    auto again = first.request(verb::get, "/a");
    REQUIRE(outcome(again) == "ok");
    CHECK(again->status == 200);
    CHECK(eventually([&] { return server.server().active_connections() == 2; }));
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout", "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.idle_timeout = 200ms;
    TestServer server(options, recording_handler(seen));
    Client client(client_options(server.port()));
    REQUIRE(outcome(client.request(verb::get, "/a")) == "ok");
    CHECK(server.server().active_connections() == 1);
    REQUIRE(eventually([&] { return server.server().active_connections() == 0; }));
    // The client notices the closed connection and sends on a new one.
    auto again = client.request(verb::get, "/b");
    REQUIRE(outcome(again) == "ok");
    CHECK(again->status == 200);
    REQUIRE(seen->count() == 2);
    std::lock_guard lock(seen->mutex);
    CHECK(seen->requests[0].remote != seen->requests[1].remote);
}

TEST_CASE("a request that is not HTTP answers 400 MALFORMED and closes", "[http][limits]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    RawTls raw(server.port());
    REQUIRE_FALSE(raw.connect());
    REQUIRE_FALSE(raw.write("HELLO THERE\r\n\r\n"));
    auto response = raw.read_response();
    REQUIRE_FALSE(response.ec);
    CHECK(response.status == 400);
    CHECK(json_code(response.body) == "MALFORMED");
    CHECK(response.connection == "close");
    CHECK(seen->count() == 0);
}

}  // namespace
}  // namespace hub::http::test
