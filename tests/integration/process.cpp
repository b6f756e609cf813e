#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace it {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(5);

int open_output(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    }
    return fd;
}

}  // namespace

Child Child::spawn(const std::vector<std::string>& argv,
                   const std::string& stdout_path,
                   const std::string& stderr_path) {
    if (argv.empty()) {
        throw std::invalid_argument("spawn: empty argv");
    }
    // Everything the child needs is prepared here: between fork and exec only
    // async-signal-safe calls are allowed.
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    const int out_fd = open_output(stdout_path);
    const int err_fd = stderr_path == stdout_path ? out_fd : open_output(stderr_path);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(126);  // the test died before the line above took effect
        }
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(out_fd, STDOUT_FILENO);
        ::dup2(err_fd, STDERR_FILENO);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(out_fd);
    if (err_fd != out_fd) {
        ::close(err_fd);
    }
    if (null_fd >= 0) {
        ::close(null_fd);
    }
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(fork_errno));
    }
    return Child(pid);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        kill_and_reap();
        pid_ = std::exchange(other.pid_, -1);
        status_ = std::exchange(other.status_, std::nullopt);
    }
    return *this;
}

Child::~Child() { kill_and_reap(); }

void Child::kill_and_reap() noexcept {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        status_ = status;
    }
}

bool Child::running() {
    if (pid_ <= 0 || status_) {
        return false;
    }
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        status_ = status;
        return false;
    }
    return true;
}

void Child::signal(int sig) {
    if (running()) {
        ::kill(pid_, sig);
    }
}

std::optional<int> Child::wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    return status_;
}

int exit_code(int wait_status) {
    if (WIFEXITED(wait_status)) {
        return WEXITSTATUS(wait_status);
    }
    if (WIFSIGNALED(wait_status)) {
        return 128 + WTERMSIG(wait_status);
    }
    return -1;
}

std::string describe(int wait_status) {
    if (WIFEXITED(wait_status)) {
        return "exit " + std::to_string(WEXITSTATUS(wait_status));
    }
    if (WIFSIGNALED(wait_status)) {
        return "signal " + std::to_string(WTERMSIG(wait_status)) + " (" +
               ::strsignal(WTERMSIG(wait_status)) + ")";
    }
    return "wait status " + std::to_string(wait_status);
}

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::string& scratch_dir,
                          std::chrono::milliseconds timeout) {
    static std::atomic<int> counter{0};
    const std::string base =
        scratch_dir + "/cmd-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const std::string out_path = base + ".out";
    const std::string err_path = base + ".err";
    ::unlink(out_path.c_str());
    ::unlink(err_path.c_str());
    Child child = Child::spawn(argv, out_path, err_path);
    const auto status = child.wait_for(timeout);
    if (!status) {
        throw std::runtime_error(argv[0] + " did not finish within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    CommandResult result{exit_code(*status), slurp(out_path), slurp(err_path)};
    ::unlink(out_path.c_str());
    ::unlink(err_path.c_str());
    return result;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace it
