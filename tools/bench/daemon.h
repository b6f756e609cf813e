#pragma once
// The lienthongd under test: a dev environment made for the run, the daemon started in it,
// and both cleaned up at the end.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "envelopes.h"
#include "https.h"
#include "options.h"

namespace bench {

/// How the daemon ended when asked to stop.
struct DaemonExit {
    std::string how;     ///< e.g. "exit 0", "signal 9 (killed after the grace period)"
    double seconds = 0;  ///< from SIGTERM to exit
    bool clean = false;  ///< exited with status 0 by itself
};

/// What the daemon logged at warn and error level during the run.
struct LogSummary {
    int warnings = 0;
    int errors = 0;
    std::string first_warning;
    std::string first_error;
};

/// Owns the dev environment directory and the daemon process. Set-up failures throw
/// std::runtime_error with what went wrong (and the end of the daemon's output when it
/// started). The destructor kills a daemon still running and removes a temporary directory
/// unless --keep.
class BenchEnv {
public:
    /// Makes the dev environment (`agencies` agencies, options.config_overrides merged) in
    /// options.dir or a new temporary directory. Does not start the daemon.
    BenchEnv(const Options& options, int agencies);
    ~BenchEnv();
    BenchEnv(const BenchEnv&) = delete;
    BenchEnv& operator=(const BenchEnv&) = delete;

    const std::string& dir() const { return dir_; }
    const std::string& daemon_path() const { return daemon_path_; }
    bool removed_at_exit() const { return remove_; }
    /// Keeps the directory whatever --keep said (after a failure, for its logs).
    void keep_directory() { remove_ = false; }
    const std::vector<Agency>& agencies() const { return agencies_; }
    Identity agency_identity(std::size_t index) const;
    Identity operator_identity() const;

    /// Starts the daemon with `--config DIR/lienthongd.json` (output to DIR/run/daemon.out),
    /// waits for DIR/run/ports.json naming its pid and for GET /healthz = 200 on the operator
    /// listener, within `timeout`.
    void start_daemon(std::chrono::seconds timeout);
    pid_t daemon_pid() const { return pid_; }
    std::uint16_t agency_port() const { return agency_port_; }
    std::uint16_t operator_port() const { return operator_port_; }

    /// SIGTERM, then SIGKILL when it has not exited within `grace`.
    DaemonExit stop_daemon(std::chrono::seconds grace);

    /// Counts `level=warn` and `level=error` lines in the daemon's log file and output.
    LogSummary log_summary() const;

private:
    std::string tail_of_output() const;
    bool reap(int& status);

    std::string dir_;
    std::string daemon_path_;
    bool remove_ = false;
    std::vector<Agency> agencies_;
    pid_t pid_ = -1;
    std::uint16_t agency_port_ = 0;
    std::uint16_t operator_port_ = 0;
};

}  // namespace bench
