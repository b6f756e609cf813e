#pragma once
/// When the certificates the hub holds (its TLS chain, its receipt signer, the CAs it trusts)
/// stop being valid, so operators hear of it before agencies do.

#include "hub/core/result.h"
#include "hub/core/time.h"

#include <string>
#include <string_view>
#include <vector>

namespace hub::crypto {

struct CertificateDates {
    /// RFC 2253, UTF-8 unescaped, as SignerIdentity::subject.
    std::string subject;
    /// Lowercase hex SHA-256 of the DER.
    std::string sha256;
    Instant not_after;
};

/// Every certificate of a PEM bundle, in its order.
/// Error: MALFORMED "certificate" when the PEM holds none or one cannot be read.
Result<std::vector<CertificateDates>> certificate_dates(std::string_view pem);

}  // namespace hub::crypto
