#include "hub/national/package_signer.h"

#include "hub/national/xmldsig.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace hub::national {

struct PackageSigner::Keys {
    std::string key_pem;
    std::string chain_pem;
};

namespace {

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
    void operator()(X509* c) const { X509_free(c); }
};

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& pem) {
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

Result<PackageSigner> PackageSigner::load(const std::string& key_path,
                                          const std::string& cert_path) {
    auto keys = std::make_shared<Keys>();
    auto key_pem = read_whole(key_path);
    if (!key_pem) {
        return fail(errc::malformed, key_path, "cannot read the signing key");
    }
    auto chain_pem = read_whole(cert_path);
    if (!chain_pem) {
        return fail(errc::malformed, cert_path, "cannot read the signing certificate");
    }
    keys->key_pem = std::move(*key_pem);
    keys->chain_pem = std::move(*chain_pem);

    auto key_bio = memory_bio(keys->key_pem);
    std::unique_ptr<EVP_PKEY, PkeyFree> key(
        key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) {
        return fail(errc::malformed, key_path, "no unencrypted PEM private key");
    }
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        return fail(errc::malformed, key_path,
                    "the package signing key must be RSA (its signatures are deterministic)");
    }
    auto cert_bio = memory_bio(keys->chain_pem);
    std::unique_ptr<X509, X509Free> cert(
        cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) {
        return fail(errc::malformed, cert_path, "no PEM certificate");
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        return fail(errc::malformed, cert_path, "the certificate is not the signing key's");
    }
    return PackageSigner(std::move(keys));
}

Result<std::string> PackageSigner::sign(std::string_view package) const {
    return sign_xmldsig(package, keys_->key_pem, keys_->chain_pem);
}

}  // namespace hub::national
