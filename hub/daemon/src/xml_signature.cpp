#include "xml_signature.h"

#include "hub/crypto/verify.h"
#include "hub/national/xmldsig.h"

namespace hub {

namespace {

Failure at_signature(Failure failure) {
    failure.field = "Signature";
    return failure;
}

// A package digested with SHA-1 is weak even when its SignatureMethod is not: the policy judges
// the weaker of the two, and names the URI it cannot judge.
void set_digest(crypto::SignatureAlgorithm& algorithm,
                const std::string& signature_method,
                const std::string& digest_method) {
    const auto by_signature = crypto::digest_of_xmldsig_uri(signature_method);
    const auto by_digest = crypto::digest_of_xmldsig_uri(digest_method);
    for (const auto kind :
         {crypto::DigestKind::other, crypto::DigestKind::md5, crypto::DigestKind::sha1}) {
        if (by_signature == kind || by_digest == kind) {
            algorithm.digest = kind;
            if (kind == crypto::DigestKind::other) {
                algorithm.other_name = by_signature == kind ? signature_method : digest_method;
            }
            return;
        }
    }
    algorithm.digest = by_signature;
}

}  // namespace

Result<std::optional<XmlSigner>> check_xml_signature(std::string_view package,
                                                     const crypto::TrustStore& trust,
                                                     Instant now,
                                                     crypto::SignatureSource source) {
    auto signature = national::verify_xmldsig(package);
    if (!signature) {
        return signature.error();
    }
    if (!*signature) {
        return std::optional<XmlSigner>{};
    }
    const national::XmlSignature& sig = **signature;
    auto algorithm = crypto::algorithm_of_certificate(sig.cert_der);
    if (!algorithm) {
        return at_signature(algorithm.error());
    }
    set_digest(*algorithm, sig.signature_algorithm, sig.digest_algorithm);
    auto decision = trust.policy().check(*algorithm, source, now);
    if (!decision) {
        return at_signature(decision.error());
    }
    auto identity = crypto::verify_certificate(sig.cert_der, sig.chain_der, trust, now, source);
    if (!identity) {
        return at_signature(identity.error());
    }
    XmlSigner out{identity->cert_sha256, identity->uid, {kXmlDsigWarning}};
    if (!decision->flag.empty()) {
        out.warnings.push_back(decision->flag);
    }
    if (!identity->revocation_warning.empty()) {
        out.warnings.push_back(identity->revocation_warning);
    }
    return std::optional<XmlSigner>{std::move(out)};
}

}  // namespace hub
