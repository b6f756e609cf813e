#pragma once
// Counters the operator endpoints expose (Prometheus text). Atomic, never reset.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace hub {

class Metrics {
public:
    /// One finished request: route name ("envelopes_post", ...), HTTP status, seconds taken.
    void observe(const std::string& route, unsigned status, double seconds);
    /// A request refused at the header for want of a known client certificate.
    void count_unauthenticated() { unauthenticated_.fetch_add(1, std::memory_order_relaxed); }
    /// A request refused at the header because its organization was over its rate.
    void count_rate_limited() { rate_limited_.fetch_add(1, std::memory_order_relaxed); }
    /// Prometheus text exposition of everything counted, plus `extra` lines appended as is.
    std::string render(const std::string& extra) const;

private:
    static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1,    2.5,   10};
    struct Series {
        std::uint64_t count = 0;
        double sum = 0;
        std::array<std::uint64_t, kBuckets.size()> buckets{};
    };
    std::atomic<std::uint64_t> unauthenticated_{0};
    std::atomic<std::uint64_t> rate_limited_{0};
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::string, Series> latency_;
};

}  // namespace hub
