// The dev environment every integration test stands on: registry, config and certificates
// are what the daemon's contract needs, checked without the daemon.

#include "hub/core/clock.h"
#include "hub/core/org_code.h"
#include "hub/crypto/cms_signer.h"
#include "hub/crypto/fingerprint.h"
#include "hub/crypto/trust_store.h"
#include "hub/crypto/verify.h"
#include "lienthong/devenv/dev_env.h"
#include "lienthong/v1/config.pb.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <filesystem>

#include "harness.h"
#include "process.h"

namespace fs = std::filesystem;
namespace v1 = lienthong::v1;
using lienthong::devenv::DevEnvOptions;

namespace {

template <class Message>
Message read_json(const std::string& path) {
    Message m;
    const auto status = google::protobuf::util::JsonStringToMessage(it::slurp(path), &m);
    INFO(path << ": " << status.ToString());
    REQUIRE(status.ok());
    return m;
}

std::string fingerprint(const std::string& pem_path) {
    auto fp = hub::crypto::cert_fingerprint_pem(it::slurp(pem_path));
    REQUIRE(fp.has_value());
    return *fp;
}

}  // namespace

TEST_CASE("dev-env registry lists each agency with both code forms and its certificates",
          "[devenv]") {
    it::TempDir dir;
    DevEnvOptions options;
    options.agencies = 5;
    lienthong::devenv::make_dev_env(dir.path(), options);
    const auto registry = read_json<v1::Registry>(dir.path() + "/registry.json");
    const char* codes[] = {"000.00.00.H39", "000.00.01.H39", "H39.02", "000.00.03.H39", "H39.04"};
    const char* aliases[] = {"H39", "H39.01", "000.00.02.H39", "H39.03", "000.00.04.H39"};
    REQUIRE(registry.organizations_size() == 5);
    for (int i = 0; i < 5; ++i) {
        const auto& org = registry.organizations(i);
        const std::string adir = dir.path() + "/agencies/" + codes[i];
        CHECK(org.code() == codes[i]);
        REQUIRE(org.aliases_size() == 1);
        CHECK(org.aliases(0) == aliases[i]);
        CHECK(org.parent() == (i == 0 ? "" : "H39"));
        CHECK(org.status() == v1::ACTIVE);
        CHECK(org.route() == v1::LOCAL);
        REQUIRE(org.client_cert_sha256_size() == 1);
        CHECK(org.client_cert_sha256(0) == fingerprint(adir + "/client.crt"));
        REQUIRE(org.signers_size() == 1);
        CHECK(org.signers(0).sha256() == fingerprint(adir + "/signer.crt"));
    }
    CHECK(registry.organizations(2).name() == "Sở Tài chính");
}

TEST_CASE("dev-env config: relative paths, port 0, overrides merged one level deep", "[devenv]") {
    it::TempDir dir;
    DevEnvOptions options;
    options.config_overrides["limits"] = boost::json::object{{"maxBodyBytes", 100000}};
    options.config_overrides["tls"] = boost::json::object{{"operator_open_health", true}};
    options.config_overrides["clock"] = boost::json::object{{"offset_ms", 3600000}};
    lienthong::devenv::make_dev_env(dir.path(), options);
    const auto config = read_json<v1::Config>(dir.path() + "/lienthongd.json");
    CHECK(config.province() == "H39");
    CHECK(config.agency().address() == "127.0.0.1");
    CHECK(config.agency().port() == 0);
    CHECK(config.operator_().port() == 0);
    CHECK(config.tls().server_cert() == "hub/server.crt");
    CHECK(config.tls().client_ca() == "ca/root.crt");
    CHECK(config.tls().operator_open_health());
    CHECK(config.limits().max_body_bytes() == 100000);
    CHECK(config.clock().offset_ms() == 3600000);
    CHECK(config.trust().anchors_dir() == "ca/trust");
    CHECK(config.registry_file() == "registry.json");
    CHECK(config.store().ledger() == "data/ledger.db");
    CHECK(config.receipt().cert() == "hub/receipt.crt");
    CHECK(config.ports_file() == "run/ports.json");
    CHECK(config.logging().file() == "run/lienthongd.log");
    for (const auto& path :
         {config.tls().server_cert(), config.tls().server_key(), config.tls().client_ca(),
          config.receipt().key(), config.registry_file()}) {
        CHECK(fs::exists(dir.path() + "/" + path));
    }

    DevEnvOptions typo;
    typo.config_overrides["limits"] = boost::json::object{{"max_body_byte", 1}};
    CHECK_THROWS(lienthong::devenv::make_dev_env(dir.path(), typo));
}

TEST_CASE("dev-env signers: good, revoked, expired, foreign and other-org", "[devenv]") {
    it::TempDir dir;
    lienthong::devenv::make_dev_env(dir.path(), {});
    const std::string d = dir.path();
    auto trust = hub::crypto::TrustStore::load(d + "/ca/trust", d + "/ca/crl");
    REQUIRE(trust.has_value());
    const std::string content = "header bytes";
    auto verify = [&](const std::string& base) {
        auto signer = hub::crypto::CmsSigner::load(base + ".key", base + ".crt");
        REQUIRE(signer.has_value());
        auto cms = signer->sign_detached(content);
        REQUIRE(cms.has_value());
        return hub::crypto::verify_detached(content, *cms, **trust, hub::SystemClock().now());
    };
    const std::string first = d + "/agencies/000.00.00.H39/";
    auto good = verify(first + "signer");
    REQUIRE(good.has_value());
    CHECK(good->uid == "000.00.00.H39");
    auto other = verify(first + "signer-other-org");
    REQUIRE(other.has_value());
    CHECK(other->uid == "H39.99");
    CHECK(verify(first + "signer-revoked").error().code == hub::errc::certificate_revoked);
    CHECK(verify(first + "signer-expired").error().code == hub::errc::certificate_untrusted);
    CHECK(verify(d + "/foreign/signer").error().code == hub::errc::certificate_untrusted);
    CHECK(verify(d + "/agencies/H39.02/signer")->uid == "H39.02");
    CHECK(hub::crypto::CmsSigner::load(d + "/hub/receipt.key", d + "/hub/receipt.crt").has_value());
}
