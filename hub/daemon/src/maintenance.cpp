#include "maintenance.h"

#include <algorithm>

namespace hub {

void MaintenanceMode::set(MaintenanceState state) {
    std::lock_guard lock(mutex_);
    on_.store(state.on, std::memory_order_release);
    state_ = std::move(state);
}

MaintenanceState MaintenanceMode::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::optional<Failure> MaintenanceMode::refusal() const {
    if (!on_.load(std::memory_order_acquire)) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    if (!state_.on) {
        return std::nullopt;
    }
    Failure failure = fail(errc::maintenance, "", state_.notice);
    failure.retry_after_s =
        static_cast<unsigned>(std::clamp<std::int64_t>(state_.retry_after_s, 1, 86400));
    return failure;
}

}  // namespace hub
