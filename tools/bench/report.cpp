#include "report.h"

#include "hub/core/clock.h"
#include "hub/core/time.h"

#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "stats.h"

namespace bench {
using namespace std::chrono_literals;

std::string strf(const char* format, ...) {
    char buffer[1024];
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n < 0) {
        return {};
    }
    return std::string(buffer,
                       std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buffer - 1));
}

namespace {

std::string hostname() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

}  // namespace

void print_command(const Options& options) {
    std::printf("command: %s\n", options.command_line.c_str());
    std::printf("started: %s  host: %s, %u CPUs\n",
                hub::format_instant(hub::SystemClock().now()).c_str(), hostname().c_str(),
                std::thread::hardware_concurrency());
    std::fflush(stdout);
}

void print_environment(const BenchEnv& env) {
    std::printf("daemon:  %s (pid %d, agency port %u, operator port %u)\n",
                env.daemon_path().c_str(), static_cast<int>(env.daemon_pid()),
                static_cast<unsigned>(env.agency_port()),
                static_cast<unsigned>(env.operator_port()));
    std::printf("env:     %s (%s)\n", env.dir().c_str(),
                env.removed_at_exit() ? "removed at exit; --keep keeps it" : "kept");
    std::fflush(stdout);
}

boost::json::object json_preamble(const Options& options, const BenchEnv& env) {
    boost::json::object json;
    json["command"] = options.command_line;
    json["mode"] = mode_name(options.mode);
    json["started_at"] = hub::format_instant(hub::SystemClock().now());
    json["host"] = {{"name", hostname()}, {"cpus", std::thread::hardware_concurrency()}};
    json["daemon"] = {{"path", env.daemon_path()}, {"pid", env.daemon_pid()}};
    json["env_dir"] = env.dir();
    json["options"] = {{"connections", options.connections},
                       {"seconds", options.seconds},
                       {"rounds", options.rounds},
                       {"warmup_seconds", options.warmup_seconds},
                       {"client_threads", options.client_threads},
                       {"format", format_name(options.format)},
                       {"pdf_bytes", options.pdf_bytes},
                       {"rate", options.rate},
                       {"agencies", options.agencies},
                       {"pollers", options.pollers},
                       {"grace_seconds", options.grace_seconds},
                       {"config_overrides", options.config_overrides}};
    return json;
}

void report_daemon_end(BenchEnv& env, boost::json::object& json) {
    const double rss = env.daemon_pid() > 0 ? proc_peak_rss_mib(env.daemon_pid()) : -1;
    const auto exit = env.stop_daemon(15s);
    const auto logs = env.log_summary();
    std::printf("\ndaemon: peak RSS %.0f MiB; stopped by SIGTERM: %s in %.2f s%s\n", rss,
                exit.how.c_str(), exit.seconds, exit.clean ? "" : "  <-- not a clean exit");
    std::printf("daemon log: %d warning line(s), %d error line(s)\n", logs.warnings, logs.errors);
    if (!logs.first_warning.empty()) {
        std::printf("  first warning: %s\n", logs.first_warning.c_str());
    }
    if (!logs.first_error.empty()) {
        std::printf("  first error:   %s\n", logs.first_error.c_str());
    }
    json["daemon_end"] = {{"peak_rss_mib", rss},
                          {"exit", exit.how},
                          {"stop_seconds", exit.seconds},
                          {"clean", exit.clean},
                          {"log_warnings", logs.warnings},
                          {"log_errors", logs.errors},
                          {"first_warning", logs.first_warning},
                          {"first_error", logs.first_error}};
}

void write_json_file(const std::string& path, const boost::json::object& json) {
    std::ofstream out(path, std::ios::trunc);
    out << boost::json::serialize(json) << "\n";
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

}  // namespace bench
