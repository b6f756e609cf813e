#pragma once
/// Private to hub/crypto: reading a SignatureAlgorithm from OpenSSL objects.

#include "hub/crypto/signature_policy.h"

#include <openssl/x509.h>

namespace hub::crypto {

/// The DigestKind of an OpenSSL digest NID; `other` for any NID not in the enum.
DigestKind digest_of_nid(int nid) noexcept;

/// Key kind and size of `cert`'s public key, digest left `other` (other_name set for an
/// unknown key type). Error: SIGNATURE_INVALID "signature" (unreadable key).
Result<SignatureAlgorithm> algorithm_of_key(X509* cert);

}  // namespace hub::crypto
