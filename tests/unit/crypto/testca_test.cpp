// The test CA itself: files, modes, persistence.
#include "hub/crypto/fingerprint.h"
#include "hub/crypto/verify.h"

#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "pki_fixture.h"

using namespace crypto_test;

namespace {

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("issued files: chain in name.crt, private key in name.key with mode 0600", "[testca]") {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    const IssuedCert cert = ca.issue_server("hub.local");
    const auto files = cert.write_files(dir.path().string() + "/tls", "server");
    CHECK(files.cert_path == dir.path().string() + "/tls/server.crt");
    CHECK(mode_of(files.key_path) == 0600);
    CHECK(mode_of(files.cert_path) == 0644);

    // Rewriting an existing, too-open key file narrows it again.
    ::chmod(files.key_path.c_str(), 0644);
    cert.write_files(dir.path().string() + "/tls", "server");
    CHECK(mode_of(files.key_path) == 0600);

    std::ifstream in(files.cert_path, std::ios::binary);
    const std::string chain((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(chain == cert.cert_pem + ca.intermediate_pem());
}

TEST_CASE("a server certificate names localhost and 127.0.0.1", "[testca]") {
    TestCa ca = TestCa::create("Test Province");
    const IssuedCert cert = ca.issue_server("hub.local");
    BIO* bio = BIO_new_mem_buf(cert.cert_pem.data(), static_cast<int>(cert.cert_pem.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(x != nullptr);
    CHECK(X509_check_host(x, "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(x, "127.0.0.1", 0) == 1);
    CHECK(X509_check_host(x, "example.com", 0, 0, nullptr) == 0);
    CHECK(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0) == 1);
    CHECK(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0) == 0);
    X509_free(x);
}

TEST_CASE("a saved CA reloads, keeps its revocations and issues under the same root", "[testca]") {
    TempDir dir;
    const std::string ca_dir = dir.path().string() + "/ca";
    std::string revoked_serial;
    {
        TestCa ca = TestCa::create("Dev Province");
        revoked_serial = ca.issue_signer("Lost", "000.00.12.H29", KeyType::ec_p256).serial;
        ca.revoke(revoked_serial);
        ca.save(ca_dir);
    }
    CHECK(mode_of(ca_dir + "/root.key") == 0600);
    CHECK(mode_of(ca_dir + "/intermediate.key") == 0600);

    TestCa reloaded = TestCa::load(ca_dir);
    const std::string anchors = dir.sub("anchors");
    write_text(anchors, "root.pem", reloaded.root_pem());
    write_text(anchors, "intermediate.pem", reloaded.intermediate_pem());
    const std::string crls = dir.sub("crl");
    write_text(crls, "ca.crl", reloaded.crl_pem());
    const auto store = load_store(anchors, crls);

    const IssuedCert fresh = reloaded.issue_signer("New", "000.00.12.H29", KeyType::ec_p256);
    auto cms = load_signer(dir, fresh, "new").sign_detached("doc");
    REQUIRE(cms.has_value());
    auto id = hub::crypto::verify_detached("doc", *cms, *store, now());
    REQUIRE(id.has_value());
    CHECK(id->subject.find("O=Dev Province") != std::string::npos);

    // The CRL made after reloading still lists the serial revoked before saving.
    const std::string crl_text = reloaded.crl_pem();
    BIO* bio = BIO_new_mem_buf(crl_text.data(), static_cast<int>(crl_text.size()));
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(crl != nullptr);
    REQUIRE(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == 1);
    BIGNUM* bn = ASN1_INTEGER_to_BN(
        X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), 0)),
        nullptr);
    char* hex = BN_bn2hex(bn);
    CHECK(std::string(hex) == revoked_serial);
    OPENSSL_free(hex);
    BN_free(bn);
    X509_CRL_free(crl);
}

TEST_CASE("a test CA refuses a bad serial and a missing directory", "[testca]") {
    TestCa ca = TestCa::create("Test Province");
    CHECK_THROWS_AS(ca.revoke("not-hex"), std::runtime_error);
    CHECK_THROWS_AS(TestCa::load("/nonexistent/lienthong-ca"), std::runtime_error);
}
