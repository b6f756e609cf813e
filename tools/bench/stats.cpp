#include "stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace bench {

double Latencies::percentile_ms(double q) {
    if (ns_.empty()) {
        return 0;
    }
    if (!sorted_) {
        std::sort(ns_.begin(), ns_.end());
        sorted_ = true;
    }
    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ns_.size())));
    rank = std::clamp<std::size_t>(rank, 1, ns_.size());
    return static_cast<double>(ns_[rank - 1]) / 1e6;
}

double Latencies::max_ms() { return percentile_ms(1.0); }

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double proc_cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) {
        return -1;
    }
    // The command name may hold spaces and parentheses; the fields start after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
        return -1;
    }
    std::istringstream fields(line.substr(close + 2));
    std::string skip;
    // After the name: state(3) ... utime is field 14 and stime field 15 of the whole line.
    for (int i = 3; i < 14; ++i) {
        fields >> skip;
    }
    long long utime = 0;
    long long stime = 0;
    if (!(fields >> utime >> stime)) {
        return -1;
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double proc_peak_rss_mib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("VmHWM:")) {
            std::istringstream fields(line.substr(6));
            double kib = 0;
            fields >> kib;
            return kib / 1024;
        }
    }
    return -1;
}

}  // namespace bench
