#pragma once
/// Private to hub/crypto: reading a SignerIdentity out of a certificate.

#include "hub/crypto/certificate_dates.h"
#include "hub/crypto/verify.h"

#include <openssl/x509.h>

namespace hub::crypto {

/// Fingerprint, subject, UID, serial and end of validity of `cert`.
/// Error: INTERNAL when OpenSSL cannot encode one of them.
Result<SignerIdentity> identity_of(X509* cert);

/// Subject, fingerprint and end of validity of `cert`; the same errors as identity_of.
Result<CertificateDates> dates_of(X509* cert);

/// `name` in RFC 2253 form, UTF-8 unescaped (as SignerIdentity::subject); "?" when
/// OpenSSL cannot print it.
std::string name_text(X509_NAME* name);

}  // namespace hub::crypto
