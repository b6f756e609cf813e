#pragma once
/// The signature algorithm policy (Circular 15/2025/TT-BKHCN; issue 13): which keys and
/// digests a document signature may use, and what happens to the others, per source. This is
/// the one home of that rule: verify_detached asks it for agencies' CMS envelopes, and XMLDSig
/// callers (the edXML intake, the national adapter) ask it with the algorithm xmldsig.h reports
/// and the signer key from algorithm_of_certificate.

#include "hub/core/result.h"
#include "hub/core/time.h"

#include <string>
#include <string_view>

namespace hub::crypto {

/// The signer key's algorithm.
enum class KeyKind {
    rsa,      ///< RSA (PKCS#1 v1.5 or PSS signatures)
    rsa_pss,  ///< an RSASSA-PSS key (id-RSASSA-PSS), always PSS signatures
    ecdsa,
    other,  ///< DSA, EdDSA, GOST, anything else: refused from everyone
};

/// The message digest of the signature.
enum class DigestKind {
    sha256,
    sha384,
    sha512,
    sha3_256,
    sha3_384,
    sha3_512,
    sha1,
    md5,
    other,  ///< refused from everyone
};

/// What a signature was made with, as the policy sees it (no OpenSSL types).
struct SignatureAlgorithm {
    KeyKind key = KeyKind::other;
    int key_bits = 0;
    DigestKind digest = DigestKind::other;
    /// For messages when key or digest is `other`: the OpenSSL short name or the XMLDSig URI.
    std::string other_name;
};

/// Where a signature comes from; the policy's answer depends on it.
enum class SignatureSource {
    /// An agency's CMS envelope (POST /v1/envelopes): anything weak is refused.
    agency,
    /// An agency's edXML package (XMLDSig): as `agency`, except that SHA-1 is accepted and
    /// flagged before SignaturePolicyOptions::sha1_allowed_until (Decree 23/2025's upgrade
    /// deadline).
    agency_edxml,
    /// The national axis (its SDK signs rsa-sha1): SHA-1, MD5 and short keys accepted and
    /// flagged; unknown algorithms are still refused.
    national_axis,
};

/// The flag (trace warning) for a signature accepted although it is weak. Same text as
/// hub::national::kWeakSignatureFlag.
inline constexpr std::string_view kSignatureWeakFlag = "signature_algorithm_weak";

/// The policy's settings; the defaults are Circular 15/2025's floors.
struct SignaturePolicyOptions {
    int min_rsa_bits = 2048;
    int min_ecdsa_bits = 256;
    /// SHA-1 from agencies' edXML is accepted (flagged) at instants before this one: the
    /// end of 2027-04-10 in Vietnam time by default (config `trust.sha1_allowed_until`, a
    /// date read as hub::parse_deadline reads it).
    Instant sha1_allowed_until = default_sha1_allowed_until();

    /// 2027-04-10 as a deadline: 2027-04-11T00:00+07:00.
    static Instant default_sha1_allowed_until();
};

/// An accepted signature: `flag` is empty, or kSignatureWeakFlag when the source's mode let a
/// weak algorithm through (the caller records it in the trace).
struct PolicyDecision {
    std::string flag;
};

/// The policy. A plain value: copy it freely; thread-safe to use concurrently.
class SignaturePolicy {
public:
    SignaturePolicy() = default;
    explicit SignaturePolicy(SignaturePolicyOptions options) : options_(options) {}

    /// Decides on `algorithm` from `source` at `at` (the hub's acceptance time). Error:
    /// SIGNATURE_POLICY field "signature", the message naming the algorithm or the key size
    /// (e.g. "digest SHA-1 is not allowed", "RSA key of 1024 bits is shorter than 2048").
    Result<PolicyDecision> check(const SignatureAlgorithm& algorithm,
                                 SignatureSource source,
                                 Instant at) const;

    const SignaturePolicyOptions& options() const noexcept { return options_; }

private:
    SignaturePolicyOptions options_;
};

/// "SHA-256", "SHA3-384", "SHA-1", "MD5", "unknown"; for messages.
std::string_view digest_name(DigestKind digest) noexcept;

/// The digest an XMLDSig SignatureMethod or DigestMethod URI names (e.g.
/// "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" -> sha256, "...#rsa-sha1" -> sha1);
/// `other` for any URI not known here.
DigestKind digest_of_xmldsig_uri(std::string_view uri) noexcept;

/// The key kind and size of a DER certificate's public key (an XMLDSig signer's). The digest
/// is left `other`: the caller sets it from the signature method. Error: SIGNATURE_INVALID
/// "signature" (not one DER certificate, an unreadable key). Thread-safe.
Result<SignatureAlgorithm> algorithm_of_certificate(std::string_view cert_der);

}  // namespace hub::crypto
