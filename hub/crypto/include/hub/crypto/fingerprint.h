#pragma once
/// Certificate fingerprints: how a TLS client certificate is matched to an organization.

#include "hub/core/result.h"

#include <string>
#include <string_view>

namespace hub::crypto {

/// Lowercase hex SHA-256 of the DER of the first certificate in `pem` (what
/// `openssl x509 -fingerprint -sha256` prints, without colons, lowercased).
/// Error: MALFORMED "certificate" when the PEM holds no certificate.
Result<std::string> cert_fingerprint_pem(std::string_view pem);

/// Lowercase hex SHA-256 of `der`, taken as the DER encoding of a certificate (e.g. from
/// the TLS session); the bytes are hashed as they are, not parsed.
std::string cert_fingerprint_der(std::string_view der);

}  // namespace hub::crypto
