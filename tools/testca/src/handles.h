#pragma once
/// Private to the test CA: owning OpenSSL handles and the conversions its files share.

#include "lienthong/testca/test_ca.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace lienthong::testca::detail {

struct Free {
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_CRL* p) const { X509_CRL_free(p); }
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    // ASN1_TIME and ASN1_INTEGER are both ASN1_STRING to the compiler.
    void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }
    void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};

template <class T>
using Ptr = std::unique_ptr<T, Free>;

/// Throws std::runtime_error with `what` and OpenSSL's last error.
[[noreturn]] void raise(const std::string& what);

/// Throws unless `ok` (an OpenSSL "1 on success" result or a non-null pointer).
template <class T>
T check(T ok, const char* what) {
    if (!ok) {
        raise(what);
    }
    return ok;
}

Ptr<BIO> mem_bio(std::string_view data);
std::string bio_text(BIO* bio);

Ptr<EVP_PKEY> new_key(KeyType type);
std::string private_pem(EVP_PKEY* key);
Ptr<EVP_PKEY> parse_private_pem(std::string_view pem);

std::string cert_pem(X509* cert);
std::string cert_der(X509* cert);
Ptr<X509> parse_cert_pem(std::string_view pem);

/// OpenSSL's ASN1 times take seconds since the epoch.
time_t to_time_t(TimePoint t);

/// Writes `content` to `path` with `mode`, replacing the file and its mode.
void write_file(const std::string& path, std::string_view content, unsigned mode);
std::string read_file(const std::string& path);

}  // namespace lienthong::testca::detail
