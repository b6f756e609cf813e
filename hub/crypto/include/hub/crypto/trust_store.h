#pragma once
/// The certificates and CRLs the hub trusts to check agencies' signatures.

#include "hub/core/result.h"
#include "hub/crypto/certificate_dates.h"
#include "hub/crypto/signature_policy.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace hub::crypto {

/// How verify_detached treats a signer whose issuer has no current CRL.
struct TrustStoreOptions {
    /// false (the default): refuse (UNAVAILABLE). true: accept with a revocation warning.
    bool allow_stale_crl = false;
    /// The algorithms and key sizes signatures checked with this store may use (issue 13).
    SignaturePolicy policy;
};

/// Trust anchors, known intermediates and revocation lists, loaded once and never changed:
/// to apply a change, load a new store and swap the shared_ptr callers hold. Safe to use
/// from any number of threads at once.
class TrustStore {
public:
    /// Reads every `*.pem`, `*.crt` and `*.cer` file in `anchors_dir` (PEM, one or more
    /// certificates each). Self-signed certificates become trust anchors; the others are
    /// intermediates offered to chain building, just like the ones a CMS carries. Reads every
    /// `*.pem`, `*.crl` and `*.der` file in `crl_dir` (PEM or DER CRLs); an empty `crl_dir`
    /// means no CRLs. Files starting with '.' are skipped.
    /// Errors (all INTERNAL, field = the offending path): a directory that cannot be listed,
    /// a file that does not parse, no trust anchor at all.
    static Result<std::shared_ptr<const TrustStore>> load(const std::string& anchors_dir,
                                                          const std::string& crl_dir,
                                                          TrustStoreOptions options = {});

    /// Number of self-signed anchors, other certificates and CRLs loaded; for start-up logs.
    std::size_t anchor_count() const noexcept;
    std::size_t intermediate_count() const noexcept;
    std::size_t crl_count() const noexcept;
    /// Subject, fingerprint and end of validity of every certificate loaded from the anchors
    /// directory, in load order.
    const std::vector<CertificateDates>& certificates() const noexcept;
    /// The signature policy loaded with the store (TrustStoreOptions::policy), so that every
    /// caller holding the current store asks the same policy.
    const SignaturePolicy& policy() const noexcept;

    /// OpenSSL-backed contents; opaque outside hub/crypto.
    struct State;
    const State& state() const noexcept { return *state_; }

    explicit TrustStore(std::unique_ptr<const State> state);
    ~TrustStore();
    TrustStore(const TrustStore&) = delete;
    TrustStore& operator=(const TrustStore&) = delete;

private:
    std::unique_ptr<const State> state_;
};

}  // namespace hub::crypto
