#pragma once
/// This process as Prometheus' own process collector names it, read from /proc.

#include "hub/ops/exposition.h"

#include <cstdint>
#include <optional>
#include <string>

namespace hub::ops {

struct ProcessFigures {
    std::optional<std::uint64_t> resident_bytes;
    std::optional<std::uint64_t> open_fds;
    std::optional<std::uint64_t> max_fds;
    std::optional<double> start_time_s;  ///< since the Unix epoch
    std::optional<double> cpu_s;         ///< user + system
};

/// Reads /proc/self; a figure that cannot be read is left empty (and not rendered).
ProcessFigures read_process_figures();

/// process_resident_memory_bytes, process_open_fds, process_max_fds,
/// process_start_time_seconds, process_cpu_seconds_total, and lienthong_build_info{version}.
void render_process(Exposition& out, const ProcessFigures& figures);

/// The version this program was built as (CMake's project version).
std::string build_version();

}  // namespace hub::ops
