#include "hub/crypto/fingerprint.h"

#include "ossl.h"

namespace hub::crypto {

Result<std::string> cert_fingerprint_pem(std::string_view pem) {
    ossl::ErrorQueueGuard errors;
    ossl::CertStackPtr certs = ossl::read_pem_certs(pem);
    if (!certs || sk_X509_num(certs.get()) == 0) {
        return fail(errc::malformed, "certificate", "no PEM certificate");
    }
    std::string hex = ossl::cert_sha256_hex(sk_X509_value(certs.get(), 0));
    if (hex.empty()) {
        return fail(errc::internal, "certificate", "cannot encode the certificate");
    }
    return hex;
}

std::string cert_fingerprint_der(std::string_view der) { return ossl::sha256_hex(der); }

}  // namespace hub::crypto
