#include "hub/crypto/signature_policy.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <climits>
#include <utility>

#include "algorithm.h"
#include "ossl.h"

namespace hub::crypto {
namespace {

Failure refused(std::string message) {
    return fail(errc::signature_policy, "signature", std::move(message));
}

bool weak_digest(DigestKind digest) {
    return digest == DigestKind::sha1 || digest == DigestKind::md5;
}

std::string_view key_name(KeyKind key) {
    switch (key) {
        case KeyKind::rsa:
            return "RSA";
        case KeyKind::rsa_pss:
            return "RSA-PSS";
        case KeyKind::ecdsa:
            return "ECDSA";
        case KeyKind::other:
            break;
    }
    return "unknown";
}

}  // namespace

DigestKind digest_of_nid(int nid) noexcept {
    switch (nid) {
        case NID_sha256:
            return DigestKind::sha256;
        case NID_sha384:
            return DigestKind::sha384;
        case NID_sha512:
            return DigestKind::sha512;
        case NID_sha3_256:
            return DigestKind::sha3_256;
        case NID_sha3_384:
            return DigestKind::sha3_384;
        case NID_sha3_512:
            return DigestKind::sha3_512;
        case NID_sha1:
            return DigestKind::sha1;
        case NID_md5:
            return DigestKind::md5;
        default:
            return DigestKind::other;
    }
}

Result<SignatureAlgorithm> algorithm_of_key(X509* cert) {
    EVP_PKEY* key = X509_get0_pubkey(cert);
    if (key == nullptr) {
        return fail(errc::signature_invalid, "signature", "signer key unreadable");
    }
    SignatureAlgorithm out;
    out.key_bits = EVP_PKEY_get_bits(key);
    const int id = EVP_PKEY_get_base_id(key);
    switch (id) {
        case EVP_PKEY_RSA:
            out.key = KeyKind::rsa;
            break;
        case EVP_PKEY_RSA_PSS:
            out.key = KeyKind::rsa_pss;
            break;
        case EVP_PKEY_EC:
            out.key = KeyKind::ecdsa;
            break;
        default: {
            out.key = KeyKind::other;
            const char* name = OBJ_nid2sn(id);
            out.other_name = name != nullptr && id != NID_undef ? name : "unknown";
        }
    }
    return out;
}

Instant SignaturePolicyOptions::default_sha1_allowed_until() {
    // Decree 23/2025/NĐ-CP: systems that check signatures are upgraded by 10 April 2027.
    return parse_deadline("2027-04-10").value();
}

std::string_view digest_name(DigestKind digest) noexcept {
    switch (digest) {
        case DigestKind::sha256:
            return "SHA-256";
        case DigestKind::sha384:
            return "SHA-384";
        case DigestKind::sha512:
            return "SHA-512";
        case DigestKind::sha3_256:
            return "SHA3-256";
        case DigestKind::sha3_384:
            return "SHA3-384";
        case DigestKind::sha3_512:
            return "SHA3-512";
        case DigestKind::sha1:
            return "SHA-1";
        case DigestKind::md5:
            return "MD5";
        case DigestKind::other:
            break;
    }
    return "unknown";
}

Result<PolicyDecision> SignaturePolicy::check(const SignatureAlgorithm& algorithm,
                                              SignatureSource source,
                                              Instant at) const {
    // Unknown algorithms are refused from every source: "weak but accepted" is only for
    // algorithms whose weakness is known (the axis's SHA-1), never for ones we cannot judge.
    if (algorithm.key == KeyKind::other) {
        return refused(
            "signer key algorithm " +
            (algorithm.other_name.empty() ? std::string("unknown") : algorithm.other_name) +
            " is not allowed (RSA or ECDSA only)");
    }
    if (algorithm.digest == DigestKind::other) {
        return refused(
            "digest " +
            (algorithm.other_name.empty() ? std::string("unknown") : algorithm.other_name) +
            " is not allowed (SHA-256, SHA-384, SHA-512 or SHA-3 only)");
    }
    PolicyDecision decision;
    const auto weak = [&](std::string message) -> Result<PolicyDecision> {
        const bool sha1_in_transition = source == SignatureSource::agency_edxml &&
                                        algorithm.digest == DigestKind::sha1 &&
                                        at < options_.sha1_allowed_until;
        if (source == SignatureSource::national_axis || sha1_in_transition) {
            decision.flag = std::string(kSignatureWeakFlag);
            return decision;
        }
        return refused(std::move(message));
    };
    const int min_bits =
        algorithm.key == KeyKind::ecdsa ? options_.min_ecdsa_bits : options_.min_rsa_bits;
    if (algorithm.key_bits < min_bits) {
        // Only the axis may send short keys; the SHA-1 transition of edXML is about digests.
        if (source != SignatureSource::national_axis) {
            return refused(std::string(key_name(algorithm.key)) + " key of " +
                           std::to_string(algorithm.key_bits) + " bits is shorter than " +
                           std::to_string(min_bits));
        }
        decision.flag = std::string(kSignatureWeakFlag);
    }
    if (weak_digest(algorithm.digest)) {
        return weak("digest " + std::string(digest_name(algorithm.digest)) + " is not allowed");
    }
    return decision;
}

DigestKind digest_of_xmldsig_uri(std::string_view uri) noexcept {
    // The URI's fragment names the algorithm (RFC 6931, XMLDSig 1.1): "#rsa-sha256",
    // "#sha256", "#ecdsa-sha384", "#sha3-256-rsa-MGF1", "#md5".
    const auto hash = uri.rfind('#');
    const std::string_view name = hash == std::string_view::npos ? uri : uri.substr(hash + 1);
    const auto has = [name](std::string_view part) {
        return name.find(part) != std::string_view::npos;
    };
    if (has("sha3-256")) {
        return DigestKind::sha3_256;
    }
    if (has("sha3-384")) {
        return DigestKind::sha3_384;
    }
    if (has("sha3-512")) {
        return DigestKind::sha3_512;
    }
    if (has("sha224") || has("ripemd") || has("sha512-224") || has("sha512-256")) {
        return DigestKind::other;
    }
    if (has("sha256")) {
        return DigestKind::sha256;
    }
    if (has("sha384")) {
        return DigestKind::sha384;
    }
    if (has("sha512")) {
        return DigestKind::sha512;
    }
    if (has("sha1")) {
        return DigestKind::sha1;
    }
    if (has("md5")) {
        return DigestKind::md5;
    }
    return DigestKind::other;
}

Result<SignatureAlgorithm> algorithm_of_certificate(std::string_view cert_der) {
    ossl::ErrorQueueGuard errors;
    if (cert_der.empty() || cert_der.size() > static_cast<std::size_t>(LONG_MAX)) {
        return fail(errc::signature_invalid, "signature", "no signer certificate");
    }
    const auto* begin = reinterpret_cast<const unsigned char*>(cert_der.data());
    const unsigned char* p = begin;
    ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
    if (!cert || p != begin + cert_der.size()) {
        return fail(errc::signature_invalid, "signature", "signer certificate is not DER");
    }
    return algorithm_of_key(cert.get());
}

}  // namespace hub::crypto
