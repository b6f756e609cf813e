#pragma once
// The national adapter inside the daemon (issue 8): the ledger side of the outbound relay
// (a PackageSource that builds each outbox item's edXML package) and of the inbound poller
// (an InboundSink that stores what the axis holds for us), and the adapter that owns the axis
// client, the relay and the poller. The adapter library knows nothing of the ledger's
// envelope records or the registry snapshot; this is where the two meet.

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/crypto/cms_signer.h"
#include "hub/national/axis_http.h"
#include "hub/national/inbound.h"
#include "hub/national/package_signer.h"
#include "hub/national/relay.h"
#include "hub/routing/registry.h"
#include "hub/store/blob_store.h"
#include "hub/store/ledger.h"
#include "lienthong/v1/config.pb.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <optional>
#include <string>

#include "endpoint_deps.h"
#include "national_directory.h"

namespace hub {

/// What the wiring reads and writes; references outlive the adapter.
struct NationalDeps {
    const Clock& clock;
    Logger& log;
    Snapshot<Registry>& registry;
    /// The anchors a signed package from the axis must chain to.
    Snapshot<crypto::TrustStore>& trust;
    EnvelopeStore& envelopes;
    OutboxStore& outbox;
    AuditStore& audits;
    BlobStore& blobs;
    DirectoryStore& directory_store;
    /// Routing's view of the directory; the adapter's syncs replace it.
    Snapshot<NationalDirectory>& directory;
    const crypto::CmsSigner& receipt_signer;
    boost::asio::thread_pool& blocking;
    std::string province;
    std::uint64_t inline_max_bytes = 256u << 10;
};

/// Builds the package of a `national` outbox item from the ledger: an `envelope` item maps
/// the stored envelope (header, signature, attachment bytes) with from_signed_envelope; a
/// `status` item maps the stored status notice. The same item gives the same bytes every
/// time (the mapping reads only stored fields, and the hub's signature, when `signer` is
/// set, is RSA PKCS#1 v1.5). Errors: NOT_FOUND (no such envelope or status), MALFORMED
/// (cannot be written as edXML), UNAVAILABLE (the ledger is busy), INTERNAL (signing failed).
class LedgerPackageSource final : public national::PackageSource {
public:
    LedgerPackageSource(NationalDeps& deps, const national::PackageSigner* signer)
        : deps_(deps), signer_(signer) {}
    boost::asio::awaitable<Result<national::OutgoingPackage>> package_for(OutboxItem item) override;

private:
    boost::asio::awaitable<Result<std::string>> build(const OutboxItem& item,
                                                      std::string& from,
                                                      national::MessageType& type);
    NationalDeps& deps_;
    const national::PackageSigner* signer_;
};

/// Takes what the poller fetched: an envelope package (lenient decode, mapped, stored with
/// deliveries to its local recipients in one ledger transaction, idempotent on the package
/// bytes) or a status package (recorded on the delivery it is about, its notice to the local
/// sender's inbox; idempotent on the package). A package with an enveloped XMLDSig must verify
/// and chain to the trust anchors (weak algorithms flagged, as the axis signs rsa-sha1) and its
/// signer's UID, when it has one, must be the package's From; an unsigned one is taken and
/// flagged `unsigned_edxml`. Errors: UNAVAILABLE (the ledger is busy, or revocation cannot be
/// known now); anything else is final and its text is what the axis is told.
class LedgerInboundSink final : public national::InboundSink {
public:
    explicit LedgerInboundSink(NationalDeps& deps) : deps_(deps) {}
    boost::asio::awaitable<Result<void>> take(national::ReceivedItem item,
                                              std::string package) override;

private:
    boost::asio::awaitable<Result<void>> take_envelope(const std::string& package);
    boost::asio::awaitable<Result<void>> take_status(const std::string& package);
    NationalDeps& deps_;
};

/// What /readyz and /status.json show of the adapter.
struct NationalHealth {
    bool enabled = false;
    bool reachable = false;  ///< the last call to the axis (a send or a poll) got an answer
    std::int64_t outbox_depth = 0;
    std::optional<std::int64_t> oldest_age_s;
    std::optional<Instant> last_poll;
    std::string breaker = "closed";
    national::RelayStats relay;
    national::InboundStats inbound;
    DirectoryState directory;
    bool signs_packages = false;
};

/// The axis client, relay and poller, started on an executor and stopped together.
class NationalAdapter {
public:
    /// Reads the secret file (the only place the secret is held) and the signing key, and
    /// builds the client; `cached` is the directory the ledger holds. Error: MALFORMED naming
    /// the key at fault (unreadable secret or signing key, bad endpoint or CA).
    static Result<std::unique_ptr<NationalAdapter>> create(
        const lienthong::v1::NationalConfig& config,
        boost::asio::any_io_executor executor,
        NationalDeps deps,
        const DirectorySnapshot& cached);
    ~NationalAdapter();

    /// Spawns the relay and the poller (the relay is woken by new outbox items from create on).
    void start();
    void stop();
    boost::asio::awaitable<Result<NationalHealth>> health();
    /// Refreshes the directory now (an operator's `lienthongctl national sync`), audited as
    /// `actor`.
    boost::asio::awaitable<Result<DirectorySyncOutcome>> sync_directory(std::string actor);

private:
    NationalAdapter() = default;
    struct Parts;
    std::unique_ptr<Parts> p_;
};

}  // namespace hub
