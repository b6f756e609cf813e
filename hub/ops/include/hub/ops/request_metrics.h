#pragma once
/// Requests by route and outcome, and their latency histograms. Counting is a few relaxed
/// atomic increments on cells fixed at construction: no lock, no allocation and no map
/// lookup under a lock on the request path, so any number of io threads count at once.

#include "hub/core/errc.h"
#include "hub/ops/exposition.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::ops {

class RequestMetrics {
public:
    /// Upper bounds of the latency buckets, in seconds.
    static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1,    2.5,   10};

    /// `routes` are the names requests are counted under; "other" is added for the rest.
    explicit RequestMetrics(std::vector<std::string> routes);
    RequestMetrics(const RequestMetrics&) = delete;
    RequestMetrics& operator=(const RequestMetrics&) = delete;

    /// One answered request: its route, its outcome (nullopt: success, counted as "OK") and
    /// how long it took. Thread-safe, lock-free.
    void observe(std::string_view route,
                 std::optional<errc> outcome,
                 std::chrono::nanoseconds took);
    /// A request refused at the header (before a handler ran): counted, not timed.
    void refused(std::string_view route, errc outcome);

    /// Requests counted so far for (route, outcome), outcome as "OK" or a code's wire name.
    std::uint64_t requests(std::string_view route, std::string_view outcome) const;

    /// lienthong_requests_total{route,outcome} and lienthong_request_duration_seconds{route}.
    /// Safe while other threads count (each value is read once; a scrape racing a request
    /// may see its count before its bucket, which the next scrape settles).
    void render(Exposition& out) const;

private:
    static constexpr std::size_t kOutcomes = static_cast<std::size_t>(errc::internal) + 1;
    // One route's cells, aligned so two routes never share a cache line.
    struct alignas(64) Route {
        std::string name;
        std::array<std::atomic<std::uint64_t>, kOutcomes> outcomes{};           // [0]: OK
        std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
        std::atomic<std::uint64_t> sum_ns{0};
        std::atomic<std::uint64_t> timed{0};
    };
    Route& route(std::string_view name);
    const Route* find(std::string_view name) const;

    std::vector<std::unique_ptr<Route>> routes_;  // fixed after construction
};

}  // namespace hub::ops
