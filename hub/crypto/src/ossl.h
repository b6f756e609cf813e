#pragma once
/// Private to hub/crypto: owning handles for OpenSSL objects and the few conversions every
/// source file needs. Never included from a public header.

#include "hub/core/time.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace hub::crypto::ossl {

struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct CrlFree {
    void operator()(X509_CRL* p) const { X509_CRL_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CmsFree {
    void operator()(CMS_ContentInfo* p) const { CMS_ContentInfo_free(p); }
};
struct StoreFree {
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxFree {
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct CertStackFree {
    void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, CmsFree>;
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, StoreCtxFree>;
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CertStackFree>;

/// A read-only memory BIO over `data`; the BIO must not outlive it.
BioPtr mem_bio(std::string_view data);

/// Every certificate of a PEM text, in order; empty when there is none or it does not parse.
CertStackPtr read_pem_certs(std::string_view pem);

/// Lowercase hex SHA-256 of `bytes`; empty only when SHA-256 is unavailable (broken install).
std::string sha256_hex(std::string_view bytes);

/// Lowercase hex SHA-256 of a certificate's DER encoding; empty on an encoding failure.
std::string cert_sha256_hex(X509* cert);

/// DER encoding of a certificate; empty on failure.
std::string cert_der(X509* cert);

/// The instant an ASN1_TIME names; false when it cannot be read.
bool asn1_to_instant(const ASN1_TIME* t, Instant& out);

/// Seconds since the epoch, as X509_VERIFY_PARAM_set_time wants them.
time_t to_time_t(Instant t);

/// Reads a whole file. False when it cannot be opened or read.
bool read_file(const std::string& path, std::string& out);

/// Empties OpenSSL's thread-local error queue when leaving a scope, so one call's failure
/// does not linger into the next call's diagnostics on the same thread.
class ErrorQueueGuard {
public:
    ErrorQueueGuard() = default;
    ~ErrorQueueGuard();
    ErrorQueueGuard(const ErrorQueueGuard&) = delete;
    ErrorQueueGuard& operator=(const ErrorQueueGuard&) = delete;
};

}  // namespace hub::crypto::ossl
