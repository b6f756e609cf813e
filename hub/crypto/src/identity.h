#pragma once
/// Private to hub/crypto: reading a SignerIdentity out of a certificate.

#include "hub/crypto/verify.h"

#include <openssl/x509.h>

namespace hub::crypto {

/// Fingerprint, subject, UID, serial and end of validity of `cert`.
/// Error: INTERNAL when OpenSSL cannot encode one of them.
Result<SignerIdentity> identity_of(X509* cert);

}  // namespace hub::crypto
