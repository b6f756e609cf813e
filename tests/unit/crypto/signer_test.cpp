// The hub's receipt signer (ECDSA P-256) and `lienthongctl receipt verify`.
#include "hub/crypto/cms_signer.h"
#include "hub/crypto/fingerprint.h"
#include "hub/crypto/verify.h"

#include <catch2/catch.hpp>

#include "pki_fixture.h"

using namespace crypto_test;
using hub::errc;
using hub::crypto::CmsSigner;
using hub::crypto::verify_detached_with_cert;

TEST_CASE("R-11 a receipt signed with the hub's ECDSA P-256 key verifies against its certificate",
          "[crypto]") {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    const IssuedCert hub_cert = ca.issue_signer("Lienthong hub", "000.00.00.H29", KeyType::ec_p256);
    const CmsSigner signer = load_signer(dir, hub_cert, "hub");
    CHECK(signer.cert_sha256() == hub::crypto::cert_fingerprint_der(hub_cert.cert_der));

    const std::string receipt = "receipt bytes: document taken 2026-11-25T14:03:07.250+07:00";
    auto cms = signer.sign_detached(receipt);
    REQUIRE(cms.has_value());

    auto id = verify_detached_with_cert(receipt, *cms, hub_cert.cert_pem);
    REQUIRE(id.has_value());
    CHECK(id->uid == "000.00.00.H29");
    CHECK(id->serial == hub_cert.serial);
    // The chain file works too: only its first certificate is the expected signer.
    CHECK(verify_detached_with_cert(receipt, *cms, hub_cert.chain_pem).has_value());

    SECTION("tampered receipt") {
        CHECK(verify_detached_with_cert(receipt + " ", *cms, hub_cert.cert_pem).error().code ==
              errc::signature_invalid);
    }
    SECTION("another certificate") {
        const IssuedCert other = ca.issue_signer("Other", "000.00.00.H29", KeyType::ec_p256);
        auto result = verify_detached_with_cert(receipt, *cms, other.cert_pem);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == errc::signer_mismatch);
    }
    SECTION("no certificate") {
        CHECK(verify_detached_with_cert(receipt, *cms, "not a pem").error().code ==
              errc::malformed);
    }
    SECTION("expired later: a receipt stays provable") {
        // verify_detached_with_cert checks no time; an old receipt's certificate may be gone.
        const auto t = std::chrono::system_clock::now();
        const IssuedCert old =
            ca.issue_signer("Old hub", "000.00.00.H29", KeyType::ec_p256,
                            Validity{t - std::chrono::days(400), t - std::chrono::days(1)});
        auto old_cms = load_signer(dir, old, "old").sign_detached(receipt);
        REQUIRE(old_cms.has_value());
        CHECK(verify_detached_with_cert(receipt, *old_cms, old.cert_pem).has_value());
    }
}

TEST_CASE("the signer includes its chain and signs with SHA-256 each time afresh", "[crypto]") {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    const IssuedCert cert = ca.issue_signer("Van thu", "000.00.12.H29", KeyType::rsa2048);
    const CmsSigner signer = load_signer(dir, cert, "rsa");
    auto a = signer.sign_detached("same");
    auto b = signer.sign_detached("same");
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    // The signing time attribute and (for ECDSA) randomness differ; both verify.
    CHECK(verify_detached_with_cert("same", *a, cert.cert_pem).has_value());
    CHECK(verify_detached_with_cert("same", *b, cert.cert_pem).has_value());
    // The intermediate's DER travels inside the CMS.
    const std::string roots = dir.sub("roots");
    write_text(roots, "root.pem", ca.root_pem());
    const std::string crls = dir.sub("crl");
    write_text(crls, "ca.crl", ca.crl_pem());
    const auto store = load_store(roots, crls);
    CHECK(hub::crypto::verify_detached("same", *a, *store, now()).has_value());
}

TEST_CASE("a signer refuses a key that does not match its certificate or missing files",
          "[crypto]") {
    TempDir dir;
    TestCa ca = TestCa::create("Test Province");
    const auto one = ca.issue_signer("One", "000.00.12.H29", KeyType::ec_p256)
                         .write_files(dir.sub("one"), "one");
    const auto two = ca.issue_signer("Two", "000.00.12.H29", KeyType::ec_p256)
                         .write_files(dir.sub("two"), "two");
    auto mismatched = CmsSigner::load(one.key_path, two.cert_path);
    REQUIRE_FALSE(mismatched.has_value());
    CHECK(mismatched.error().code == errc::internal);
    CHECK(mismatched.error().field == one.key_path);

    auto missing = CmsSigner::load(dir.path().string() + "/nope.key", one.cert_path);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().field == dir.path().string() + "/nope.key");

    auto swapped = CmsSigner::load(one.cert_path, one.key_path);
    REQUIRE_FALSE(swapped.has_value());
    // The message must not quote the file's content.
    CHECK(swapped.error().message.find("BEGIN") == std::string::npos);
}
