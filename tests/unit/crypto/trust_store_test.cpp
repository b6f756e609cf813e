// Loading the trust store: anchors, intermediates and CRLs from directories, fail-fast on
// anything unreadable.
#include "hub/crypto/verify.h"

#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki_fixture.h"

using namespace crypto_test;
using hub::errc;
using hub::crypto::TrustStore;

namespace {

std::string pem_crl_to_der(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(crl != nullptr);
    unsigned char* der = nullptr;
    const int len = i2d_X509_CRL(crl, &der);
    X509_CRL_free(crl);
    REQUIRE(len > 0);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

}  // namespace

TEST_CASE("the trust store counts anchors, intermediates and CRLs of several files", "[crypto]") {
    TempDir dir;
    TestCa a = TestCa::create("Province A");
    TestCa b = TestCa::create("Province B");
    const std::string anchors = dir.sub("anchors");
    const std::string crls = dir.sub("crl");
    write_text(anchors, "a.crt", a.root_pem() + a.intermediate_pem());
    write_text(anchors, "b-root.cer", b.root_pem());
    write_text(anchors, "b-int.pem", b.intermediate_pem());
    write_text(anchors, "README.txt", "not read: wrong extension");
    write_text(anchors, ".hidden.pem", "not read: hidden");
    write_text(crls, "a.crl", a.crl_pem());
    write_text(crls, "b.der", pem_crl_to_der(b.crl_pem()));

    const auto store = load_store(anchors, crls);
    CHECK(store->anchor_count() == 2);
    CHECK(store->intermediate_count() == 2);
    CHECK(store->crl_count() == 2);
}

TEST_CASE("R-11 a DER CRL revokes like a PEM one", "[crypto]") {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    const std::string anchors = dir.sub("anchors");
    write_text(anchors, "ca.pem", ca.root_pem() + ca.intermediate_pem());
    const IssuedCert cert = ca.issue_signer("Lost", "000.00.12.H29", KeyType::ec_p256);
    ca.revoke(cert.serial);
    const std::string crls = dir.sub("crl");
    write_text(crls, "ca.der", pem_crl_to_der(ca.crl_pem()));
    auto cms = load_signer(dir, cert, "lost").sign_detached("h");
    REQUIRE(cms.has_value());
    auto result = hub::crypto::verify_detached("h", *cms, *load_store(anchors, crls), now());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::certificate_revoked);
}

TEST_CASE("the trust store refuses to load what it cannot read", "[crypto]") {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    const std::string anchors = dir.sub("anchors");
    write_text(anchors, "root.pem", ca.root_pem());

    SECTION("missing anchors directory") {
        auto store = TrustStore::load(dir.path().string() + "/none", "");
        REQUIRE_FALSE(store.has_value());
        CHECK(store.error().code == errc::internal);
        CHECK(store.error().field == dir.path().string() + "/none");
    }
    SECTION("empty anchors directory") {
        CHECK_FALSE(TrustStore::load(dir.sub("empty"), "").has_value());
    }
    SECTION("a certificate file without a certificate") {
        write_text(anchors, "broken.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n");
        auto store = TrustStore::load(anchors, "");
        REQUIRE_FALSE(store.has_value());
        CHECK(store.error().field == anchors + "/broken.crt");
    }
    SECTION("missing CRL directory") {
        CHECK_FALSE(TrustStore::load(anchors, dir.path().string() + "/no-crl").has_value());
    }
    SECTION("a CRL file that does not parse") {
        const std::string crls = dir.sub("crl");
        write_text(crls, "bad.crl", "garbage");
        auto store = TrustStore::load(anchors, crls);
        REQUIRE_FALSE(store.has_value());
        CHECK(store.error().field == crls + "/bad.crl");
    }
    SECTION("an empty CRL directory is fine") {
        auto store = TrustStore::load(anchors, dir.sub("crl-empty"));
        REQUIRE(store.has_value());
        CHECK((*store)->crl_count() == 0);
    }
}
