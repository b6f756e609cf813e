// R-11: CMS shapes other than "detached, one signer, certificate included, SHA-256 or
// stronger" are refused, whoever made them. Built here with OpenSSL directly, since
// CmsSigner only makes the accepted shape.
#include "hub/crypto/verify.h"

#include <catch2/catch.hpp>

#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

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

/// A CMS over kHeader by `signers`, each with digest `md`, with CMS `flags`; RSASSA-PSS
/// signatures (with `md` as the PSS hash) when `pss`.
std::string make_cms(const std::vector<const Key*>& signers,
                     const EVP_MD* md,
                     unsigned flags,
                     bool pss = false) {
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        CMS_sign(nullptr, nullptr, nullptr, nullptr, flags | CMS_PARTIAL), CMS_ContentInfo_free);
    REQUIRE(cms);
    for (const Key* k : signers) {
        CMS_SignerInfo* info = CMS_add1_signer(cms.get(), k->cert.get(), k->key.get(), md,
                                               flags | (pss ? CMS_KEY_PARAM : 0U));
        REQUIRE(info != nullptr);
        if (pss) {
            EVP_PKEY_CTX* ctx = CMS_SignerInfo_get0_pkey_ctx(info);
            REQUIRE(ctx != nullptr);
            REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0);
            REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0);
        }
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
    errc code_of(const std::string& cms, std::string_view content = kHeader) const {
        auto result = verify_detached(content, cms, *store, now());
        return result ? errc{} : result.error().code;
    }
    std::string message_of(const std::string& cms) const {
        auto result = verify_detached(kHeader, cms, *store, now());
        return result ? std::string() : result.error().message;
    }
};

constexpr unsigned kDetached = CMS_DETACHED | CMS_BINARY;

}  // namespace

TEST_CASE("issue 13 a SHA-1 or MD5 CMS is SIGNATURE_POLICY, the same CMS with SHA-256 verifies",
          "[crypto][policy]") {
    Fixture f;
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha256(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.ec}, EVP_sha384(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha512(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha3_256(), kDetached)) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha1(), kDetached)) == errc::signature_policy);
    CHECK(f.message_of(make_cms({&f.rsa}, EVP_sha1(), kDetached)) == "digest SHA-1 is not allowed");
    CHECK(f.code_of(make_cms({&f.ec}, EVP_sha1(), kDetached)) == errc::signature_policy);
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_md5(), kDetached)) == errc::signature_policy);
    CHECK(f.message_of(make_cms({&f.rsa}, EVP_md5(), kDetached)) == "digest MD5 is not allowed");
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha224(), kDetached)) == errc::signature_policy);
}

TEST_CASE("issue 13 a SHA-1 CMS over tampered content is SIGNATURE_INVALID, not POLICY",
          "[crypto][policy]") {
    Fixture f;
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha1(), kDetached), "tampered") ==
          errc::signature_invalid);
}

TEST_CASE("issue 13 an RSA-PSS CMS with SHA-256 verifies, PSS with SHA-1 is SIGNATURE_POLICY",
          "[crypto][policy]") {
    Fixture f;
    const std::string pss = make_cms({&f.rsa}, EVP_sha256(), kDetached, true);
    // The CMS really carries an RSASSA-PSS signature, not PKCS#1 v1.5.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(pss.data());
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> parsed(
        d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(pss.size())), CMS_ContentInfo_free);
    REQUIRE(parsed);
    X509_ALGOR* sig_alg = nullptr;
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed.get()), 0),
                             nullptr, nullptr, nullptr, &sig_alg);
    REQUIRE(sig_alg != nullptr);
    CHECK(OBJ_obj2nid(sig_alg->algorithm) == NID_rsassaPss);
    CHECK(f.code_of(pss) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha512(), kDetached, true)) == errc{});
    CHECK(f.code_of(make_cms({&f.rsa}, EVP_sha1(), kDetached, true)) == errc::signature_policy);
}

TEST_CASE(
    "issue 13 a 1024-bit RSA signer is SIGNATURE_POLICY naming the size, ECDSA P-256 "
    "verifies",
    "[crypto][policy]") {
    Fixture f;
    Key short_rsa = parse(f.ca.issue_signer("Van thu 3", "000.00.12.H29", KeyType::rsa1024));
    CHECK(f.code_of(make_cms({&short_rsa}, EVP_sha256(), kDetached)) == errc::signature_policy);
    CHECK(f.message_of(make_cms({&short_rsa}, EVP_sha256(), kDetached)) ==
          "RSA key of 1024 bits is shorter than 2048");
    CHECK(f.code_of(make_cms({&f.ec}, EVP_sha256(), kDetached)) == errc{});
}

TEST_CASE(
    "issue 13 verify_certificate asks the policy for the source: a 1024-bit key passes "
    "from the axis only",
    "[crypto][policy]") {
    Fixture f;
    const IssuedCert issued = f.ca.issue_signer("Van thu 4", "000.00.12.H29", KeyType::rsa1024);
    auto agency = hub::crypto::verify_certificate(issued.cert_der, {}, *f.store, now());
    REQUIRE_FALSE(agency.has_value());
    CHECK(agency.error().code == errc::signature_policy);
    CHECK(hub::crypto::verify_certificate(issued.cert_der, {}, *f.store, now(),
                                          hub::crypto::SignatureSource::national_axis)
              .has_value());
    auto algorithm = hub::crypto::algorithm_of_certificate(issued.cert_der);
    REQUIRE(algorithm.has_value());
    CHECK(algorithm->key == hub::crypto::KeyKind::rsa);
    CHECK(algorithm->key_bits == 1024);
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
