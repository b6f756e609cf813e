#include "hub/crypto/verify.h"

#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <string>

#include "algorithm.h"
#include "identity.h"
#include "ossl.h"
#include "trust_store_state.h"

namespace hub::crypto {
namespace {

Failure invalid(std::string message) {
    return fail(errc::signature_invalid, "signature", std::move(message));
}

// The signer's key against the policy, for a certificate without a signature to go with it
// (verify_certificate: the XMLDSig caller asks the policy about its digest itself). Only the
// key is judged here, with a digest the policy allows.
Result<void> check_key(X509* signer,
                       const SignaturePolicy& policy,
                       SignatureSource source,
                       Instant at) {
    auto algorithm = algorithm_of_key(signer);
    if (!algorithm) {
        return algorithm.error();
    }
    algorithm->digest = DigestKind::sha256;
    if (auto decision = policy.check(*algorithm, source, at); !decision) {
        return decision.error();
    }
    return {};
}

// The hash inside RSASSA-PSS parameters, which is what the signature over the signed
// attributes actually uses; RFC 4055 makes an absent hashAlgorithm SHA-1.
int pss_hash_nid(const X509_ALGOR* signature_alg) {
    const ASN1_OBJECT* oid = nullptr;
    int param_type = 0;
    const void* param = nullptr;
    X509_ALGOR_get0(&oid, &param_type, &param, signature_alg);
    if (OBJ_obj2nid(oid) != NID_rsassaPss) {
        return NID_undef;
    }
    if (param_type != V_ASN1_SEQUENCE || param == nullptr) {
        return NID_sha1;
    }
    const ASN1_STRING* seq = static_cast<const ASN1_STRING*>(param);
    const unsigned char* p = ASN1_STRING_get0_data(seq);
    std::unique_ptr<RSA_PSS_PARAMS, void (*)(RSA_PSS_PARAMS*)> pss(
        d2i_RSA_PSS_PARAMS(nullptr, &p, ASN1_STRING_length(seq)), RSA_PSS_PARAMS_free);
    if (!pss) {
        return NID_undef;
    }
    return pss->hashAlgorithm == nullptr ? NID_sha1 : OBJ_obj2nid(pss->hashAlgorithm->algorithm);
}

// Policy for a CMS signer whose signature has verified: the digest algorithm, the PSS hash
// when there is one, and the signer's key.
Result<PolicyDecision> check_cms_policy(CMS_SignerInfo* info,
                                        X509* signer,
                                        const SignaturePolicy& policy,
                                        SignatureSource source,
                                        Instant at) {
    auto algorithm = algorithm_of_key(signer);
    if (!algorithm) {
        return algorithm.error();
    }
    X509_ALGOR* digest = nullptr;
    X509_ALGOR* signature = nullptr;
    CMS_SignerInfo_get0_algs(info, nullptr, nullptr, &digest, &signature);
    const int digest_nid = digest != nullptr ? OBJ_obj2nid(digest->algorithm) : NID_undef;
    algorithm->digest = digest_of_nid(digest_nid);
    if (algorithm->digest == DigestKind::other && algorithm->key != KeyKind::other) {
        const char* name = digest_nid != NID_undef ? OBJ_nid2sn(digest_nid) : nullptr;
        algorithm->other_name = name != nullptr ? name : "unknown";
    }
    auto decision = policy.check(*algorithm, source, at);
    if (!decision || signature == nullptr) {
        return decision;
    }
    if (const int pss = pss_hash_nid(signature); pss != NID_undef && pss != digest_nid) {
        SignatureAlgorithm inner = *algorithm;
        inner.digest = digest_of_nid(pss);
        const char* name = OBJ_nid2sn(pss);
        inner.other_name = name != nullptr ? name : "unknown";
        auto second = policy.check(inner, source, at);
        if (!second) {
            return second;
        }
        if (decision->flag.empty()) {
            decision->flag = std::move(second->flag);
        }
    }
    return decision;
}

/// A CMS whose signature has verified, and its signer's certificate.
struct CheckedCms {
    ossl::CmsPtr cms;
    ossl::X509Ptr signer;
};

// The signature math alone: nothing here consults a trust store or a clock.
Result<CheckedCms> check_signature(std::string_view content,
                                   std::string_view cms_der,
                                   STACK_OF(X509) * extra_certs,
                                   const SignaturePolicy& policy,
                                   Instant at) {
    if (cms_der.empty() || cms_der.size() > static_cast<std::size_t>(LONG_MAX)) {
        return invalid("no CMS signature");
    }
    const auto* begin = reinterpret_cast<const unsigned char*>(cms_der.data());
    const unsigned char* p = begin;
    CheckedCms out;
    out.cms.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())));
    if (!out.cms) {
        return invalid("not a DER CMS structure");
    }
    if (p != begin + cms_der.size()) {
        return invalid("bytes after the CMS structure");
    }
    if (OBJ_obj2nid(CMS_get0_type(out.cms.get())) != NID_pkcs7_signed) {
        return invalid("CMS is not SignedData");
    }
    if (CMS_is_detached(out.cms.get()) != 1) {
        return invalid("CMS must be detached");
    }
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(out.cms.get());
    if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1) {
        return invalid("CMS must have exactly one signer");
    }
    ossl::BioPtr data = ossl::mem_bio(content);
    if (!data) {
        return invalid("signed content too large");
    }
    // Chain, time and revocation are ours to check (check_chain), against the caller's time.
    constexpr unsigned int kFlags = CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY;
    if (CMS_verify(out.cms.get(), extra_certs, nullptr, data.get(), nullptr, kFlags) != 1) {
        return invalid("signature does not verify over the content");
    }
    STACK_OF(X509)* signers = CMS_get0_signers(out.cms.get());
    X509* signer =
        signers != nullptr && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : nullptr;
    if (signer != nullptr && X509_up_ref(signer) == 1) {
        out.signer.reset(signer);
    }
    sk_X509_free(signers);
    if (!out.signer) {
        return invalid("signer certificate not included");
    }
    // After the math, so that tampered content is SIGNATURE_INVALID whatever its algorithm.
    // CMS envelopes come from agencies only: nothing weak is accepted, so no flag to carry.
    auto decision = check_cms_policy(sk_CMS_SignerInfo_value(infos, 0), out.signer.get(), policy,
                                     SignatureSource::agency, at);
    if (!decision) {
        return decision.error();
    }
    return out;
}

// What the chain check learned about revocation data, through the verify callback.
struct CrlGaps {
    bool allow_stale = false;
    std::string warning;  // "crl_missing" or "crl_expired", first one seen
    std::string issuer;   // whose CRL it was
};

// Revocation fails closed: the signer's issuer must have a CRL that is current at the
// verification time, or revocation cannot be known and the answer is "try later"
// (UNAVAILABLE), unless the operator chose to accept (allow_stale_crl). A CRL newer than the
// clock (thisUpdate ahead, a shifted clock) is current information and is used. For the CA
// certificates above the signer, a root without a CRL is not a gap: few roots publish one.
int crl_policy(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1) {
        return 1;
    }
    auto* gaps = static_cast<CrlGaps*>(X509_STORE_CTX_get_app_data(ctx));
    const int depth = X509_STORE_CTX_get_error_depth(ctx);
    const char* warning = nullptr;
    switch (X509_STORE_CTX_get_error(ctx)) {
        case X509_V_ERR_CRL_NOT_YET_VALID:
            return 1;
        case X509_V_ERR_UNABLE_TO_GET_CRL:
            if (depth > 0) {
                return 1;
            }
            warning = "crl_missing";
            break;
        case X509_V_ERR_CRL_HAS_EXPIRED:
            warning = "crl_expired";
            break;
        default:
            return 0;
    }
    if (gaps->warning.empty()) {
        gaps->warning = warning;
        X509* cert = X509_STORE_CTX_get_current_cert(ctx);
        gaps->issuer = name_text(cert != nullptr ? X509_get_issuer_name(cert) : nullptr);
    }
    return gaps->allow_stale ? 1 : 0;
}

// Extended key usages that name a purpose other than signing documents. A certificate whose
// every EKU is one of these (a TLS client certificate, say) may not sign envelopes; an
// unknown OID (a national document-signing profile) is not refused.
bool is_non_document_purpose(int nid) {
    switch (nid) {
        case NID_server_auth:
        case NID_client_auth:
        case NID_code_sign:
        case NID_time_stamp:
        case NID_OCSP_sign:
            return true;
        default:
            return false;
    }
}

// Key usage must allow signatures; extended key usage, when present, must not limit the
// certificate to TLS or other non-document purposes (anyExtendedKeyUsage allows all).
bool allows_document_signing(X509* signer) {
    const std::uint32_t usage = X509_get_key_usage(signer);  // UINT32_MAX: no extension
    if (usage != UINT32_MAX && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
        return false;
    }
    if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0) {
        return true;
    }
    std::unique_ptr<EXTENDED_KEY_USAGE, void (*)(EXTENDED_KEY_USAGE*)> ekus(
        static_cast<EXTENDED_KEY_USAGE*>(
            X509_get_ext_d2i(signer, NID_ext_key_usage, nullptr, nullptr)),
        [](EXTENDED_KEY_USAGE* e) { EXTENDED_KEY_USAGE_free(e); });
    if (!ekus) {
        return false;  // present but unreadable
    }
    for (int i = 0; i < sk_ASN1_OBJECT_num(ekus.get()); ++i) {
        if (!is_non_document_purpose(OBJ_obj2nid(sk_ASN1_OBJECT_value(ekus.get(), i)))) {
            return true;
        }
    }
    return false;
}

// On success, the revocation warning (empty when the issuer's CRL was current).
Result<std::string> check_chain(X509* signer,
                                STACK_OF(X509) * cms_certs,
                                const TrustStore::State& trust,
                                Instant at) {
    auto untrusted_fail = [](std::string message) {
        return fail(errc::certificate_untrusted, "signature", std::move(message));
    };
    // A property of the certificate alone, so it is answered whatever the CRLs say.
    if (!allows_document_signing(signer)) {
        return untrusted_fail(
            "signer certificate is not for signing documents (key usage or extended key usage)");
    }
    // Shallow: the certificates stay owned by the CMS and the store.
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
        cms_certs != nullptr ? sk_X509_dup(cms_certs) : sk_X509_new_null(),
        [](STACK_OF(X509) * s) { sk_X509_free(s); });
    if (!untrusted) {
        return fail(errc::internal, "signature", "out of memory");
    }
    for (int i = 0; i < sk_X509_num(trust.intermediates.get()); ++i) {
        if (sk_X509_push(untrusted.get(), sk_X509_value(trust.intermediates.get(), i)) == 0) {
            return fail(errc::internal, "signature", "out of memory");
        }
    }
    ossl::StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.store.get(), signer, untrusted.get()) != 1) {
        return fail(errc::internal, "signature", "cannot set up chain verification");
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, ossl::to_time_t(at));
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    CrlGaps gaps;
    gaps.allow_stale = trust.options.allow_stale_crl;
    X509_STORE_CTX_set_app_data(ctx.get(), &gaps);
    X509_STORE_CTX_set_verify_cb(ctx.get(), crl_policy);
    if (X509_verify_cert(ctx.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(ctx.get());
        std::string reason = X509_verify_cert_error_string(error);
        if (error == X509_V_ERR_CERT_REVOKED) {
            return fail(errc::certificate_revoked, "signature", "signer certificate revoked");
        }
        if (!gaps.warning.empty() &&
            (error == X509_V_ERR_UNABLE_TO_GET_CRL || error == X509_V_ERR_CRL_HAS_EXPIRED)) {
            return fail(
                errc::unavailable, "signature",
                std::string(gaps.warning == "crl_missing" ? "no CRL" : "only an expired CRL") +
                    " for the signer's issuer " + gaps.issuer +
                    ": revocation cannot be checked now");
        }
        return untrusted_fail("signer certificate not trusted: " + reason);
    }
    return gaps.warning;
}

}  // namespace

Result<SignerIdentity> verify_detached(std::string_view content,
                                       std::string_view cms_der,
                                       const TrustStore& trust,
                                       Instant at) {
    ossl::ErrorQueueGuard errors;
    auto checked = check_signature(content, cms_der, nullptr, trust.policy(), at);
    if (!checked) {
        return checked.error();
    }
    ossl::CertStackPtr cms_certs(CMS_get1_certs(checked->cms.get()));
    auto chain = check_chain(checked->signer.get(), cms_certs.get(), trust.state(), at);
    if (!chain) {
        return chain.error();
    }
    auto identity = identity_of(checked->signer.get());
    if (identity) {
        identity->revocation_warning = std::move(*chain);
    }
    return identity;
}

Result<SignerIdentity> verify_certificate(std::string_view cert_der,
                                          const std::vector<std::string>& chain_der,
                                          const TrustStore& trust,
                                          Instant at,
                                          SignatureSource source) {
    ossl::ErrorQueueGuard errors;
    auto read = [](std::string_view der) {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
        if (cert && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
            cert.reset();
        }
        return cert;
    };
    if (cert_der.empty() || cert_der.size() > static_cast<std::size_t>(LONG_MAX)) {
        return invalid("no signer certificate");
    }
    ossl::X509Ptr signer = read(cert_der);
    if (!signer) {
        return invalid("signer certificate is not DER");
    }
    if (auto key = check_key(signer.get(), trust.policy(), source, at); !key) {
        return key.error();
    }
    ossl::CertStackPtr extra(sk_X509_new_null());
    if (!extra) {
        return fail(errc::internal, "signature", "out of memory");
    }
    for (const auto& der : chain_der) {
        // A certificate of the chain that does not parse is ignored: it can only fail to help.
        if (der.size() > static_cast<std::size_t>(LONG_MAX)) {
            continue;
        }
        if (ossl::X509Ptr cert = read(der); cert && sk_X509_push(extra.get(), cert.get()) != 0) {
            cert.release();
        }
    }
    auto chain = check_chain(signer.get(), extra.get(), trust.state(), at);
    if (!chain) {
        return chain.error();
    }
    auto identity = identity_of(signer.get());
    if (identity) {
        identity->revocation_warning = std::move(*chain);
    }
    return identity;
}

Result<SignerIdentity> verify_detached_with_cert(std::string_view content,
                                                 std::string_view cms_der,
                                                 std::string_view expected_cert_pem) {
    ossl::ErrorQueueGuard errors;
    ossl::CertStackPtr expected = ossl::read_pem_certs(expected_cert_pem);
    if (!expected || sk_X509_num(expected.get()) == 0) {
        return fail(errc::malformed, "certificate", "no PEM certificate");
    }
    // Keep only the first: the rest of a chain file must not be accepted as the signer.
    while (sk_X509_num(expected.get()) > 1) {
        X509_free(sk_X509_pop(expected.get()));
    }
    // The expected certificate is offered first, so a receipt without an embedded
    // certificate still verifies; a CMS naming another signer resolves to that signer.
    // The hub's own receipts: the default policy, which does not depend on the time.
    auto checked = check_signature(content, cms_der, expected.get(), SignaturePolicy{}, Instant{});
    if (!checked) {
        return checked.error();
    }
    if (X509_cmp(checked->signer.get(), sk_X509_value(expected.get(), 0)) != 0) {
        return fail(errc::signer_mismatch, "signature", "signed by another certificate");
    }
    return identity_of(checked->signer.get());
}

}  // namespace hub::crypto
