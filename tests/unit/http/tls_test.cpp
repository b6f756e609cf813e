// Mutual TLS on the listener: fingerprints, optional and required client certificates,
// foreign CAs and old protocol versions, against a real server on 127.0.0.1.

#include <catch2/catch.hpp>

#include "unit/http/test_server.h"

namespace hub::http::test {
namespace {

using boost::beast::http::verb;

TEST_CASE("client certificate fingerprint reaches the handler", "[http][tls]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    Client client(client_options(server.port()));
    auto response = client.request(verb::get, "/v1/time");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    REQUIRE(seen->count() == 1);
    auto request = seen->last();
    REQUIRE(request.client_cert_sha256.has_value());
    CHECK(*request.client_cert_sha256 == cli_fingerprint(TestPki::get().client_cert));
    CHECK(request.client_cert_sha256->size() == 64);
}

TEST_CASE("no client certificate reaches the handler as nullopt when not required", "[http][tls]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    Client client(client_options(server.port(), /*with_cert=*/false));
    auto response = client.request(verb::get, "/v1/time");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    REQUIRE(seen->count() == 1);
    CHECK_FALSE(seen->last().client_cert_sha256.has_value());
}

TEST_CASE("no client certificate fails the handshake when one is required", "[http][tls]") {
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.require_client_cert = true;
    TestServer server(options, recording_handler(seen));

    Client anonymous(client_options(server.port(), /*with_cert=*/false));
    // With TLS 1.3 the client may finish its side before the server's alert arrives, so the
    // failure shows up at connect or at the first request; either way nothing is served.
    auto response = anonymous.request(verb::get, "/v1/time");
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == errc::unavailable);
    CHECK(seen->count() == 0);

    Client with_cert(client_options(server.port()));
    auto ok = with_cert.request(verb::get, "/v1/time");
    REQUIRE(outcome(ok) == "ok");
    CHECK(ok->status == 200);
    CHECK(seen->count() == 1);
}

TEST_CASE("a client certificate from another CA fails the handshake", "[http][tls]") {
    bool required = GENERATE(false, true);
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.require_client_cert = required;
    TestServer server(options, recording_handler(seen));

    auto client_opts = client_options(server.port(), /*with_cert=*/false);
    client_opts.cert_file = TestPki::get().other_client_cert;
    client_opts.key_file = TestPki::get().other_client_key;
    Client intruder(client_opts);
    auto response = intruder.request(verb::get, "/v1/time");
    REQUIRE_FALSE(response.has_value());
    CHECK(response.error().code == errc::unavailable);
    CHECK(seen->count() == 0);
}

TEST_CASE("a client offering only TLS 1.1 fails the handshake", "[http][tls]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));

    auto old_opts = client_options(server.port());
    old_opts.min_tls = 11;
    old_opts.max_tls = 11;
    Client old_client(old_opts);
    auto failed = old_client.connect();
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == errc::unavailable);
    // The server refused the version (an alert), not a local configuration problem.
    CHECK_THAT(failed.error().message, Catch::Contains("protocol version"));
    CHECK(seen->count() == 0);
}

TEST_CASE("TLS 1.2 and TLS 1.3 clients are served", "[http][tls]") {
    int version = GENERATE(12, 13);
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    auto opts = client_options(server.port());
    opts.min_tls = version;
    opts.max_tls = version;
    Client client(opts);
    auto response = client.request(verb::get, "/v1/time");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    CHECK(seen->count() == 1);
}

TEST_CASE("a TLS 1.2 client offering only CBC or SHA-1 suites fails the handshake", "[http][tls]") {
    const std::string ciphers =
        GENERATE(std::string("AES128-SHA"), std::string("ECDHE-RSA-AES128-SHA"),
                 std::string("ECDHE-ECDSA-AES128-SHA"), std::string("ECDHE-ECDSA-AES128-SHA256"),
                 std::string("AES128-GCM-SHA256"));  // no forward secrecy
    INFO("offered: " << ciphers);
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    auto opts = client_options(server.port());
    opts.min_tls = 12;
    opts.max_tls = 12;
    opts.tls12_ciphers = ciphers;
    Client client(opts);
    auto failed = client.connect();
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == errc::unavailable);
    CHECK(seen->count() == 0);
}

TEST_CASE("a TLS 1.2 client offering an ECDHE AEAD suite is served", "[http][tls]") {
    const std::string ciphers = GENERATE(std::string("ECDHE-ECDSA-AES128-GCM-SHA256"),
                                         std::string("ECDHE-ECDSA-AES256-GCM-SHA384"),
                                         std::string("ECDHE-ECDSA-CHACHA20-POLY1305"));
    INFO("offered: " << ciphers);
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    auto opts = client_options(server.port());
    opts.min_tls = 12;
    opts.max_tls = 12;
    opts.tls12_ciphers = ciphers;
    Client client(opts);
    auto response = client.request(verb::get, "/v1/time");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
}

TEST_CASE("the client refuses a server its CA file does not trust", "[http][tls]") {
    auto seen = std::make_shared<Seen>();
    TestServer server(test_options(), recording_handler(seen));
    auto opts = client_options(server.port());
    opts.ca_file = TestPki::get().other_ca_cert;
    Client client(opts);
    auto failed = client.connect();
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == errc::unavailable);
    CHECK_THAT(failed.error().message, Catch::Contains("certificate verify failed"));
}

TEST_CASE("start fails cleanly on a key that does not match the certificate", "[http][tls]") {
    boost::asio::io_context io;
    Logger log(LogLevel::off);
    auto options = test_options();
    options.key_file = TestPki::get().client_key;
    Server server(io, options, recording_handler(std::make_shared<Seen>()), log);
    auto started = server.start();
    REQUIRE_FALSE(started.has_value());
    CHECK(started.error().code == errc::unavailable);
}

}  // namespace
}  // namespace hub::http::test
