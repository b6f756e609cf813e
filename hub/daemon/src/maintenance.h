#pragma once
// Maintenance mode as the request path sees it: the state an operator last set (kept in the
// ledger by OperatorStore), read by the Gate on every agency request.

#include "hub/core/errc.h"
#include "hub/store/records.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

namespace hub {

/// Thread-safe. While maintenance is off, refusal() costs one atomic load, so the request path
/// pays nothing for the feature it does not use.
class MaintenanceMode {
public:
    /// Replaces the state (after the ledger committed it).
    void set(MaintenanceState state);
    /// The state last set (default: off).
    MaintenanceState state() const;
    /// 503 MAINTENANCE with the notice and Retry-After while on; nullopt while off.
    std::optional<Failure> refusal() const;

private:
    std::atomic<bool> on_{false};
    mutable std::mutex mutex_;  // guards state_
    MaintenanceState state_;
};

}  // namespace hub
