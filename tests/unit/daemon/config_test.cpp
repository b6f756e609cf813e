// The national.* keys: defaults, and the one-line refusals that stop start-up.

#include "hub/daemon/config.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace v1 = lienthong::v1;
namespace fs = std::filesystem;

// A config that passes every other check: only national.* differs between sections.
v1::Config base_config() {
    v1::Config c;
    c.mutable_tls()->set_server_cert("server.pem");
    c.mutable_tls()->set_server_key("server.key");
    c.mutable_tls()->set_client_ca("ca.pem");
    c.mutable_tls()->add_operator_cert_sha256(std::string(64, 'a'));
    c.mutable_trust()->set_anchors_dir("anchors");
    c.mutable_receipt()->set_key("receipt.key");
    c.mutable_receipt()->set_cert("receipt.pem");
    return c;
}

struct TempDir {
    fs::path path =
        fs::temp_directory_path() / ("lienthong-config-test-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::string error_of(const hub::Result<v1::Config>& r) {
    return r ? std::string{} : r.error().message;
}

}  // namespace

TEST_CASE("national config: defaults and checks", "[config][national]") {
    TempDir dir;
    { std::ofstream(dir.path / "axis.secret") << "s3cret\n"; }
    auto c = base_config();

    SECTION("disabled: defaults filled, nothing required") {
        auto done = hub::complete_config(c, dir.path.string());
        INFO(error_of(done));
        REQUIRE(done.has_value());
        const auto& n = done->national();
        CHECK(n.timeout_ms() == 30'000);
        CHECK(n.poll_interval_ms() == 60'000);
        CHECK(n.delivery_limit() == 20);
        CHECK(n.retry_base_ms() == 1'000);
        CHECK(n.retry_max_ms() == 300'000);
        CHECK(n.breaker_failures() == 5);
        CHECK(n.breaker_cooldown_ms() == 10'000);
        CHECK(n.directory_sync_s() == 86'400);
    }

    auto* n = c.mutable_national();
    n->set_enabled(true);
    n->set_endpoint("https://axis.example/vdxp");
    n->set_system_id("H39.hub");
    n->set_secret_file("axis.secret");

    SECTION("enabled and complete: accepted, paths resolved against the config's directory") {
        auto done = hub::complete_config(c, dir.path.string());
        INFO(error_of(done));
        REQUIRE(done.has_value());
        CHECK(done->national().secret_file() == (dir.path / "axis.secret").string());
    }
    SECTION("enabled without an endpoint") {
        n->clear_endpoint();
        CHECK(error_of(hub::complete_config(c, dir.path.string())) ==
              "config: national.endpoint: required when national.enabled");
    }
    SECTION("an endpoint that is not http(s)") {
        n->set_endpoint("ftp://axis");
        CHECK(error_of(hub::complete_config(c, dir.path.string())) ==
              "config: national.endpoint: 'ftp://axis' is not an http(s):// URL");
    }
    SECTION("enabled without a system id") {
        n->clear_system_id();
        CHECK(error_of(hub::complete_config(c, dir.path.string())) ==
              "config: national.system_id: required when national.enabled");
    }
    SECTION("a secret file that does not exist") {
        n->set_secret_file("missing.secret");
        const auto error = error_of(hub::complete_config(c, dir.path.string()));
        CHECK(error.starts_with("config: national.secret_file: cannot read "));
        CHECK(error.find('\n') == std::string::npos);
    }
    SECTION("a CA file that does not exist") {
        n->set_ca_file("missing.pem");
        CHECK(error_of(hub::complete_config(c, dir.path.string()))
                  .starts_with("config: national.ca_file: cannot read "));
    }
    SECTION("a poll interval that would spin") {
        n->set_poll_interval_ms(5);
        CHECK(error_of(hub::complete_config(c, dir.path.string())) ==
              "config: national.poll_interval_ms: must be at least 100");
    }
    SECTION("a retry cap below its base") {
        n->set_retry_base_ms(5'000);
        n->set_retry_max_ms(1'000);
        CHECK(error_of(hub::complete_config(c, dir.path.string())) ==
              "config: national.retry_max_ms: must not be below national.retry_base_ms");
    }
    SECTION("a signing key without its certificate, or one that does not exist") {
        n->set_signing_key_file("axis.secret");
        CHECK(error_of(hub::complete_config(c, dir.path.string())) ==
              "config: national.signing_cert_file: signing_key_file and signing_cert_file go "
              "together");
        n->set_signing_cert_file("missing.crt");
        CHECK(error_of(hub::complete_config(c, dir.path.string()))
                  .starts_with("config: national.signing_cert_file: cannot read "));
    }
}
