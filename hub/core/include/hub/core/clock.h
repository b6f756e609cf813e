#pragma once
/// The one clock every component reads, so tests can shift or fix it.

#include "hub/core/time.h"

#include <atomic>

namespace hub {

class Clock {
public:
    virtual ~Clock() = default;
    /// Thread-safe.
    virtual Instant now() const = 0;
};

/// System time plus a fixed offset (config `clock.offset_ms` / `clock.fixed`).
class SystemClock final : public Clock {
public:
    explicit SystemClock(std::chrono::milliseconds offset = {}) : offset_(offset) {}
    Instant now() const override;

private:
    std::chrono::milliseconds offset_;
};

/// A clock that moves only when told; for unit tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(Instant start) : now_(start.time_since_epoch().count()) {}
    Instant now() const override { return Instant(std::chrono::milliseconds(now_.load())); }
    void set(Instant t) { now_ = t.time_since_epoch().count(); }
    void advance(std::chrono::milliseconds d) { now_ += d.count(); }

private:
    std::atomic<long long> now_;
};

}  // namespace hub
