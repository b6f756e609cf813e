#pragma once
// The national directory (issue 8): what getAgenciesListQD20 lists, cached in the ledger and
// held as a snapshot for routing (envelope.md "Routing"), refreshed on a timer and when an
// operator asks (`lienthongctl national sync`).

#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/national/axis_client.h"
#include "hub/routing/registry.h"
#include "hub/store/ledger.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_deps.h"

namespace hub {

/// The codes routing reads from a cached directory.
NationalDirectory directory_codes(const DirectorySnapshot& snapshot);

/// The axis' agencies as ledger entries: each agency under the canonical form of its QĐ 20
/// code, and of its edXML code when that names another organization; an agency neither of
/// whose codes parses is left out and counted in `skipped`.
std::vector<DirectoryEntry> directory_entries(const std::vector<national::Agency>& agencies,
                                              std::size_t* skipped);

/// What one sync did.
struct DirectorySyncOutcome {
    std::size_t entries = 0;
    std::size_t skipped = 0;
    Instant synced_at;
};

/// What /status.json shows of the directory.
struct DirectoryState {
    std::size_t entries = 0;
    std::optional<Instant> synced_at;
    std::string last_error;  ///< of the last failed sync, cleared by a good one
};

class DirectorySync {
public:
    struct Options {
        std::chrono::seconds interval{86'400};
        std::chrono::milliseconds retry{60'000};  ///< after a failed sync
    };
    /// `initial`: the directory the ledger held at start-up.
    DirectorySync(boost::asio::any_io_executor executor,
                  national::AxisClient& axis,
                  DirectoryStore& store,
                  Snapshot<NationalDirectory>& directory,
                  const DirectorySnapshot& initial,
                  const Clock& clock,
                  Logger& log,
                  Options options);

    /// Fetches the whole list, replaces the cache (with its audit row by `actor`) and the
    /// routing snapshot. An empty list replaces nothing (an axis that lost its directory
    /// must not make our own unregistered codes unknown): UNAVAILABLE. Errors: the axis
    /// client's, UNAVAILABLE when the ledger is busy.
    boost::asio::awaitable<Result<DirectorySyncOutcome>> sync_now(std::string actor);
    /// Syncs at once, then every interval (a failure retried sooner), until stop().
    boost::asio::awaitable<void> run();
    void stop();
    DirectoryState state() const;

private:
    boost::asio::any_io_executor executor_;
    national::AxisClient& axis_;
    DirectoryStore& store_;
    Snapshot<NationalDirectory>& directory_;
    const Clock& clock_;
    Logger& log_;
    Options options_;
    boost::asio::steady_timer timer_;
    std::atomic<bool> stopped_{false};
    mutable std::mutex mutex_;
    DirectoryState state_;
};

}  // namespace hub
