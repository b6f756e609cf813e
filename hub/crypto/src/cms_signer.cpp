#include "hub/crypto/cms_signer.h"

#include <openssl/pem.h>

#include <climits>

#include "ossl.h"

namespace hub::crypto {

struct CmsSigner::State {
    ossl::PkeyPtr key;
    ossl::X509Ptr cert;
    ossl::CertStackPtr chain;  // certificates after the signer's in its file
    std::string cert_sha256;
};

CmsSigner::CmsSigner(std::shared_ptr<const State> state) : state_(std::move(state)) {}

const std::string& CmsSigner::cert_sha256() const noexcept { return state_->cert_sha256; }

Result<CmsSigner> CmsSigner::load(const std::string& key_pem_path,
                                  const std::string& cert_pem_path) {
    ossl::ErrorQueueGuard errors;
    auto state = std::make_shared<State>();
    {
        // The key bytes live only in this scope's buffer, wiped before it is released.
        std::string pem;
        if (!ossl::read_file(key_pem_path, pem)) {
            return fail(errc::internal, key_pem_path, "cannot read private key file");
        }
        ossl::BioPtr bio = ossl::mem_bio(pem);
        if (bio) {
            state->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
        }
        OPENSSL_cleanse(pem.data(), pem.size());
        if (!state->key) {
            return fail(errc::internal, key_pem_path, "no unencrypted PEM private key in file");
        }
    }
    std::string cert_pem;
    if (!ossl::read_file(cert_pem_path, cert_pem)) {
        return fail(errc::internal, cert_pem_path, "cannot read certificate file");
    }
    state->chain = ossl::read_pem_certs(cert_pem);
    if (!state->chain || sk_X509_num(state->chain.get()) == 0) {
        return fail(errc::internal, cert_pem_path, "no PEM certificate in file");
    }
    state->cert.reset(sk_X509_shift(state->chain.get()));
    if (X509_check_private_key(state->cert.get(), state->key.get()) != 1) {
        return fail(errc::internal, key_pem_path, "private key does not match the certificate");
    }
    state->cert_sha256 = ossl::cert_sha256_hex(state->cert.get());
    return CmsSigner(std::move(state));
}

Result<std::string> CmsSigner::sign_detached(std::string_view content) const {
    ossl::ErrorQueueGuard errors;
    auto failed = [](const char* what) { return fail(errc::internal, "signature", what); };
    ossl::BioPtr data = ossl::mem_bio(content);
    if (!data) {
        return failed("content too large to sign");
    }
    // CMS_PARTIAL lets us name SHA-256 explicitly instead of trusting the key type's default.
    constexpr unsigned int kFlags = CMS_DETACHED | CMS_BINARY;
    ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags | CMS_PARTIAL));
    if (!cms || CMS_add1_signer(cms.get(), state_->cert.get(), state_->key.get(), EVP_sha256(),
                                kFlags) == nullptr) {
        return failed("cannot set up the CMS signer");
    }
    for (int i = 0; i < sk_X509_num(state_->chain.get()); ++i) {
        if (CMS_add1_cert(cms.get(), sk_X509_value(state_->chain.get(), i)) != 1) {
            return failed("cannot add the certificate chain");
        }
    }
    if (CMS_final(cms.get(), data.get(), nullptr, kFlags) != 1) {
        return failed("CMS signing failed");
    }
    unsigned char* der = nullptr;
    const int len = i2d_CMS_ContentInfo(cms.get(), &der);
    if (len <= 0) {
        return failed("cannot encode the CMS");
    }
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

}  // namespace hub::crypto
