#pragma once
/// Checking a detached CMS signature (envelope.md "SignedEnvelope", R-11).

#include "hub/core/result.h"
#include "hub/core/time.h"
#include "hub/crypto/signature_policy.h"
#include "hub/crypto/trust_store.h"

#include <string>
#include <string_view>
#include <vector>

namespace hub::crypto {

/// Who signed: read from the signer's certificate once the signature has verified.
struct SignerIdentity {
    /// Lowercase hex SHA-256 of the certificate's DER (as `openssl x509 -fingerprint -sha256`
    /// prints it, without the colons).
    std::string cert_sha256;
    /// Subject in RFC 2253 form (last RDN first), UTF-8 unescaped, e.g.
    /// "O=So Noi vu,UID=000.00.12.H29,CN=Van thu".
    std::string subject;
    /// The subject's UID attribute (OID 0.9.2342.19200300.100.1.1); empty when none.
    std::string uid;
    /// Serial number in uppercase hex, whole bytes, as `openssl x509 -serial` prints it.
    std::string serial;
    /// End of the certificate's validity.
    Instant not_after;
    /// Empty when the signer's issuer had a current CRL. With TrustStoreOptions::
    /// allow_stale_crl, "crl_missing" (no CRL for the issuer) or "crl_expired" (its CRL is
    /// past nextUpdate): the signer was accepted without current revocation data, which the
    /// caller should record (the trace).
    std::string revocation_warning;
};

/// Checks `cms_der`, a DER CMS SignedData detached over `content`, with exactly one signer
/// whose certificate is included. The signature is checked first, then its digest (and the
/// RSASSA-PSS hash) and key against `trust.policy()` as an agency's (SignatureSource::agency),
/// then the signer's chain against `trust` as of `at` (validity of every certificate, CRLs of
/// the store), so tampered content is always SIGNATURE_INVALID, even from a revoked or
/// untrusted signer or with a refused algorithm.
/// Errors (field "signature"): SIGNATURE_INVALID (not a CMS, attached content, several
/// signers, mismatch with `content`); SIGNATURE_POLICY (SHA-1, MD5 or an unknown digest, a
/// short or unknown key: the message names it); CERTIFICATE_UNTRUSTED (no chain to an
/// anchor, any certificate of the chain expired or not yet valid at `at`, unusable key usage,
/// a CRL that does not verify, a key usage or extended key usage that does not allow signing
/// documents); CERTIFICATE_REVOKED (listed in a CRL of the store); UNAVAILABLE (the store has
/// no CRL for the signer's issuer, or only one past its nextUpdate: revocation cannot be
/// known now; the message names the issuer). With TrustStoreOptions::allow_stale_crl those
/// two cases are accepted with SignerIdentity::revocation_warning set, and a stale CRL still
/// revokes what it lists. A CA certificate of the chain whose issuer (the root) has no CRL is
/// not checked for revocation; one that has a CRL is. Thread-safe.
Result<SignerIdentity> verify_detached(std::string_view content,
                                       std::string_view cms_der,
                                       const TrustStore& trust,
                                       Instant at);

/// The chain check of verify_detached for a signer certificate that came without a CMS (an
/// XMLDSig signature's X509Data, whose signature the caller has already verified): the key
/// against `trust.policy()` for `source` (only the key: the caller asks the policy about the
/// signature's digest, see signature_policy.h), key usage for signing documents, chain to an
/// anchor of `trust` through `chain_der` and the store's intermediates, validity at `at`, and
/// the store's CRLs. Errors (field "signature"): SIGNATURE_INVALID (not a DER certificate, an
/// unreadable key); SIGNATURE_POLICY (a short or unknown key, unless `source` is the national
/// axis, which the policy lets through with a short key); CERTIFICATE_UNTRUSTED,
/// CERTIFICATE_REVOKED and UNAVAILABLE exactly as verify_detached. Thread-safe.
Result<SignerIdentity> verify_certificate(std::string_view cert_der,
                                          const std::vector<std::string>& chain_der,
                                          const TrustStore& trust,
                                          Instant at,
                                          SignatureSource source = SignatureSource::agency);

/// Checks that `cms_der` verifies over `content` and that its signer is exactly the
/// certificate in `expected_cert_pem` (first certificate of the PEM). No chain, time or
/// revocation check: this is for proving an old hub receipt genuine
/// (`lienthongctl receipt verify`). The signer's certificate may be absent from the CMS.
/// Errors: MALFORMED "certificate" (the PEM holds no certificate); SIGNATURE_INVALID and
/// SIGNATURE_POLICY (the default SignaturePolicy) "signature" as in verify_detached;
/// SIGNER_MISMATCH "signature" (another signer).
Result<SignerIdentity> verify_detached_with_cert(std::string_view content,
                                                 std::string_view cms_der,
                                                 std::string_view expected_cert_pem);

}  // namespace hub::crypto
