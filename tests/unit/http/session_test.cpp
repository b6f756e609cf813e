// Request handling on one connection: keep-alive, request ids, spilling large bodies, handler
// exceptions and the graceful stop.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <set>

#include "unit/http/test_server.h"

namespace hub::http::test {
namespace {

namespace asio = boost::asio;
using boost::beast::http::verb;

bool is_hex16(const std::string& s) {
    return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_CASE("keep-alive serves three requests on one connection with distinct request ids",
          "[http][session]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    Client client(client_options(server.port()));
    std::set<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        auto response = client.request(verb::get, "/v1/inbox?max=5&wait=0");
        REQUIRE(outcome(response) == "ok");
        CHECK(response->status == 200);
        const std::string& id = response->header("x-request-id");
        CHECK(is_hex16(id));
        CHECK(response->body == "ok " + id);  // the handler saw the same id
        CHECK(response->header("content-length") == std::to_string(response->body.size()));
        ids.insert(id);
        CHECK(client.connected());
    }
    CHECK(ids.size() == 3);
    REQUIRE(seen->count() == 3);
    std::lock_guard lock(seen->mutex);
    // Same source port each time: one TCP connection.
    CHECK(seen->requests[0].remote == seen->requests[1].remote);
    CHECK(seen->requests[1].remote == seen->requests[2].remote);
    CHECK(seen->requests[0].path == "/v1/inbox");
    CHECK(seen->requests[0].query.at("max") == "5");
    CHECK(seen->requests[0].query.at("wait") == "0");
    CHECK(server.server().active_connections() == 1);
}

TEST_CASE("request fields reach the handler", "[http][session]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    Client client(client_options(server.port()));
    auto response = client.request(verb::post, "/v1/inbox/d%20x/ack?note=a%26b", "{}",
                                   "application/json; charset=utf-8", "application/x-protobuf",
                                   {{"X-Trace", "t-1"}});
    REQUIRE(outcome(response) == "ok");
    auto request = seen->last();
    CHECK(request.method == verb::post);
    CHECK(request.path == "/v1/inbox/d x/ack");
    CHECK(request.query.at("note") == "a&b");
    CHECK(request.content_type == "application/json; charset=utf-8");
    CHECK(request.accept == "application/x-protobuf");
    CHECK(request.header("x-trace") == "t-1");
    CHECK(request.body == "{}");
    CHECK(request.body_file.empty());
    CHECK(request.remote.rfind("127.0.0.1:", 0) == 0);
}

// Checks the spilled file while the request is being handled, then answers.
struct SpillCheck {
    std::mutex mutex;
    std::string path;
    std::string content;
    std::string body;
};

asio::awaitable<Response> read_spill(std::shared_ptr<SpillCheck> check, Request request) {
    std::lock_guard lock(check->mutex);
    check->path = request.body_file;
    check->body = request.body;
    if (!request.body_file.empty()) {
        std::ifstream in(request.body_file, std::ios::binary);
        check->content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    co_return Response{200, "text/plain", "ok", {}, {}};
}

TEST_CASE("a large body spills to a file with identical bytes, removed afterwards",
          "[http][session]") {
    auto check = std::make_shared<SpillCheck>();
    auto options = test_options();
    options.spill_bytes = 64 * 1024;
    TestServer server(options, [check](Request r) { return read_spill(check, std::move(r)); });

    std::string body(300 * 1024, '\0');
    std::mt19937 rng(42);
    for (char& c : body) {
        c = static_cast<char>(rng());
    }
    Client client(client_options(server.port()));
    auto response = client.request(verb::post, "/v1/envelopes", body, "application/x-protobuf");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    std::lock_guard lock(check->mutex);
    REQUIRE_FALSE(check->path.empty());
    CHECK(check->path.rfind(TestPki::get().dir, 0) == 0);  // in spill_dir
    CHECK(check->body.empty());
    CHECK(check->content == body);
    CHECK_FALSE(std::filesystem::exists(check->path));
}

TEST_CASE("a small chunked body arrives in memory", "[http][session]") {
    auto check = std::make_shared<SpillCheck>();
    TestServer server(test_options(),
                      [check](Request r) { return read_spill(check, std::move(r)); });
    RawTls raw(server.port());
    REQUIRE_FALSE(raw.connect());
    REQUIRE_FALSE(
        raw.write("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                  "\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
    auto response = raw.read_response();
    REQUIRE_FALSE(response.ec);
    CHECK(response.status == 200);
    std::lock_guard lock(check->mutex);
    CHECK(check->path.empty());
    CHECK(check->body == "hello world");
}

asio::awaitable<Response> throw_on_boom(Request request) {
    if (request.path == "/boom") {
        throw std::runtime_error("handler bug");
    }
    co_return Response{200, "text/plain", "fine", {}, {}};
}

TEST_CASE("a handler exception answers 500 INTERNAL and the connection stays usable",
          "[http][session]") {
    TestServer server(test_options(), [](Request r) { return throw_on_boom(std::move(r)); });
    Client client(client_options(server.port()));
    auto failed = client.request(verb::get, "/boom");
    REQUIRE(outcome(failed) == "ok");
    CHECK(failed->status == 500);
    CHECK_THAT(failed->body, Catch::Contains("\"code\":\"INTERNAL\""));
    CHECK(failed->header("content-type") == "application/json");
    CHECK(client.connected());
    auto fine = client.request(verb::get, "/fine");
    REQUIRE(outcome(fine) == "ok");
    CHECK(fine->status == 200);
    CHECK(fine->body == "fine");
}

// A handler that holds its request until the test opens the gate.
struct Gate {
    std::promise<void> entered;
    std::shared_ptr<asio::steady_timer> timer;
};

// The gate's timer belongs to the server's io_context, so it is destroyed on an io thread
// while that context still lives; a timer outliving its context would touch a freed service.
void release_gate(TestServer& server, const std::shared_ptr<Gate>& gate) {
    std::promise<void> released;
    asio::post(server.io(), [gate, &released] {
        gate->timer.reset();
        released.set_value();
    });
    released.get_future().wait();
}

asio::awaitable<Response> wait_at_gate(std::shared_ptr<Gate> gate, Request request) {
    if (request.path != "/slow") {
        co_return Response{200, "text/plain", "quick", {}, {}};
    }
    gate->entered.set_value();
    co_await gate->timer->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return Response{200, "text/plain", "done", {}, {}};
}

TEST_CASE("stop lets an in-flight slow handler finish and answer", "[http][session]") {
    auto gate = std::make_shared<Gate>();
    auto entered = gate->entered.get_future();
    TestServer server(
        test_options(), [gate](Request r) { return wait_at_gate(gate, std::move(r)); },
        /*threads=*/1);
    gate->timer =
        std::make_shared<asio::steady_timer>(server.io(), asio::steady_timer::time_point::max());

    Client idle(client_options(server.port()));
    REQUIRE(outcome(idle.request(verb::get, "/quick")) == "ok");  // then it sits idle on keep-alive
    auto slow = std::async(std::launch::async, [port = server.port()] {
        Client client(client_options(port));
        return client.request(verb::get, "/slow");
    });
    REQUIRE(entered.wait_for(5s) == std::future_status::ready);
    CHECK(server.server().active_connections() == 2);

    server.server().stop(10s);
    // Once new connections are refused, the stop has begun; then let the handler finish.
    REQUIRE(eventually([&] { return !Client(client_options(server.port())).connect(); }));
    // The idle keep-alive connection is closed without waiting for the drain deadline.
    REQUIRE(eventually([&] { return server.server().active_connections() == 1; }));
    asio::post(server.io(), [gate] { gate->timer->cancel(); });

    REQUIRE(slow.wait_for(5s) == std::future_status::ready);
    auto answer = slow.get();
    REQUIRE(outcome(answer) == "ok");
    CHECK(answer->status == 200);
    CHECK(answer->body == "done");
    CHECK(answer->header("connection") == "close");
    CHECK(server.stop_and_wait(10s, 5s));  // wait_stopped completes well before the deadline
    CHECK(server.server().active_connections() == 0);
    release_gate(server, gate);
}

TEST_CASE("stop closes connections still busy after the drain deadline", "[http][session]") {
    auto gate = std::make_shared<Gate>();
    auto entered = gate->entered.get_future();
    TestServer server(test_options(),
                      [gate](Request r) { return wait_at_gate(gate, std::move(r)); });
    gate->timer =
        std::make_shared<asio::steady_timer>(server.io(), asio::steady_timer::time_point::max());
    auto slow = std::async(std::launch::async, [port = server.port()] {
        Client client(client_options(port));
        return client.request(verb::get, "/slow");
    });
    REQUIRE(entered.wait_for(5s) == std::future_status::ready);
    CHECK(server.stop_and_wait(200ms, 5s));
    CHECK(server.server().active_connections() == 0);
    release_gate(server, gate);  // destroying the timer also cancels the wait
    auto answer = slow.get();
    CHECK_FALSE(answer.has_value());  // the connection was closed under it
}

TEST_CASE("Expect: 100-continue gets an interim answer before the body is sent",
          "[http][session]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    RawTls raw(server.port());
    REQUIRE_FALSE(raw.connect());
    REQUIRE_FALSE(
        raw.write("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                  "Expect: 100-continue\r\n\r\n"));
    auto interim = raw.read_response();
    REQUIRE_FALSE(interim.ec);
    CHECK(interim.status == 100);
    CHECK(seen->count() == 0);
    REQUIRE_FALSE(raw.write("hello"));
    auto final_answer = raw.read_response();
    REQUIRE_FALSE(final_answer.ec);
    CHECK(final_answer.status == 200);
    REQUIRE(seen->count() == 1);
    CHECK(seen->last().body == "hello");
}

}  // namespace
}  // namespace hub::http::test
