#include "national_directory.h"

#include "hub/core/org_code.h"
#include "hub/core/time.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <set>

namespace hub {
namespace asio = boost::asio;

NationalDirectory directory_codes(const DirectorySnapshot& snapshot) {
    NationalDirectory codes;
    for (const auto& entry : snapshot.entries) {
        codes.insert(entry.code);
    }
    return codes;
}

std::vector<DirectoryEntry> directory_entries(const std::vector<national::Agency>& agencies,
                                              std::size_t* skipped) {
    std::vector<DirectoryEntry> entries;
    std::set<std::string> seen;
    std::size_t left_out = 0;
    for (const auto& agency : agencies) {
        const std::string by_code = canonical_org_code(agency.code);
        const std::string by_code102 = canonical_org_code(agency.code102);
        if (by_code.empty() && by_code102.empty()) {
            ++left_out;
            continue;
        }
        for (const auto& code : {by_code, by_code102}) {
            if (!code.empty() && seen.insert(code).second) {
                entries.push_back(DirectoryEntry{code, agency.code102, agency.name, agency.id});
            }
        }
    }
    if (skipped != nullptr) {
        *skipped = left_out;
    }
    return entries;
}

DirectorySync::DirectorySync(asio::any_io_executor executor,
                             national::AxisClient& axis,
                             DirectoryStore& store,
                             Snapshot<NationalDirectory>& directory,
                             const DirectorySnapshot& initial,
                             const Clock& clock,
                             Logger& log,
                             Options options)
    : executor_(executor),
      axis_(axis),
      store_(store),
      directory_(directory),
      clock_(clock),
      log_(log),
      options_(options),
      timer_(executor) {
    state_.entries = initial.entries.size();
    state_.synced_at = initial.synced_at;
}

asio::awaitable<Result<DirectorySyncOutcome>> DirectorySync::sync_now(std::string actor) {
    auto failed = [this](const Failure& failure) {
        std::lock_guard lock(mutex_);
        state_.last_error = failure.text();
        log_.warn("directory_sync_failed", "error=" + log_value(failure.text()));
        return failure;
    };
    std::string every_level;
    auto agencies = co_await axis_.agencies(std::move(every_level));
    if (!agencies) {
        co_return failed(agencies.error());
    }
    DirectorySyncOutcome outcome;
    auto entries = directory_entries(*agencies, &outcome.skipped);
    if (entries.empty()) {
        co_return failed(Failure{errc::unavailable, "national",
                                 "the axis listed no agency; the cached directory is kept"});
    }
    outcome.entries = entries.size();
    outcome.synced_at = clock_.now();
    DirectorySnapshot snapshot{entries, outcome.synced_at};
    AuditRecord audit{outcome.synced_at,
                      std::move(actor),
                      "national.directory_sync",
                      "national",
                      "OK",
                      "entries=" + std::to_string(outcome.entries) +
                          " skipped=" + std::to_string(outcome.skipped)};
    if (auto stored =
            co_await store_.replace_directory(std::move(entries), outcome.synced_at, audit);
        !stored) {
        co_return failed(stored.error());
    }
    directory_.set(std::make_shared<const NationalDirectory>(directory_codes(snapshot)));
    {
        std::lock_guard lock(mutex_);
        state_ = DirectoryState{outcome.entries, outcome.synced_at, {}};
    }
    log_.info("directory_synced", "entries=" + std::to_string(outcome.entries) +
                                      " skipped=" + std::to_string(outcome.skipped));
    co_return outcome;
}

asio::awaitable<void> DirectorySync::run() {
    while (!stopped_) {
        std::string actor = "hub";
        auto synced = co_await sync_now(std::move(actor));
        if (stopped_) {
            break;
        }
        if (synced) {
            timer_.expires_after(options_.interval);
        } else {
            timer_.expires_after(options_.retry);
        }
        (void)co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void DirectorySync::stop() {
    stopped_ = true;
    asio::post(executor_, [this] { timer_.cancel(); });
}

DirectoryState DirectorySync::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

}  // namespace hub
