// Certificate fingerprints map TLS client certificates to organizations.
#include "hub/crypto/fingerprint.h"

#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>

#include "pki_fixture.h"

using namespace crypto_test;

namespace {

// What `openssl x509 -noout -fingerprint -sha256` prints, colons removed, lowercased.
std::string openssl_fingerprint(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(cert != nullptr);
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    REQUIRE(X509_digest(cert, EVP_sha256(), md.data(), &len) == 1);
    X509_free(cert);
    std::string hex;
    std::array<char, 3> byte{};
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(byte.data(), byte.size(), "%02x", md[i]);
        hex += byte.data();
    }
    return hex;
}

}  // namespace

TEST_CASE("a certificate's fingerprint is the SHA-256 of its DER, in every form", "[crypto]") {
    TestCa ca = TestCa::create("Test Province");
    const IssuedCert client = ca.issue_client("Agency system", "000.00.12.H29");

    auto from_pem = hub::crypto::cert_fingerprint_pem(client.cert_pem);
    REQUIRE(from_pem.has_value());
    CHECK(from_pem->size() == 64);
    CHECK(*from_pem == openssl_fingerprint(client.cert_pem));
    CHECK(*from_pem == hub::crypto::cert_fingerprint_der(client.cert_der));
    // Stable: same input, same answer; the chain file gives the leaf's.
    CHECK(*hub::crypto::cert_fingerprint_pem(client.cert_pem) == *from_pem);
    CHECK(*hub::crypto::cert_fingerprint_pem(client.chain_pem) == *from_pem);

    const IssuedCert other = ca.issue_client("Agency system", "000.00.12.H29");
    CHECK(*hub::crypto::cert_fingerprint_pem(other.cert_pem) != *from_pem);
}

TEST_CASE("a fingerprint of text without a certificate is MALFORMED", "[crypto]") {
    for (const char* text : {"", "hello",
                             "-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                             "CERTIFICATE-----\n"}) {
        auto result = hub::crypto::cert_fingerprint_pem(text);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == hub::errc::malformed);
        CHECK(result.error().field == "certificate");
    }
    // The DER form hashes bytes as given: the empty string's SHA-256.
    CHECK(hub::crypto::cert_fingerprint_der("") ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
