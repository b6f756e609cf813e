#pragma once
// What every endpoint handler reaches: the daemon's parts behind their interfaces. Built
// and owned by App; handlers hold a reference.

#include "hub/core/calendar.h"
#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/crypto/cms_signer.h"
#include "hub/crypto/trust_store.h"
#include "hub/queue/inbox.h"
#include "hub/routing/registry.h"
#include "hub/store/blob_store.h"
#include "hub/store/ledger.h"
#include "lienthong/v1/config.pb.h"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "metrics.h"

namespace hub {

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

struct Services {
    const lienthong::v1::Config& config;
    Logger& log;
    const Clock& clock;
    Ledger& ledger;
    Inbox& inbox;
    BlobStore& blobs;
    Snapshot<Registry>& registry;
    Snapshot<crypto::TrustStore>& trust;
    const crypto::CmsSigner& receipt_signer;
    const BusinessCalendar& calendar;
    Metrics& metrics;
    /// Threads that may block (blob files, fsync); never the I/O threads.
    boost::asio::thread_pool& blocking;

    /// Reloads the registry snapshot from the ledger after a change (R-04: the next
    /// request sees it).
    boost::asio::awaitable<Result<void>> reload_registry();
};

/// "d-" / "s-" + 16 hex digits from the operating system's random source: ids the hub hands
/// out, which nobody can predict from ones they have seen.
std::string new_id(const char* prefix);

}  // namespace hub
