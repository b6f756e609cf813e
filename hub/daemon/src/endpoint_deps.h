#pragma once
// What each agency endpoint depends on, and nothing more: the stores it reads and writes
// (narrow interfaces, faked in tests/unit/daemon), its clock and the few options it uses. Built
// and owned by App; handlers hold references.

#include "hub/core/calendar.h"
#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/crypto/cms_signer.h"
#include "hub/crypto/trust_store.h"
#include "hub/queue/inbox.h"
#include "hub/routing/registry.h"
#include "hub/store/blob_store.h"
#include "hub/store/ledger.h"

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace hub {

class Metrics;

/// A value replaced as a whole and read without locks held across a request: readers copy
/// the shared_ptr once and use that snapshot for the whole request.
template <class T>
class Snapshot {
public:
    explicit Snapshot(std::shared_ptr<const T> value) : value_(std::move(value)) {}
    std::shared_ptr<const T> get() const {
        std::lock_guard lock(mutex_);
        return value_;
    }
    void set(std::shared_ptr<const T> value) {
        std::lock_guard lock(mutex_);
        value_ = std::move(value);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
};

/// What every endpoint needs to learn who calls and to answer (and audit) a refusal.
struct CallerContext {
    const Clock& clock;
    Logger& log;
    Snapshot<Registry>& registry;
    AuditStore& audits;
};

/// POST /v1/envelopes.
struct IntakeOptions {
    std::string province;                        ///< the hub's level-1 code
    bool national_enabled = false;               ///< recipients outside the province may be routed
    std::uint64_t inline_max_bytes = 256 << 10;  ///< attachments kept inside the ledger
};
struct IntakeDeps {
    CallerContext& context;
    EnvelopeStore& envelopes;
    BlobStore& blobs;
    Snapshot<crypto::TrustStore>& trust;
    /// The national directory as last synced (empty when the adapter is off).
    Snapshot<NationalDirectory>& directory;
    const crypto::CmsSigner& receipt_signer;
    boost::asio::thread_pool& blocking;  ///< for blob files and large bodies
    IntakeOptions options;
    /// True while the items waiting for a broker reach queue.outbox_max: intake answers 503
    /// then. Empty with the embedded queue (nothing waits). Thread-safe.
    std::function<bool()> outbox_full;
};

/// GET /v1/inbox, POST /v1/inbox/{id}/ack, GET /v1/attachments/...
struct InboxOptions {
    std::uint64_t max_bytes = 4 << 20;           ///< one answer
    std::uint64_t inline_max_bytes = 256 << 10;  ///< larger attachments go by reference
};
struct InboxDeps {
    CallerContext& context;
    Inbox& inbox;
    EnvelopeStore& envelopes;
    OutboxStore& outbox;
    const BlobStore& blobs;
    const BusinessCalendar& calendar;
    boost::asio::thread_pool& blocking;
    InboxOptions options;
};

/// POST /v1/status.
struct StatusOptions {
    std::size_t description_max_bytes = 4096;
};
struct StatusDeps {
    CallerContext& context;
    EnvelopeStore& envelopes;
    StatusOptions options;
};

/// GET /v1/envelopes/{id}.
struct TraceDeps {
    CallerContext& context;
    EnvelopeStore& envelopes;
};

/// The agency listener's endpoints.
struct ProvincialDeps;

struct AgencyEndpoints {
    IntakeDeps& intake;
    InboxDeps& inbox;
    StatusDeps& status;
    TraceDeps& trace;
    Metrics& metrics;
    /// The provincial API façade; null when provincial_api.path_prefix is empty.
    ProvincialDeps* provincial = nullptr;
};

/// "d-" / "s-" + 16 hex digits from the operating system's random source: ids the hub hands
/// out, which nobody can predict from ones they have seen.
std::string new_id(const char* prefix);

}  // namespace hub
