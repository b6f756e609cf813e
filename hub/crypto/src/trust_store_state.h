#pragma once
/// Private to hub/crypto: what a TrustStore holds.

#include "hub/crypto/certificate_dates.h"
#include "hub/crypto/trust_store.h"

#include <cstddef>
#include <vector>

#include "ossl.h"

namespace hub::crypto {

struct TrustStore::State {
    /// Self-signed anchors and every CRL. Only read after load, which OpenSSL allows from
    /// several threads (lookups take the store's own lock).
    ossl::StorePtr store;
    /// Non-self-signed certificates from the anchors directory, offered as untrusted chain
    /// material alongside the ones a CMS carries.
    ossl::CertStackPtr intermediates;
    /// Every certificate of the anchors directory, anchors and intermediates, for operators.
    std::vector<CertificateDates> dates;
    std::size_t anchors = 0;
    std::size_t crls = 0;
    TrustStoreOptions options;
};

}  // namespace hub::crypto
