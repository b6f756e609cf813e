#pragma once
// Latency samples and the figures the reports print.

#include <chrono>
#include <cstdint>
#include <vector>

namespace bench {

using SteadyClock = std::chrono::steady_clock;

/// Latencies in nanoseconds, in arrival order until summarized.
class Latencies {
public:
    void add(SteadyClock::duration d) { ns_.push_back(d.count()); }
    void add_all(const Latencies& other) {
        ns_.insert(ns_.end(), other.ns_.begin(), other.ns_.end());
    }
    void reserve(std::size_t n) { ns_.reserve(n); }
    std::size_t size() const { return ns_.size(); }
    bool empty() const { return ns_.empty(); }

    /// Nearest-rank percentile in milliseconds (q in [0, 1]); 0 when empty. Sorts in place.
    double percentile_ms(double q);
    double max_ms();

private:
    std::vector<std::int64_t> ns_;
    bool sorted_ = false;
};

/// Median of the values (mean of the middle two for an even count); 0 when empty.
double median(std::vector<double> values);

/// User plus system CPU seconds of this process (all threads).
double process_cpu_seconds();

/// User plus system CPU seconds of another process from /proc/<pid>/stat; -1 when unreadable.
double proc_cpu_seconds(int pid);

/// Peak resident set (VmHWM) of a process in MiB from /proc/<pid>/status; -1 when unreadable.
double proc_peak_rss_mib(int pid);

}  // namespace bench
