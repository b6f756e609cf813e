#pragma once
/// XMLDSig on edXML packages (xmlsec1 with its OpenSSL backend): checking the enveloped
/// signature of a package that has one, and signing outgoing packages. The chain of the signer
/// certificate to the hub's trust anchors is hub::crypto's check (verify_certificate in
/// hub/crypto/verify.h); signer <-> From is the caller's.

#include "hub/core/result.h"
#include "hub/national/xml_guard.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::national {

inline constexpr std::string_view kXmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";
/// The flag (trace warning) for a package signed or digested with SHA-1.
inline constexpr std::string_view kWeakSignatureFlag = "signature_algorithm_weak";

/// A verified XMLDSig signature.
struct XmlSignature {
    std::string cert_der;                ///< the signer's certificate (its key verified it)
    std::vector<std::string> chain_der;  ///< the other certificates of X509Data, as given
    std::string signature_algorithm;     ///< SignatureMethod URI, e.g. "...#rsa-sha256"
    std::string digest_algorithm;        ///< the Reference's DigestMethod URI
    /// SHA-1 in the signature method or the digest (rsa-sha1, as the national SDK signs):
    /// accepted, to be flagged kWeakSignatureFlag.
    bool weak = false;
};

/// Checks the package's enveloped signature: exactly one `Signature` in the XMLDSig namespace,
/// in edXMLHeader, with one Reference, URI="" and the enveloped-signature transform (so it
/// covers the whole package, attachments included), a certificate in KeyInfo/X509Data whose key
/// verifies it; no URI, key name or retrieval method is ever resolved. A `Signature` element in
/// any other namespace is no signature. Returns nullopt when the package has no XMLDSig
/// signature. Errors: the guard's MALFORMED refusals; SIGNATURE_INVALID field "Signature"
/// (several signatures, another shape, no certificate, an algorithm not allowed, a digest or
/// signature that does not verify: any tampering). Thread-safe.
Result<std::optional<XmlSignature>> verify_xmldsig(std::string_view package,
                                                   const XmlLimits& limits = {});

/// Signature methods for sign_xmldsig.
enum class XmlSignatureMethod {
    automatic,  ///< rsa-sha256 for an RSA key, ecdsa-sha256 for an EC key
    rsa_sha1,   ///< only to produce packages like the national SDK's (tests, simulator)
};

/// Signs `package` (an edXML package without an XMLDSig signature) with an enveloped signature
/// appended to edXMLHeader: inclusive C14N 1.0, one Reference URI="" with the enveloped
/// transform and SHA-256 (SHA-1 with rsa_sha1), and X509Data holding `cert_chain_pem`'s
/// certificates, signer first. `key_pem` is an unencrypted PEM private key (RSA or EC); it is
/// used for this call only and never copied or logged. Errors: the guard's refusals;
/// MALFORMED "Signature" (already signed, no edXMLHeader); INTERNAL "key" (unreadable key or
/// certificate, a key that does not match the certificate, xmlsec1 failing). Thread-safe.
Result<std::string> sign_xmldsig(std::string_view package,
                                 std::string_view key_pem,
                                 std::string_view cert_chain_pem,
                                 XmlSignatureMethod method = XmlSignatureMethod::automatic,
                                 const XmlLimits& limits = {});

}  // namespace hub::national
