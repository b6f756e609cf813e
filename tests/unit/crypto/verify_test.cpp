// the hub checks the envelope's detached CMS signature, the signer's chain to a trusted
// CA, its validity at the given time and its revocation.
#include "hub/crypto/verify.h"

#include "hub/crypto/fingerprint.h"

#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <thread>
#include <vector>

#include "pki_fixture.h"

using namespace crypto_test;
using hub::errc;
using hub::crypto::verify_detached;

namespace {

constexpr std::string_view kHeader = "serialized EnvelopeHeader bytes \x01\x02\x00 end";

/// A province CA with root and intermediate as anchors, and a CRL directory; store() puts a
/// current CRL of the intermediate there when a test has written none.
struct Province {
    TempDir dir;
    TestCa ca = long_lived_ca("Test Province");
    std::string anchors = dir.sub("anchors");
    std::string crls = dir.sub("crl");

    Province() {
        write_text(anchors, "root.crt", ca.root_pem());
        write_text(anchors, "intermediate.crt", ca.intermediate_pem());
    }
    std::shared_ptr<const hub::crypto::TrustStore> store() const {
        if (fs::is_empty(crls)) {
            write_text(crls, "current.crl", ca.crl_pem());
        }
        return load_store(anchors, crls);
    }
    std::shared_ptr<const hub::crypto::TrustStore> lenient_store() const {
        hub::crypto::TrustStoreOptions options;
        options.allow_stale_crl = true;
        auto store = hub::crypto::TrustStore::load(anchors, crls, options);
        REQUIRE(store.has_value());
        return *store;
    }
};

std::string crl_der(const std::string& pem) {
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

std::string sign(const hub::crypto::CmsSigner& signer, std::string_view content) {
    auto cms = signer.sign_detached(content);
    REQUIRE(cms.has_value());
    return *cms;
}

}  // namespace

TEST_CASE("R-11 an RSA signer's detached signature verifies and names the signer", "[crypto]") {
    Province p;
    const IssuedCert cert =
        p.ca.issue_signer("Van thu So Noi vu", "000.00.12.H29", KeyType::rsa2048);
    const auto signer = load_signer(p.dir, cert, "rsa");

    auto id = verify_detached(kHeader, sign(signer, kHeader), *p.store(), now());
    INFO((id ? std::string() : id.error().message));
    REQUIRE(id.has_value());
    CHECK(id->uid == "000.00.12.H29");
    CHECK(id->serial == cert.serial);
    CHECK(id->cert_sha256 == hub::crypto::cert_fingerprint_der(cert.cert_der));
    CHECK(id->subject.find("CN=Van thu So Noi vu") != std::string::npos);
    CHECK(id->subject.find("UID=000.00.12.H29") != std::string::npos);
    const auto days_left = std::chrono::duration_cast<std::chrono::hours>(id->not_after - now());
    CHECK(days_left > std::chrono::hours(24 * 364));
    CHECK(days_left < std::chrono::hours(24 * 366));
}

TEST_CASE("R-11 an ECDSA P-256 signer's detached signature verifies", "[crypto]") {
    Province p;
    const IssuedCert cert = p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256);
    const auto signer = load_signer(p.dir, cert, "ec");
    auto id = verify_detached(kHeader, sign(signer, kHeader), *p.store(), now());
    REQUIRE(id.has_value());
    CHECK(id->uid == "000.00.12.H29");
}

TEST_CASE("R-11 empty content can be signed and verified", "[crypto]") {
    Province p;
    const auto signer =
        load_signer(p.dir, p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256), "ec");
    CHECK(verify_detached("", sign(signer, ""), *p.store(), now()).has_value());
    CHECK(verify_detached("x", sign(signer, ""), *p.store(), now()).error().code ==
          errc::signature_invalid);
}

TEST_CASE("R-11 tampered content is SIGNATURE_INVALID", "[crypto]") {
    Province p;
    for (KeyType type : {KeyType::rsa2048, KeyType::ec_p256}) {
        const auto signer =
            load_signer(p.dir, p.ca.issue_signer("Van thu", "000.00.12.H29", type), "s");
        const std::string cms = sign(signer, kHeader);
        std::string tampered(kHeader);
        tampered[3] ^= 0x01;
        auto result = verify_detached(tampered, cms, *p.store(), now());
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == errc::signature_invalid);
        CHECK(result.error().field == "signature");
        CHECK(verify_detached(std::string(kHeader) + "!", cms, *p.store(), now()).error().code ==
              errc::signature_invalid);
    }
}

TEST_CASE(
    "R-11 tampered content from an untrusted, expired or revoked signer is still "
    "SIGNATURE_INVALID",
    "[crypto]") {
    // The signature is checked before the chain, so the answer names the real defect.
    Province p;
    TestCa stranger = TestCa::create("Elsewhere");
    const auto t = std::chrono::system_clock::now();
    const IssuedCert expired =
        p.ca.issue_signer("Old", "000.00.12.H29", KeyType::ec_p256,
                          Validity{t - std::chrono::days(60), t - std::chrono::days(30)});
    const IssuedCert revoked = p.ca.issue_signer("Gone", "000.00.12.H29", KeyType::ec_p256);
    p.ca.revoke(revoked.serial);
    write_text(p.crls, "ca.crl", p.ca.crl_pem());
    const auto store = p.store();
    for (const IssuedCert& cert :
         {stranger.issue_signer("X", "000.00.12.H29", KeyType::ec_p256), expired, revoked}) {
        const auto signer = load_signer(p.dir, cert, "s");
        auto result = verify_detached("tampered", sign(signer, kHeader), *store, now());
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == errc::signature_invalid);
    }
}

TEST_CASE("R-11 bytes that are not a CMS signature are SIGNATURE_INVALID", "[crypto]") {
    Province p;
    const auto store = p.store();
    const auto signer =
        load_signer(p.dir, p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256), "s");
    const std::string good = sign(signer, kHeader);
    const std::vector<std::string> bad{
        "",
        "garbage that is not DER",
        std::string("\x30\x82\xff\xff\x06\x09", 6),
        good.substr(0, good.size() / 2),
        good + std::string("\x00", 1),
    };
    for (const std::string& cms : bad) {
        auto result = verify_detached(kHeader, cms, *store, now());
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == errc::signature_invalid);
        CHECK(result.error().field == "signature");
    }
    CHECK(verify_detached(kHeader, good, *store, now()).has_value());
}

TEST_CASE("R-11 a signer from another CA is CERTIFICATE_UNTRUSTED", "[crypto]") {
    Province p;
    TestCa stranger = TestCa::create("Elsewhere");
    const auto signer = load_signer(
        p.dir, stranger.issue_signer("Van thu", "000.00.12.H29", KeyType::rsa2048), "stranger");
    auto result = verify_detached(kHeader, sign(signer, kHeader), *p.store(), now());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::certificate_untrusted);
    CHECK(result.error().field == "signature");
}

TEST_CASE("R-11 a CA certificate that signs documents is CERTIFICATE_UNTRUSTED", "[crypto]") {
    // The intermediate chains to the root, but its key usage is for certificates and CRLs.
    Province p;
    const std::string ca_dir = p.dir.sub("ca");
    p.ca.save(ca_dir);
    auto signer =
        hub::crypto::CmsSigner::load(ca_dir + "/intermediate.key", ca_dir + "/intermediate.crt");
    REQUIRE(signer.has_value());
    auto result = verify_detached(kHeader, sign(*signer, kHeader), *p.store(), now());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::certificate_untrusted);
}

TEST_CASE("R-11 an expired signer is CERTIFICATE_UNTRUSTED now but valid inside its validity",
          "[crypto]") {
    Province p;
    const auto t = std::chrono::system_clock::now();
    const IssuedCert cert =
        p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256,
                          Validity{t - std::chrono::days(60), t - std::chrono::days(30)});
    const std::string cms = sign(load_signer(p.dir, cert, "expired"), kHeader);
    const auto store = p.store();

    auto result = verify_detached(kHeader, cms, *store, now());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::certificate_untrusted);
    CHECK(verify_detached(kHeader, cms, *store, now() - std::chrono::days(45)).has_value());
    // Before notBefore too.
    CHECK(verify_detached(kHeader, cms, *store, now() - std::chrono::days(61)).error().code ==
          errc::certificate_untrusted);
}

TEST_CASE("R-11 a signer not yet valid at the verification time is CERTIFICATE_UNTRUSTED",
          "[crypto]") {
    Province p;
    const auto t = std::chrono::system_clock::now();
    const IssuedCert cert =
        p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256,
                          Validity{t + std::chrono::days(10), t + std::chrono::days(100)});
    const std::string cms = sign(load_signer(p.dir, cert, "future"), kHeader);
    const auto store = p.store();
    CHECK(verify_detached(kHeader, cms, *store, now()).error().code == errc::certificate_untrusted);
    CHECK(verify_detached(kHeader, cms, *store, now() + std::chrono::days(11)).has_value());
}

TEST_CASE("R-11 a signer revoked by a CRL of the store is CERTIFICATE_REVOKED", "[crypto]") {
    Province p;
    const IssuedCert revoked = p.ca.issue_signer("Lost", "000.00.12.H29", KeyType::rsa2048);
    const IssuedCert kept = p.ca.issue_signer("Kept", "000.00.12.H29", KeyType::ec_p256);
    const std::string revoked_cms = sign(load_signer(p.dir, revoked, "revoked"), kHeader);
    const std::string kept_cms = sign(load_signer(p.dir, kept, "kept"), kHeader);

    // A current CRL that does not list it yet: accepted, no warning.
    const auto before = p.store();
    CHECK(before->crl_count() == 1);
    auto accepted = verify_detached(kHeader, revoked_cms, *before, now());
    REQUIRE(accepted.has_value());
    CHECK(accepted->revocation_warning.empty());

    p.ca.revoke(revoked.serial);
    write_text(p.crls, "current.crl", p.ca.crl_pem());
    const auto after = p.store();
    CHECK(after->crl_count() == 1);
    auto result = verify_detached(kHeader, revoked_cms, *after, now());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::certificate_revoked);
    CHECK(result.error().field == "signature");
    CHECK(verify_detached(kHeader, kept_cms, *after, now()).has_value());
    // The earlier store is immutable: loading a new one did not change it.
    CHECK(verify_detached(kHeader, revoked_cms, *before, now()).has_value());
}

TEST_CASE("R-11 a signer whose issuer has no CRL is UNAVAILABLE unless stale CRLs are allowed",
          "[crypto]") {
    Province p;  // nothing in the CRL directory
    const IssuedCert cert = p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256);
    const std::string cms = sign(load_signer(p.dir, cert, "s"), kHeader);
    auto refused = verify_detached(kHeader, cms, *load_store(p.anchors, p.crls), now());
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == errc::unavailable);
    CHECK(refused.error().field == "signature");
    CHECK_THAT(refused.error().message, Catch::Contains("Test Province Issuing CA"));
    // No CRL directory at all is the same.
    CHECK(verify_detached(kHeader, cms, *load_store(p.anchors, ""), now()).error().code ==
          errc::unavailable);

    auto lenient = verify_detached(kHeader, cms, *p.lenient_store(), now());
    REQUIRE(lenient.has_value());
    CHECK(lenient->revocation_warning == "crl_missing");
}

TEST_CASE("R-11 a CRL past its next update is UNAVAILABLE, allowed, it still revokes", "[crypto]") {
    Province p;
    const IssuedCert revoked = p.ca.issue_signer("Lost", "000.00.12.H29", KeyType::ec_p256);
    const IssuedCert kept = p.ca.issue_signer("Kept", "000.00.12.H29", KeyType::ec_p256);
    p.ca.revoke(revoked.serial);
    const auto t = std::chrono::system_clock::now();
    write_text(p.crls, "stale.crl",
               p.ca.crl_pem(t - std::chrono::days(40), t - std::chrono::days(10)));
    const std::string revoked_cms = sign(load_signer(p.dir, revoked, "r"), kHeader);
    const std::string kept_cms = sign(load_signer(p.dir, kept, "k"), kHeader);
    const auto store = p.store();
    auto refused = verify_detached(kHeader, kept_cms, *store, now());
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == errc::unavailable);
    CHECK(refused.error().field == "signature");
    CHECK_THAT(refused.error().message, Catch::Contains("expired"));

    const auto lenient = p.lenient_store();
    CHECK(verify_detached(kHeader, revoked_cms, *lenient, now()).error().code ==
          errc::certificate_revoked);
    auto accepted = verify_detached(kHeader, kept_cms, *lenient, now());
    REQUIRE(accepted.has_value());
    CHECK(accepted->revocation_warning == "crl_expired");
}

TEST_CASE("R-11 a signer certificate whose usages do not allow signing is CERTIFICATE_UNTRUSTED",
          "[crypto]") {
    using lienthong::testca::SignerUsage;
    Province p;
    const auto store = p.store();
    auto code_for = [&](const SignerUsage& usage) {
        const IssuedCert cert = p.ca.issue_signer("Van thu", "000.00.12.H29", usage);
        auto result =
            verify_detached(kHeader, sign(load_signer(p.dir, cert, "u"), kHeader), *store, now());
        return result ? std::string("ok") : std::string(hub::code_name(result.error().code));
    };
    const std::string untrusted(hub::code_name(errc::certificate_untrusted));
    CHECK(code_for({"critical,digitalSignature", "clientAuth"}) == untrusted);
    CHECK(code_for({"critical,digitalSignature", "serverAuth"}) == untrusted);
    CHECK(code_for({"critical,digitalSignature", "clientAuth,serverAuth"}) == untrusted);
    CHECK(code_for({"critical,keyEncipherment", "emailProtection"}) == untrusted);
    CHECK(code_for({"critical,keyAgreement", ""}) == untrusted);

    CHECK(code_for({"critical,digitalSignature,nonRepudiation", "emailProtection"}) == "ok");
    CHECK(code_for({"critical,nonRepudiation", ""}) == "ok");
    CHECK(code_for({"", ""}) == "ok");
    CHECK(code_for({"critical,digitalSignature", "clientAuth,anyExtendedKeyUsage"}) == "ok");
    CHECK(code_for({"critical,digitalSignature", "clientAuth,emailProtection"}) == "ok");
    CHECK(code_for({"critical,digitalSignature", "1.3.6.1.5.5.7.3.36"}) ==
          "ok");  // documentSigning
}

TEST_CASE("R-11 a CRL of the issuer whose signature does not verify is CERTIFICATE_UNTRUSTED",
          "[crypto]") {
    // A damaged CRL must not silently stop revocation checking for its issuer.
    Province p;
    const IssuedCert cert = p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256);
    const std::string cms = sign(load_signer(p.dir, cert, "s"), kHeader);
    std::string der = crl_der(p.ca.crl_pem());
    der.back() = static_cast<char>(der.back() ^ 0x01);  // inside the signature value
    write_text(p.crls, "damaged.crl", der);
    auto result = verify_detached(kHeader, cms, *p.store(), now());
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == errc::certificate_untrusted);
}

TEST_CASE("R-11 a CRL from an impostor CA with the same name revokes nothing", "[crypto]") {
    // Its authority key id names another key, so it is not our issuer's CRL at all.
    Province p;
    TestCa impostor = TestCa::create("Test Province");
    const IssuedCert cert = p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256);
    impostor.revoke(cert.serial);
    write_text(p.crls, "forged.crl", impostor.crl_pem());
    write_text(p.crls, "ours.crl", p.ca.crl_pem());
    CHECK(verify_detached(kHeader, sign(load_signer(p.dir, cert, "s"), kHeader), *p.store(), now())
              .has_value());
}

TEST_CASE(
    "R-11 a missing intermediate is CERTIFICATE_UNTRUSTED, the CMS or the store may "
    "supply it",
    "[crypto]") {
    Province p;
    const IssuedCert cert = p.ca.issue_signer("Van thu", "000.00.12.H29", KeyType::ec_p256);
    const std::string leaf_only = sign(load_signer(p.dir, cert, "leaf", false), kHeader);
    const std::string with_chain = sign(load_signer(p.dir, cert, "chain", true), kHeader);

    const std::string roots = p.dir.sub("roots-only");
    write_text(roots, "root.pem", p.ca.root_pem());
    write_text(p.crls, "current.crl", p.ca.crl_pem());
    const auto roots_only = load_store(roots, p.crls);
    CHECK(roots_only->anchor_count() == 1);
    CHECK(roots_only->intermediate_count() == 0);
    CHECK(verify_detached(kHeader, leaf_only, *roots_only, now()).error().code ==
          errc::certificate_untrusted);
    CHECK(verify_detached(kHeader, with_chain, *roots_only, now()).has_value());

    const auto full = p.store();
    CHECK(full->anchor_count() == 1);
    CHECK(full->intermediate_count() == 1);
    CHECK(verify_detached(kHeader, leaf_only, *full, now()).has_value());
}

TEST_CASE("R-11 an intermediate alone is not a trust anchor", "[crypto]") {
    Province p;
    const std::string dir = p.dir.sub("intermediate-only");
    write_text(dir, "intermediate.pem", p.ca.intermediate_pem());
    auto store = hub::crypto::TrustStore::load(dir, "");
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code == errc::internal);
}

TEST_CASE("R-11 verification is safe from several threads at once", "[crypto]") {
    Province p;
    const IssuedCert revoked = p.ca.issue_signer("Lost", "000.00.12.H29", KeyType::ec_p256);
    p.ca.revoke(revoked.serial);
    write_text(p.crls, "ca.crl", p.ca.crl_pem());
    const auto store = p.store();
    const std::string good =
        sign(load_signer(p.dir, p.ca.issue_signer("Ok", "000.00.12.H29", KeyType::ec_p256), "ok"),
             kHeader);
    const std::string bad = sign(load_signer(p.dir, revoked, "lost"), kHeader);

    std::vector<int> good_ok(4, 0), bad_revoked(4, 0);
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            for (int n = 0; n < 50; ++n) {
                good_ok[i] += verify_detached(kHeader, good, *store, now()).has_value() ? 1 : 0;
                auto r = verify_detached(kHeader, bad, *store, now());
                bad_revoked[i] += !r && r.error().code == errc::certificate_revoked ? 1 : 0;
            }
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    for (int i = 0; i < 4; ++i) {
        CHECK(good_ok[i] == 50);
        CHECK(bad_revoked[i] == 50);
    }
}
