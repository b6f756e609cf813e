#include "hub/ops/process_figures.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace hub::ops {

namespace {

std::string read_small(const char* path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Boot time (seconds since the epoch) from /proc/stat's btime line.
std::optional<double> boot_time() {
    std::istringstream in(read_small("/proc/stat"));
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double t = 0;
            if (in >> t) {
                return t;
            }
            return std::nullopt;
        }
        in.ignore(1 << 20, '\n');
    }
    return std::nullopt;
}

}  // namespace

ProcessFigures read_process_figures() {
    ProcessFigures f;
    const long page = ::sysconf(_SC_PAGESIZE);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    {
        std::istringstream statm(read_small("/proc/self/statm"));
        std::uint64_t size = 0;
        std::uint64_t resident = 0;
        if (statm >> size >> resident && page > 0) {
            f.resident_bytes = resident * static_cast<std::uint64_t>(page);
        }
    }
    {
        std::error_code ec;
        std::uint64_t n = 0;
        for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
             it.increment(ec)) {
            ++n;
        }
        if (!ec) {
            f.open_fds = n;
        }
        rlimit limit{};
        if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
            f.max_fds = limit.rlim_cur;
        }
    }
    // /proc/self/stat: the command name (field 2) may hold spaces, so count fields after
    // its closing parenthesis; utime, stime are fields 14, 15 and starttime field 22.
    const std::string stat = read_small("/proc/self/stat");
    const auto close = stat.rfind(')');
    if (close != std::string::npos && ticks > 0) {
        std::istringstream rest(stat.substr(close + 2));
        std::vector<std::string> fields;
        for (std::string word; rest >> word;) {
            fields.push_back(word);
        }
        // fields[0] is field 3 (state).
        if (fields.size() > 19) {
            try {
                const double utime = std::stod(fields[11]);
                const double stime = std::stod(fields[12]);
                const double start = std::stod(fields[19]);
                f.cpu_s = (utime + stime) / static_cast<double>(ticks);
                if (auto boot = boot_time()) {
                    f.start_time_s = *boot + start / static_cast<double>(ticks);
                }
            } catch (const std::logic_error&) {
                // A kernel that writes /proc/self/stat differently: leave them out.
            }
        }
    }
    return f;
}

void render_process(Exposition& out, const ProcessFigures& f) {
    if (f.resident_bytes) {
        out.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                   static_cast<double>(*f.resident_bytes));
    }
    if (f.open_fds) {
        out.single("process_open_fds", "gauge", "Number of open file descriptors.",
                   static_cast<double>(*f.open_fds));
    }
    if (f.max_fds) {
        out.single("process_max_fds", "gauge", "Maximum number of open file descriptors.",
                   static_cast<double>(*f.max_fds));
    }
    if (f.start_time_s) {
        out.single("process_start_time_seconds", "gauge",
                   "Start time of the process since unix epoch in seconds.", *f.start_time_s);
    }
    if (f.cpu_s) {
        out.single("process_cpu_seconds_total", "counter",
                   "Total user and system CPU time spent in seconds.", *f.cpu_s);
    }
    out.family("lienthong_build_info", "gauge", "Always 1; the version lienthongd was built as.");
    out.sample("lienthong_build_info", {{"version", build_version()}}, 1);
}

std::string build_version() { return LIENTHONG_VERSION; }

}  // namespace hub::ops
