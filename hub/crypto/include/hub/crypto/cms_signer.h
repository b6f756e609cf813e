#pragma once
/// Producing detached CMS signatures: the hub's receipts, and agencies' envelopes in tools.

#include "hub/core/result.h"

#include <memory>
#include <string>
#include <string_view>

namespace hub::crypto {

/// A private key and its certificate, ready to sign. The key is read from its file and stays
/// inside this object (never copied out, never logged). Copies share the key. Thread-safe.
class CmsSigner {
public:
    /// Loads a PEM private key (EC P-256 or RSA, unencrypted) and a PEM certificate file whose
    /// first certificate is the signer's; any further certificates (its chain) are included in
    /// every signature. Errors: INTERNAL with the offending path as field (unreadable file, no
    /// key or certificate, key does not match the certificate).
    static Result<CmsSigner> load(const std::string& key_pem_path,
                                  const std::string& cert_pem_path);

    /// A DER CMS SignedData, detached over `content`, SHA-256, signed attributes, with the
    /// signer's certificate and chain included. Error: INTERNAL when OpenSSL fails.
    Result<std::string> sign_detached(std::string_view content) const;

    /// Lowercase hex SHA-256 of the signer certificate's DER.
    const std::string& cert_sha256() const noexcept;

    struct State;  // opaque outside hub/crypto

    explicit CmsSigner(std::shared_ptr<const State> state);

private:
    std::shared_ptr<const State> state_;
};

}  // namespace hub::crypto
