// Trust rules against the real lienthongd: who is an operator, registry revocation of
// signers, CRLs that fail closed and reload without a restart, signer key usage and
// attachment names. Each test case starts its own daemon.

#include "hub/crypto/fingerprint.h"
#include "lienthong/devenv/dev_env.h"
#include "lienthong/testca/test_ca.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
namespace fs = std::filesystem;
using boost::beast::http::verb;
using hub::http::Client;
using it::Draft;

// Status, stable code, field and X-Request-Id of an error answer, with the body on failure.
#define CHECK_REFUSED(response, expected_status, expected_code, expected_field) \
    do {                                                                        \
        const auto& r_ = (response);                                            \
        INFO("HTTP " << r_.status << " body: " << r_.body);                     \
        CHECK(r_.status == (expected_status));                                  \
        CHECK(it::parse_error(r_.body).code() == (expected_code));              \
        CHECK(it::parse_error(r_.body).field() == (expected_field));            \
        CHECK_FALSE(r_.header("x-request-id").empty());                         \
    } while (false)

namespace {

boost::json::object fast_reload(boost::json::object trust = {}) {
    trust["reload_interval_ms"] = 100;
    return boost::json::object{{"trust", std::move(trust)}};
}

it::HubOptions with(boost::json::object overrides) {
    it::HubOptions options;
    options.config_overrides = std::move(overrides);
    return options;
}

// A valid envelope from the first agency to the second, signed with these files.
v1::SignedEnvelope signed_by(const it::Hub& hub, const std::string& cert, const std::string& key) {
    return it::make_envelope(hub, hub.code(0), {hub.code(1)}, [&](Draft& d) {
        d.sign_cert = cert;
        d.sign_key = key;
    });
}

// Posts fresh envelopes signed with these files until the answer has `status`, or the
// deadline passes; returns the last answer.
hub::http::ClientResponse post_until(const it::Hub& hub,
                                     const std::string& cert,
                                     const std::string& key,
                                     unsigned status) {
    Client client(hub.agency(hub.code(0)));
    hub::http::ClientResponse response;
    it::eventually([&] {
        response = it::post(client, signed_by(hub, cert, key));
        return response.status == status;
    });
    return response;
}

// Writes by rename, as an operator should, so the reloader never reads half a file.
void replace_file(const std::string& path, const std::string& text) {
    const std::string temp = path + ".tmp-new";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        REQUIRE(out.good());
    }
    fs::rename(temp, path);
}

std::string crl_path(const it::Hub& hub) { return hub.dir() + "/ca/crl/intermediate.crl.pem"; }

hub::http::ClientResponse revoke(const it::Hub& hub,
                                 const std::string& code,
                                 const std::string& sha256,
                                 const std::string& kind) {
    Client op(hub.operator_client());
    v1::CertChange change;
    change.set_code(code);
    change.set_sha256(sha256);
    change.set_kind(kind);
    return it::send(op, verb::post, "/admin/v1/certs/revoke", it::to_json(change), it::kJson);
}

std::string fingerprint_of(const std::string& pem_file) {
    return hub::crypto::cert_fingerprint_pem(it::slurp(pem_file)).value();
}

// The status of a request, or 0 when the connection or handshake failed.
unsigned status_of(const hub::http::ClientOptions& options, const std::string& target) {
    Client client(options);
    auto response = client.request(verb::get, target);
    return response ? response->status : 0;
}

void edit_config(const it::Hub& hub, const std::function<void(boost::json::object&)>& edit) {
    const std::string path = hub.dir() + "/lienthongd.json";
    auto doc = boost::json::parse(it::slurp(path));
    edit(doc.as_object());
    std::ofstream out(path, std::ios::trunc);
    out << boost::json::serialize(doc);
    REQUIRE(out.good());
}

}  // namespace

// --- Item: operators are only what the config names (R-04) --------------------------------

TEST_CASE("R-04 revoked agency certificate is not an operator", "[trust][operator]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string adir = hub.agency_dir(a);
    const auto revoked = revoke(hub, a, fingerprint_of(adir + "/client.crt"), "client");
    INFO("revoke: HTTP " << revoked.status << " " << revoked.body);
    REQUIRE(revoked.status / 100 == 2);

    auto on_operator = hub.agency(a);
    on_operator.port = hub.operator_port();
    CHECK(status_of(on_operator, "/admin/v1/orgs") == 401);
    CHECK(status_of(on_operator, "/status.json") == 401);
    CHECK(status_of(hub.agency(a), "/v1/inbox?max=1&wait=0") == 401);
    // Nor is a certificate of the agencies' CA that the registry has never heard of.
    auto stranger = hub.agency_with(hub.dir() + "/unregistered/client.crt",
                                    hub.dir() + "/unregistered/client.key");
    stranger.port = hub.operator_port();
    CHECK(status_of(stranger, "/admin/v1/orgs") == 401);
    // The configured operator still is one.
    CHECK(status_of(hub.operator_client(), "/admin/v1/orgs") == 200);
}

TEST_CASE("R-04 a config that names no operator is refused at start", "[trust][operator]") {
    it::TempDir dir;
    lienthong::devenv::DevEnvOptions options;
    options.agencies = 2;
    const std::string variant = GENERATE(std::string("no list"), std::string("same CA file"),
                                         std::string("same CA contents"));
    INFO(variant);
    boost::json::object tls{{"operator_cert_sha256", boost::json::array{}}};
    if (variant == "same CA file") {
        tls["operator_ca"] = "ca/root.crt";
    } else if (variant == "same CA contents") {
        tls["operator_ca"] = "ca/copy-of-root.crt";
    }
    options.config_overrides["tls"] = tls;
    lienthong::devenv::make_dev_env(dir.path(), options);
    fs::copy_file(dir.path() + "/ca/root.crt", dir.path() + "/ca/copy-of-root.crt");

    const auto result =
        it::run_command({it::daemon_path(), "--config", dir.path() + "/lienthongd.json"},
                        dir.path(), std::chrono::seconds(20));
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("tls.operator_cert_sha256") != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("R-04 with a distinct operator CA its certificates are operators, agencies' are not",
          "[trust][operator]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    REQUIRE(hub.stop() == 0);
    auto operators = lienthong::testca::TestCa::create("Operators");
    {
        std::ofstream ca(hub.dir() + "/operator/ca.pem", std::ios::trunc);
        ca << operators.root_pem() << operators.intermediate_pem();
    }
    operators.issue_client("Operator on duty", "operator")
        .write_files(hub.dir() + "/operator", "client");
    edit_config(hub, [](boost::json::object& config) {
        auto& tls = config["tls"].as_object();
        tls.erase("operator_cert_sha256");
        tls["operator_ca"] = "operator/ca.pem";
    });
    hub.restart();  // ready means the new operator certificate got /healthz

    CHECK(status_of(hub.operator_client(), "/admin/v1/orgs") == 200);
    auto agency_on_operator = hub.agency(a);
    agency_on_operator.port = hub.operator_port();
    CHECK(status_of(agency_on_operator, "/admin/v1/orgs") != 200);
    CHECK(status_of(hub.agency(a), "/v1/inbox?max=1&wait=0") == 200);
}

// --- Item: registry revocation of signers wins over every other rule (R-11) -----------------

TEST_CASE("R-11 a signer revoked in the registry is refused at once, even when its UID matches",
          "[trust][signer]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string adir = hub.agency_dir(a);
    Client client(hub.agency(a));

    SECTION("a signer registered by fingerprint") {
        REQUIRE(
            it::post(client, signed_by(hub, adir + "/signer.crt", adir + "/signer.key")).status ==
            202);
        const auto revoked = revoke(hub, a, fingerprint_of(adir + "/signer.crt"), "signer");
        INFO("revoke: HTTP " << revoked.status << " " << revoked.body);
        REQUIRE(revoked.status / 100 == 2);
        CHECK_REFUSED(it::post(client, signed_by(hub, adir + "/signer.crt", adir + "/signer.key")),
                      422, "CERTIFICATE_REVOKED", "signature");
    }
    SECTION("a signer accepted only through its subject UID") {
        auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");
        const auto fresh = ca.issue_signer("New clerk " + a, a);
        fresh.write_files(adir, "signer-uid-only");
        const std::string cert = adir + "/signer-uid-only.crt";
        const std::string key = adir + "/signer-uid-only.key";
        REQUIRE(it::post(client, signed_by(hub, cert, key)).status == 202);
        const auto revoked = revoke(hub, a, fingerprint_of(cert), "signer");
        INFO("revoke: HTTP " << revoked.status << " " << revoked.body);
        REQUIRE(revoked.status / 100 == 2);
        CHECK_REFUSED(it::post(client, signed_by(hub, cert, key)), 422, "CERTIFICATE_REVOKED",
                      "signature");
        // Other signers of the organization are untouched.
        CHECK(it::post(client, signed_by(hub, adir + "/signer.crt", adir + "/signer.key")).status ==
              202);
        // A restart keeps it revoked.
        hub.restart();
        Client again(hub.agency(a));
        CHECK_REFUSED(it::post(again, signed_by(hub, cert, key)), 422, "CERTIFICATE_REVOKED",
                      "signature");
    }
}

// --- Item: CRLs fail closed and reload without a restart (R-11) ----------------------------

TEST_CASE("R-11 a revoked signer whose CRL was removed is UNAVAILABLE, not accepted",
          "[trust][crl]") {
    it::Hub hub(with(fast_reload()));
    const std::string adir = hub.agency_dir(hub.code(0));
    const std::string cert = adir + "/signer-revoked.crt";
    const std::string key = adir + "/signer-revoked.key";
    Client client(hub.agency(hub.code(0)));
    CHECK_REFUSED(it::post(client, signed_by(hub, cert, key)), 422, "CERTIFICATE_REVOKED",
                  "signature");

    fs::remove(crl_path(hub));
    const auto response = post_until(hub, cert, key, 503);
    CHECK_REFUSED(response, 503, "UNAVAILABLE", "signature");
    CHECK_FALSE(response.header("retry-after").empty());
    CHECK(it::parse_error(response.body).message().find("Issuing CA") != std::string::npos);
    // A good signer of the same issuer cannot be checked either.
    CHECK_REFUSED(it::post(client, signed_by(hub, adir + "/signer.crt", adir + "/signer.key")), 503,
                  "UNAVAILABLE", "signature");
}

TEST_CASE("R-11 a revoked signer whose CRL was replaced by an expired one is UNAVAILABLE",
          "[trust][crl]") {
    it::Hub hub(with(fast_reload()));
    const std::string adir = hub.agency_dir(hub.code(0));
    const std::string cert = adir + "/signer-revoked.crt";
    const std::string key = adir + "/signer-revoked.key";
    auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");  // keeps the revocation
    const auto now = std::chrono::system_clock::now();
    replace_file(crl_path(hub),
                 ca.crl_pem(now - std::chrono::days(40), now - std::chrono::days(10)));
    const auto response = post_until(hub, cert, key, 503);
    CHECK_REFUSED(response, 503, "UNAVAILABLE", "signature");
    CHECK_FALSE(response.header("retry-after").empty());

    // A current CRL again: back to the real answer, still without a restart.
    replace_file(crl_path(hub), ca.crl_pem());
    CHECK_REFUSED(post_until(hub, cert, key, 422), 422, "CERTIFICATE_REVOKED", "signature");
    CHECK(post_until(hub, adir + "/signer.crt", adir + "/signer.key", 202).status == 202);
}

TEST_CASE("R-11 a CRL added while the daemon runs takes effect without a restart", "[trust][crl]") {
    it::Hub hub(with(fast_reload()));
    const std::string a = hub.code(0);
    const std::string adir = hub.agency_dir(a);
    auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");
    const auto fresh = ca.issue_signer("Clerk leaving " + a, a);
    fresh.write_files(adir, "signer-leaving");
    const std::string cert = adir + "/signer-leaving.crt";
    const std::string key = adir + "/signer-leaving.key";
    Client client(hub.agency(a));
    REQUIRE(it::post(client, signed_by(hub, cert, key)).status == 202);

    ca.revoke(fresh.serial);
    replace_file(hub.dir() + "/ca/crl/newer.crl.pem", ca.crl_pem());
    fs::remove(crl_path(hub));
    CHECK_REFUSED(post_until(hub, cert, key, 422), 422, "CERTIFICATE_REVOKED", "signature");
    // The new store serves before its log line is written: wait for the line, not the clock.
    CHECK(it::eventually([&] { return hub.log().find("trust_reloaded") != std::string::npos; }));
}

TEST_CASE("R-11 trust.allow_stale_crl accepts a signer whose issuer has no CRL", "[trust][crl]") {
    it::Hub hub(with(fast_reload(boost::json::object{{"allow_stale_crl", true}})));
    const std::string adir = hub.agency_dir(hub.code(0));
    fs::remove(crl_path(hub));
    // Without revocation data even the revoked signer gets through: that is what the
    // operator chose, and the trace is told (SignerIdentity::revocation_warning).
    const auto accepted =
        post_until(hub, adir + "/signer-revoked.crt", adir + "/signer-revoked.key", 202);
    REQUIRE(accepted.status == 202);
    Client sender(hub.agency(hub.code(0)));
    const auto trace = it::trace_of(sender, it::parse_receipt(accepted.body).envelope_id());
    REQUIRE(trace.warnings_size() == 1);
    CHECK(trace.warnings(0) == "crl_missing");
}

// --- Item: a signer certificate must allow signing documents (R-11) ------------------------

TEST_CASE("R-11 a certificate limited to TLS cannot sign envelopes", "[trust][signer]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string adir = hub.agency_dir(a);
    Client client(hub.agency(a));
    // The agency's own TLS client certificate: same CA, UID = its code, EKU clientAuth only.
    CHECK_REFUSED(it::post(client, signed_by(hub, adir + "/client.crt", adir + "/client.key")), 422,
                  "CERTIFICATE_UNTRUSTED", "signature");

    auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");
    lienthong::testca::SignerUsage tls_only{"critical,digitalSignature", "serverAuth,clientAuth"};
    ca.issue_signer("TLS only " + a, a, tls_only).write_files(adir, "signer-tls");
    CHECK_REFUSED(
        it::post(client, signed_by(hub, adir + "/signer-tls.crt", adir + "/signer-tls.key")), 422,
        "CERTIFICATE_UNTRUSTED", "signature");

    lienthong::testca::SignerUsage document{"critical,nonRepudiation", "1.3.6.1.5.5.7.3.36"};
    ca.issue_signer("Document signer " + a, a, document).write_files(adir, "signer-doc");
    CHECK(it::post(client, signed_by(hub, adir + "/signer-doc.crt", adir + "/signer-doc.key"))
              .status == 202);
}

// --- Item: attachment names are plain file names (R-06) ------------------------------------

TEST_CASE("R-06 an attachment name that is a path or hides its extension is MALFORMED",
          "[trust][attachments]") {
    it::Hub hub;
    const std::string name =
        GENERATE(std::string("../../etc/cron.d/x.pdf"), std::string("C:\\Windows\\x.pdf"),
                 std::string("Quyet dinh\xe2\x80\xae"
                             "fdp.exe"));
    INFO("name: " << name);
    Client client(hub.agency(hub.code(0)));
    const auto envelope = it::make_envelope(hub, hub.code(0), {hub.code(1)}, [&](Draft& d) {
        d.header.mutable_attachments(0)->set_name(name);
    });
    CHECK_REFUSED(it::post(client, envelope), 400, "MALFORMED", "header.attachments[0].name");
}

// --- Item: the signature algorithm policy (issue 13) ----------------------------------------

namespace {

// Replaces the envelope's signature with a detached CMS that the `openssl` CLI makes over the
// same header bytes with digest `md`, so the hub sees exactly what another agency's software
// would send.
void resign_with_openssl(const it::Hub& hub,
                         v1::SignedEnvelope& envelope,
                         const std::string& cert,
                         const std::string& key,
                         const std::string& md) {
    const std::string header = hub.dir() + "/resign-header.bin";
    const std::string cms = hub.dir() + "/resign-" + md + ".der";
    {
        std::ofstream out(header, std::ios::binary | std::ios::trunc);
        out << envelope.header();
    }
    const auto made =
        it::run_command({"/usr/bin/openssl", "cms", "-sign", "-binary", "-md", md, "-in", header,
                         "-signer", cert, "-inkey", key, "-outform", "DER", "-out", cms},
                        hub.dir(), std::chrono::seconds(20));
    INFO("openssl: " << made.err);
    REQUIRE(made.exit_code == 0);
    envelope.set_signature(it::slurp(cms));
    REQUIRE_FALSE(envelope.signature().empty());
}

}  // namespace

TEST_CASE("issue 13 POST /v1/envelopes refuses SHA-1 and a 1024-bit key with SIGNATURE_POLICY",
          "[trust][policy]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string adir = hub.agency_dir(a);
    Client client(hub.agency(a));
    const std::string cert = adir + "/signer.crt";
    const std::string key = adir + "/signer.key";
    const auto resigned = [&](const std::string& md) {
        return it::make_envelope(hub, a, {hub.code(1)}, {}, [&](v1::SignedEnvelope& e) {
            resign_with_openssl(hub, e, cert, key, md);
        });
    };
    // The same tool and signer with SHA-256 is accepted: the refusal below is the digest's.
    REQUIRE(it::post(client, resigned("sha256")).status == 202);
    const auto sha1 = it::post(client, resigned("sha1"));
    CHECK_REFUSED(sha1, 422, "SIGNATURE_POLICY", "signature");
    CHECK(it::parse_error(sha1.body).message().find("SHA-1") != std::string::npos);

    auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");
    ca.issue_signer("Short key clerk " + a, a, lienthong::testca::KeyType::rsa1024)
        .write_files(adir, "signer-rsa1024");
    const auto short_key = it::post(
        client, signed_by(hub, adir + "/signer-rsa1024.crt", adir + "/signer-rsa1024.key"));
    CHECK_REFUSED(short_key, 422, "SIGNATURE_POLICY", "signature");
    CHECK(it::parse_error(short_key.body).message().find("1024 bits") != std::string::npos);
}

TEST_CASE("issue 13 a bad trust.sha1_allowed_until or key floor stops start-up with one line",
          "[trust][policy]") {
    const auto [key, value] =
        GENERATE(std::pair<std::string, boost::json::value>{"sha1_allowed_until", "2027-13-01"},
                 std::pair<std::string, boost::json::value>{"sha1_allowed_until", "10/04/2027"},
                 std::pair<std::string, boost::json::value>{"min_rsa_bits", 1024},
                 std::pair<std::string, boost::json::value>{"min_ecdsa_bits", 192});
    INFO(key);
    it::TempDir dir;
    lienthong::devenv::DevEnvOptions options;
    options.agencies = 1;
    options.config_overrides["trust"] = boost::json::object{{key, value}};
    lienthong::devenv::make_dev_env(dir.path(), options);
    const auto result =
        it::run_command({it::daemon_path(), "--config", dir.path() + "/lienthongd.json"},
                        dir.path(), std::chrono::seconds(20));
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("trust." + key) != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}
