#pragma once
/// The hub's own XMLDSig on the packages it sends to the axis (national.signing_key_file and
/// signing_cert_file).

#include "hub/core/result.h"

#include <memory>
#include <string>
#include <string_view>

namespace hub::national {

class PackageSigner {
public:
    /// Reads an unencrypted PEM RSA private key and a PEM file holding its certificate, then
    /// its chain. RSA only: a PKCS#1 v1.5 signature is the same for the same bytes, so an
    /// outbox item rebuilt after a restart signs to the very package the axis may already
    /// hold, and the relay's look-up of the axis' sent list (by package digest) still finds
    /// it; an ECDSA signature would differ each time and could send a document twice.
    /// Errors: MALFORMED with the offending path as field (unreadable, not an RSA key, a key
    /// that does not match the certificate).
    static Result<PackageSigner> load(const std::string& key_path, const std::string& cert_path);

    /// The package with the hub's enveloped signature (sign_xmldsig, rsa-sha256). Errors: as
    /// sign_xmldsig's. Thread-safe.
    Result<std::string> sign(std::string_view package) const;

private:
    struct Keys;
    explicit PackageSigner(std::shared_ptr<const Keys> keys) : keys_(std::move(keys)) {}
    std::shared_ptr<const Keys> keys_;
};

}  // namespace hub::national
