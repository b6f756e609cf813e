#pragma once
// The enveloped XMLDSig of an edXML package as a document signature: one check for the packages
// agencies post (POST /v1/edxml) and those the national axis brings in, differing only in the
// signature policy's source (SHA-1 in transition for agencies, weak but flagged from the axis).

#include "hub/core/result.h"
#include "hub/core/time.h"
#include "hub/crypto/signature_policy.h"
#include "hub/crypto/trust_store.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub {

/// The trace's word for a document signed with XMLDSig rather than CMS (Trace.warnings).
inline constexpr const char* kXmlDsigWarning = "signature_xmldsig";
/// The trace's word for an edXML document that came without a signature.
inline constexpr const char* kUnsignedEdxmlWarning = "unsigned_edxml";

/// A verified and chained XMLDSig signer.
struct XmlSigner {
    std::string cert_sha256;  ///< lowercase hex
    std::string uid;          ///< the subject's UID attribute, empty when none
    /// kXmlDsigWarning, then the policy's flag (signature_algorithm_weak) and the revocation
    /// warning when there are any: what the document's trace shows.
    std::vector<std::string> warnings;
};

/// Verifies the package's enveloped signature (hub::national::verify_xmldsig), asks the trust
/// store's signature policy about its key and digests (the weaker of SignatureMethod and
/// DigestMethod) for `source`, then chains the signer to the anchors as of `now`. nullopt: the
/// package has no XMLDSig signature. Errors (field "Signature"): SIGNATURE_INVALID,
/// SIGNATURE_POLICY, CERTIFICATE_UNTRUSTED, CERTIFICATE_REVOKED, UNAVAILABLE (revocation cannot
/// be known now), and the guard's MALFORMED. Thread-safe.
Result<std::optional<XmlSigner>> check_xml_signature(std::string_view package,
                                                     const crypto::TrustStore& trust,
                                                     Instant now,
                                                     crypto::SignatureSource source);

}  // namespace hub
