#include "hub/crypto/certificate_dates.h"

#include <utility>

#include "identity.h"
#include "ossl.h"

namespace hub::crypto {

Result<std::vector<CertificateDates>> certificate_dates(std::string_view pem) {
    ossl::ErrorQueueGuard errors;
    ossl::CertStackPtr certs = ossl::read_pem_certs(pem);
    if (!certs || sk_X509_num(certs.get()) == 0) {
        return fail(errc::malformed, "certificate", "no PEM certificate");
    }
    std::vector<CertificateDates> out;
    for (int i = 0; i < sk_X509_num(certs.get()); ++i) {
        auto dates = dates_of(sk_X509_value(certs.get(), i));
        if (!dates) {
            return fail(errc::malformed, "certificate", "cannot read a certificate");
        }
        out.push_back(std::move(*dates));
    }
    return out;
}

}  // namespace hub::crypto
