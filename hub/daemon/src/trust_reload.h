#pragma once
// Reloading the document-signature trust store (anchors and CRLs) while the daemon runs, so
// that a new CRL takes effect without a restart.

#include "hub/core/logger.h"
#include "hub/core/result.h"
#include "hub/crypto/trust_store.h"
#include "lienthong/v1/config.pb.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>

#include "services.h"

namespace hub {

/// Loads the trust store `config` names (anchors_dir, crl_dir, allow_stale_crl) with the
/// signature policy of its sha1_allowed_until, min_rsa_bits and min_ecdsa_bits.
/// Errors as crypto::TrustStore::load.
Result<std::shared_ptr<const crypto::TrustStore>> load_trust_store(
    const lienthong::v1::TrustConfig& config);

/// Starts a timer on `io` that every `config.reload_interval_ms` compares the names, sizes
/// and modification times of the files in both directories with those of the last load; on
/// a change it loads a new store on `blocking` and swaps it into `trust` (requests already
/// verifying keep the old one). A failed load keeps the old store, logs trust_reload_failed
/// once per distinct error and is retried at every tick. Runs until `io` stops; `trust`,
/// `blocking` and `log` must outlive `io`'s handlers. Call once, before `io` runs.
void start_trust_reload(boost::asio::io_context& io,
                        boost::asio::thread_pool& blocking,
                        Snapshot<crypto::TrustStore>& trust,
                        const lienthong::v1::TrustConfig& config,
                        Logger& log);

}  // namespace hub
