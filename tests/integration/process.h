#pragma once
// Child processes for the integration tests: the daemon under test and the lienthongctl
// binary. POSIX fork/exec; every wait polls against a deadline.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace it {

/// A running (or exited) child. Owns it: the destructor kills it with SIGKILL and reaps it
/// if it is still running. Not thread-safe.
class Child {
public:
    /// Starts argv[0] (a path) with `argv`, stdout appended to `stdout_path` and stderr to
    /// `stderr_path` (they may be the same file). The child gets SIGKILL when the test
    /// process dies, so a crashed test leaves no daemon behind. Throws std::runtime_error
    /// when the files cannot be opened or fork fails; an exec failure shows as exit 127.
    static Child spawn(const std::vector<std::string>& argv,
                       const std::string& stdout_path,
                       const std::string& stderr_path);

    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    pid_t pid() const { return pid_; }
    /// True until the child has exited (reaps it when it has).
    bool running();
    /// Sends `sig` if the child is still running.
    void signal(int sig);
    /// Waits for the exit, polling until `timeout`; the wait status, or nullopt on timeout.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);
    /// The wait status once the child has exited.
    std::optional<int> status() const { return status_; }

private:
    explicit Child(pid_t pid) : pid_(pid) {}
    void kill_and_reap() noexcept;

    pid_t pid_ = -1;
    std::optional<int> status_;
};

/// Exit code of a wait status: the code for a normal exit, 128 + signal for a kill.
int exit_code(int wait_status);
/// "exit 0", "signal 9 (Killed)".
std::string describe(int wait_status);

/// What a finished command printed.
struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs a command to completion (files for its output in `scratch_dir`), killing it after
/// `timeout`. Throws std::runtime_error when it does not finish in time.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::string& scratch_dir,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The whole file, or "" when it cannot be read.
std::string slurp(const std::string& path);

}  // namespace it
