#include "hub/crypto/verify.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdint>

#include "identity.h"
#include "ossl.h"
#include "trust_store_state.h"

namespace hub::crypto {
namespace {

Failure invalid(std::string message) {
    return fail(errc::signature_invalid, "signature", std::move(message));
}

bool strong_digest(int nid) {
    switch (nid) {
        case NID_sha256:
        case NID_sha384:
        case NID_sha512:
        case NID_sha3_256:
        case NID_sha3_384:
        case NID_sha3_512:
            return true;
        default:
            return false;  // SHA-1, MD5 and anything unknown
    }
}

Result<void> check_key(X509* signer) {
    EVP_PKEY* key = X509_get0_pubkey(signer);
    if (key == nullptr) {
        return invalid("signer key unreadable");
    }
    const int bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
        case EVP_PKEY_RSA_PSS:
            if (bits < 2048) {
                return invalid("RSA signer key shorter than 2048 bits");
            }
            return {};
        case EVP_PKEY_EC:
            if (bits < 256) {
                return invalid("ECDSA signer key shorter than 256 bits");
            }
            return {};
        default:
            return invalid("signer key is neither RSA nor ECDSA");
    }
}

/// A CMS whose signature has verified, and its signer's certificate.
struct CheckedCms {
    ossl::CmsPtr cms;
    ossl::X509Ptr signer;
};

// The signature math alone: nothing here consults a trust store or a clock.
Result<CheckedCms> check_signature(std::string_view content,
                                   std::string_view cms_der,
                                   STACK_OF(X509) * extra_certs) {
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
    X509_ALGOR* digest = nullptr;
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, 0), nullptr, nullptr, &digest, nullptr);
    if (digest == nullptr || !strong_digest(OBJ_obj2nid(digest->algorithm))) {
        return invalid("digest must be SHA-256 or stronger");
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
    if (auto key = check_key(out.signer.get()); !key) {
        return key.error();
    }
    return out;
}

// Revocation is checked only where the store has a CRL for the issuer: a missing CRL is
// not a failure. A CRL past nextUpdate (or, with a shifted clock, before thisUpdate) still
// revokes what it lists rather than rejecting every signer of that CA.
int tolerate_crl_gaps(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1) {
        return 1;
    }
    switch (X509_STORE_CTX_get_error(ctx)) {
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
            return 1;
        default:
            return 0;
    }
}

Result<void> check_chain(X509* signer,
                         STACK_OF(X509) * cms_certs,
                         const TrustStore::State& trust,
                         Instant at) {
    auto untrusted_fail = [](std::string message) {
        return fail(errc::certificate_untrusted, "signature", std::move(message));
    };
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
    if (trust.crls > 0) {
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    X509_STORE_CTX_set_verify_cb(ctx.get(), tolerate_crl_gaps);
    if (X509_verify_cert(ctx.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(ctx.get());
        std::string reason = X509_verify_cert_error_string(error);
        if (error == X509_V_ERR_CERT_REVOKED) {
            return fail(errc::certificate_revoked, "signature", "signer certificate revoked");
        }
        return untrusted_fail("signer certificate not trusted: " + reason);
    }
    // Without the extension any use is allowed; with it, it must allow signing.
    const std::uint32_t usage = X509_get_key_usage(signer);
    if (usage != UINT32_MAX && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
        return untrusted_fail("signer certificate is not for signing");
    }
    return {};
}

}  // namespace

Result<SignerIdentity> verify_detached(std::string_view content,
                                       std::string_view cms_der,
                                       const TrustStore& trust,
                                       Instant at) {
    ossl::ErrorQueueGuard errors;
    auto checked = check_signature(content, cms_der, nullptr);
    if (!checked) {
        return checked.error();
    }
    ossl::CertStackPtr cms_certs(CMS_get1_certs(checked->cms.get()));
    if (auto chain = check_chain(checked->signer.get(), cms_certs.get(), trust.state(), at);
        !chain) {
        return chain.error();
    }
    return identity_of(checked->signer.get());
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
    auto checked = check_signature(content, cms_der, expected.get());
    if (!checked) {
        return checked.error();
    }
    if (X509_cmp(checked->signer.get(), sk_X509_value(expected.get(), 0)) != 0) {
        return fail(errc::signer_mismatch, "signature", "signed by another certificate");
    }
    return identity_of(checked->signer.get());
}

}  // namespace hub::crypto
