// Issue 13: the signature policy's decisions, per source and around the SHA-1 transition date.
#include "hub/crypto/signature_policy.h"

#include <catch2/catch.hpp>

using hub::errc;
using hub::Instant;
using hub::crypto::DigestKind;
using hub::crypto::KeyKind;
using hub::crypto::SignatureAlgorithm;
using hub::crypto::SignaturePolicy;
using hub::crypto::SignaturePolicyOptions;
using hub::crypto::SignatureSource;

namespace {

Instant at(std::string_view text) { return hub::parse_instant(text).value(); }

const Instant kBefore = at("2027-04-10T23:59:59+07:00");
const Instant kAfter = at("2027-04-11T00:00:00+07:00");

SignatureAlgorithm alg(KeyKind key, int bits, DigestKind digest) {
    return SignatureAlgorithm{key, bits, digest, {}};
}

/// "" when accepted without a flag, the flag when accepted with one, else the error code's
/// wire name and message.
std::string outcome(const SignaturePolicy& policy,
                    const SignatureAlgorithm& algorithm,
                    SignatureSource source,
                    Instant when) {
    auto decision = policy.check(algorithm, source, when);
    if (decision) {
        return decision->flag;
    }
    REQUIRE(decision.error().field == "signature");
    return std::string(hub::code_name(decision.error().code)) + ": " + decision.error().message;
}

}  // namespace

TEST_CASE("issue 13 the default policy accepts Circular 15's algorithms from every source",
          "[crypto][policy]") {
    const SignaturePolicy policy;
    for (auto source :
         {SignatureSource::agency, SignatureSource::agency_edxml, SignatureSource::national_axis}) {
        for (auto digest : {DigestKind::sha256, DigestKind::sha384, DigestKind::sha512,
                            DigestKind::sha3_256, DigestKind::sha3_384, DigestKind::sha3_512}) {
            INFO(static_cast<int>(source) << " " << hub::crypto::digest_name(digest));
            CHECK(outcome(policy, alg(KeyKind::rsa, 2048, digest), source, kAfter).empty());
            CHECK(outcome(policy, alg(KeyKind::rsa_pss, 3072, digest), source, kAfter).empty());
            CHECK(outcome(policy, alg(KeyKind::ecdsa, 256, digest), source, kAfter).empty());
            CHECK(outcome(policy, alg(KeyKind::ecdsa, 384, digest), source, kAfter).empty());
        }
    }
}

TEST_CASE("issue 13 agencies' CMS: SHA-1, MD5 and short keys are SIGNATURE_POLICY naming them",
          "[crypto][policy]") {
    const SignaturePolicy policy;
    const auto agency = SignatureSource::agency;
    CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::sha1), agency, kBefore) ==
          "SIGNATURE_POLICY: digest SHA-1 is not allowed");
    CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::md5), agency, kBefore) ==
          "SIGNATURE_POLICY: digest MD5 is not allowed");
    CHECK(outcome(policy, alg(KeyKind::rsa, 1024, DigestKind::sha256), agency, kBefore) ==
          "SIGNATURE_POLICY: RSA key of 1024 bits is shorter than 2048");
    CHECK(outcome(policy, alg(KeyKind::rsa_pss, 2047, DigestKind::sha256), agency, kBefore) ==
          "SIGNATURE_POLICY: RSA-PSS key of 2047 bits is shorter than 2048");
    CHECK(outcome(policy, alg(KeyKind::ecdsa, 224, DigestKind::sha256), agency, kBefore) ==
          "SIGNATURE_POLICY: ECDSA key of 224 bits is shorter than 256");
}

TEST_CASE("issue 13 unknown algorithms are refused from every source, the axis included",
          "[crypto][policy]") {
    const SignaturePolicy policy;
    for (auto source :
         {SignatureSource::agency, SignatureSource::agency_edxml, SignatureSource::national_axis}) {
        SignatureAlgorithm dsa{KeyKind::other, 2048, DigestKind::sha256, "DSA"};
        CHECK(outcome(policy, dsa, source, kBefore) ==
              "SIGNATURE_POLICY: signer key algorithm DSA is not allowed (RSA or ECDSA only)");
        SignatureAlgorithm sha224{KeyKind::rsa, 2048, DigestKind::other, "SHA224"};
        CHECK(outcome(policy, sha224, source, kBefore) ==
              "SIGNATURE_POLICY: digest SHA224 is not allowed (SHA-256, SHA-384, SHA-512 or "
              "SHA-3 only)");
    }
}

TEST_CASE("issue 13 agencies' edXML: SHA-1 flagged until the end of sha1_allowed_until",
          "[crypto][policy]") {
    const SignaturePolicy policy;
    const auto edxml = SignatureSource::agency_edxml;
    CHECK(policy.options().sha1_allowed_until == kAfter);  // 2027-04-10, inclusive
    CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::sha1), edxml, kBefore) ==
          "signature_algorithm_weak");
    CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::sha1), edxml, kAfter) ==
          "SIGNATURE_POLICY: digest SHA-1 is not allowed");
    // The transition is for SHA-1 alone: MD5 and short keys stay refused.
    CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::md5), edxml, kBefore) ==
          "SIGNATURE_POLICY: digest MD5 is not allowed");
    CHECK(outcome(policy, alg(KeyKind::rsa, 1024, DigestKind::sha1), edxml, kBefore) ==
          "SIGNATURE_POLICY: RSA key of 1024 bits is shorter than 2048");

    SignaturePolicyOptions earlier;
    earlier.sha1_allowed_until = hub::parse_deadline("2026-01-31").value();
    const SignaturePolicy configured(earlier);
    CHECK(outcome(configured, alg(KeyKind::ecdsa, 256, DigestKind::sha1), edxml,
                  at("2026-01-31T23:00:00+07:00")) == "signature_algorithm_weak");
    CHECK(outcome(configured, alg(KeyKind::ecdsa, 256, DigestKind::sha1), edxml,
                  at("2026-02-01T00:00:00+07:00"))
              .rfind("SIGNATURE_POLICY", 0) == 0);
}

TEST_CASE(
    "issue 13 the national axis: weak digests and short keys accepted and flagged, at any "
    "date",
    "[crypto][policy]") {
    const SignaturePolicy policy;
    const auto axis = SignatureSource::national_axis;
    for (Instant when : {kBefore, kAfter}) {
        CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::sha1), axis, when) ==
              "signature_algorithm_weak");
        CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::md5), axis, when) ==
              "signature_algorithm_weak");
        CHECK(outcome(policy, alg(KeyKind::rsa, 1024, DigestKind::sha256), axis, when) ==
              "signature_algorithm_weak");
        CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::sha256), axis, when).empty());
    }
}

TEST_CASE("issue 13 raised key floors apply to agencies", "[crypto][policy]") {
    SignaturePolicyOptions strict;
    strict.min_rsa_bits = 3072;
    strict.min_ecdsa_bits = 384;
    const SignaturePolicy policy(strict);
    CHECK(outcome(policy, alg(KeyKind::rsa, 2048, DigestKind::sha256), SignatureSource::agency,
                  kAfter) == "SIGNATURE_POLICY: RSA key of 2048 bits is shorter than 3072");
    CHECK(outcome(policy, alg(KeyKind::ecdsa, 256, DigestKind::sha256), SignatureSource::agency,
                  kAfter) == "SIGNATURE_POLICY: ECDSA key of 256 bits is shorter than 384");
    CHECK(outcome(policy, alg(KeyKind::rsa, 3072, DigestKind::sha256), SignatureSource::agency,
                  kAfter)
              .empty());
}

TEST_CASE("issue 13 XMLDSig algorithm URIs map to the policy's digests", "[crypto][policy]") {
    using hub::crypto::digest_of_xmldsig_uri;
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2000/09/xmldsig#rsa-sha1") == DigestKind::sha1);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2000/09/xmldsig#sha1") == DigestKind::sha1);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") ==
          DigestKind::sha256);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2001/04/xmlenc#sha256") == DigestKind::sha256);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384") ==
          DigestKind::sha384);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2001/04/xmlenc#sha512") == DigestKind::sha512);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa-MGF1") ==
          DigestKind::sha3_256);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2001/04/xmldsig-more#rsa-md5") ==
          DigestKind::md5);
    CHECK(digest_of_xmldsig_uri("http://www.w3.org/2001/04/xmldsig-more#rsa-sha224") ==
          DigestKind::other);
    CHECK(digest_of_xmldsig_uri("") == DigestKind::other);
}
