// R-11: CMS shapes other than "detached, one signer, certificate included, SHA-256 or
// stronger" are refused, whoever made them. Built here with OpenSSL directly, since
// CmsSigner only makes the accepted shape.
#include "hub/crypto/verify.h"

#include <catch2/catch.hpp>

#include <openssl/cms.h>
#include <openssl/pem.h>

#include <memory>

#include "pki_fixture.h"

using namespace crypto_test;
using hub::errc;
using hub::crypto::verify_detached;

namespace {

constexpr std::string_view kHeader = "header bytes";

struct Key {
    std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
};

Key parse(const IssuedCert& issued) {
    Key k;
    BIO* cert_bio =
        BIO_new_mem_buf(issued.cert_pem.data(), static_cast<int>(issued.cert_pem.size()));
    k.cert.reset(PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr));
    BIO_free(cert_bio);
    BIO* key_bio = BIO_new_mem_buf(issued.key_pem.data(), static_cast<int>(issued.key_pem.size()));
    k.key.reset(PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr));
    BIO_free(key_bio);
    REQUIRE(k.cert);
    REQUIRE(k.key);
    return k;
}

/// A CMS over kHeader by `signers`, each with digest `md`, with CMS `flags`.
std::string make_cms(const std::vector<const Key*>& signers, const EVP_MD* md, unsigned flags) {
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        CMS_sign(nullptr, nullptr, nullptr, nullptr, flags | CMS_PARTIAL), CMS_ContentInfo_free);
    REQUIRE(cms);
    for (const Key* k : signers) {
        REQUIRE(CMS_add1_signer(cms.get(), k->cert.get(), k->key.get(), md, flags) != nullptr);
    }
    BIO* data = BIO_new_mem_buf(kHeader.data(), static_cast<int>(kHeader.size()));
    REQUIRE(CMS_final(cms.get(), data, nullptr, flags) == 1);
    BIO_free(data);
    unsigned char* der = nullptr;
    const int len = i2d_CMS_ContentInfo(cms.get(), &der);
    REQUIRE(len > 0);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

struct Fixture {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    Key rsa = parse(ca.issue_signer("Van thu", "000.00.12.H29", KeyType::rsa2048));
    Key ec = parse(ca.issue_signer("Van thu 2", "000.00.12.H29", KeyType::ec_p256));
    std::shared_ptr<const hub::crypto::TrustStore> store;

    Fixture() {
        const std::string anchors = dir.sub("anchors");
        write_text(anchors, "ca.pem", ca.root_pem() + ca.intermediate_pem());
        const std::string crls = dir.sub("crl");
        write_text(crls, "ca.crl", ca.crl_pem());
        store = load_store(anchors, crls);
    }
    errc code_of(const std::string& cms) const {
        auto result = verify_detached(kHeader, cms, *store, now());
        return result ? errc{} : result.error().code;
    }
};

constexpr unsigned kDetached = CMS_DETACHED | CMS_BINARY;

}  // namespace

TEST_CASE("R-11 a SHA-1 or MD5 CMS is SIGNATURE_INVALID, the same CMS with SHA-256 verifies",
          "[crypto]") {
    Fixture f;
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha256(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.ec}, EVP_sha384(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha512(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha1(), kDetached)) == errc::signature_invalid);
    CHECK(f.code_of(make_cms({&f.ec}, EVP_sha1(), kDetached)) == errc::signature_invalid);
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_md5(), kDetached)) == errc::signature_invalid);
}

TEST_CASE("R-11 a CMS with the content attached is SIGNATURE_INVALID", "[crypto]") {
    Fixture f;
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha256(), CMS_BINARY)) == errc::signature_invalid);
}

TEST_CASE("R-11 a CMS with two signers is SIGNATURE_INVALID", "[crypto]") {
    Fixture f;
    CHECK(f.code_of(make_cms({&f.rsa, &f.ec}, EVP_sha256(), kDetached)) == errc::signature_invalid);
}

TEST_CASE("R-11 a CMS without the signer's certificate is SIGNATURE_INVALID", "[crypto]") {
    Fixture f;
    CHECK(f.code_of(make_cms({&f.ec}, EVP_sha256(), kDetached | CMS_NOCERTS)) ==
          errc::signature_invalid);
}

TEST_CASE("R-11 a CMS without signed attributes verifies", "[crypto]") {
    // RFC 5652 allows signing the content directly; other CMS libraries may do so.
    Fixture f;
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha256(), kDetached | CMS_NOATTR)) == errc{});
}
