#include "daemon.h"

#include "lienthong/devenv/dev_env.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bench {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string default_daemon_path() {
    // This binary is <build>/tools/bench/lienthong_bench; the daemon <build>/hub/daemon/lienthongd.
    std::error_code ec;
    const auto self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return "lienthongd";
    }
    return (self.parent_path().parent_path().parent_path() / "hub" / "daemon" / "lienthongd")
        .string();
}

std::string make_directory(const Options& options, bool& temporary) {
    if (options.dir.empty()) {
        std::string pattern = (fs::temp_directory_path() / "lienthong-bench-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary directory in " +
                                     fs::temp_directory_path().string());
        }
        temporary = true;
        return pattern;
    }
    // A used directory would carry an old ledger into the measurement.
    if (fs::exists(options.dir) && !fs::is_empty(options.dir)) {
        throw UsageError("--dir " + options.dir + " is not empty");
    }
    fs::create_directories(options.dir);
    temporary = false;
    return fs::absolute(options.dir).string();
}

std::uint16_t port_in(const boost::json::object& doc, const char* listener) {
    if (const auto* nested = doc.if_contains(listener); nested && nested->is_object()) {
        if (const auto* port = nested->as_object().if_contains("port")) {
            return static_cast<std::uint16_t>(port->to_number<std::int64_t>());
        }
    }
    if (const auto* port = doc.if_contains(std::string(listener) + "_port")) {
        return static_cast<std::uint16_t>(port->to_number<std::int64_t>());
    }
    return 0;
}

std::deque<std::string> last_lines(const std::string& path, std::size_t count) {
    std::ifstream in(path);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
        if (lines.size() > count) {
            lines.pop_front();
        }
    }
    return lines;
}

}  // namespace

BenchEnv::BenchEnv(const Options& options, int agencies) {
    daemon_path_ = options.daemon.empty() ? default_daemon_path() : options.daemon;
    if (access(daemon_path_.c_str(), X_OK) != 0) {
        throw std::runtime_error("no executable lienthongd at " + daemon_path_ +
                                 " (build the lienthongd target, or pass --daemon PATH)");
    }
    daemon_path_ = fs::absolute(daemon_path_).string();
    bool temporary = false;
    dir_ = make_directory(options, temporary);
    remove_ = temporary && !options.keep;
    lienthong::devenv::DevEnvOptions dev;
    dev.agencies = agencies;
    // The load generator measures the hub, not its per-organization rate limit: off unless a
    // --set names it.
    dev.config_overrides = {{"limits", boost::json::object{{"rate_per_org", 0}}}};
    for (const auto& [key, value] : options.config_overrides) {
        if (key == "limits" && value.is_object()) {
            for (const auto& [name, limit] : value.as_object()) {
                dev.config_overrides["limits"].as_object()[name] = limit;
            }
        } else {
            dev.config_overrides[key] = value;
        }
    }
    lienthong::devenv::make_dev_env(dir_, dev);
    for (const auto& agency : lienthong::devenv::dev_env_agencies(agencies)) {
        agencies_.push_back({agency.code, agency.name, dir_ + "/agencies/" + agency.code});
    }
}

BenchEnv::~BenchEnv() {
    if (pid_ > 0) {
        stop_daemon(5s);
    }
    // Leaving because something failed: the daemon's logs are what explains it.
    if (remove_ && std::uncaught_exceptions() > 0) {
        std::fprintf(stderr, "lienthong_bench: keeping %s for its logs\n", dir_.c_str());
        remove_ = false;
    }
    if (remove_) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

Identity BenchEnv::agency_identity(std::size_t index) const {
    const auto& dir = agencies_.at(index).dir;
    return {dir_ + "/ca/root.crt", dir + "/client.crt", dir + "/client.key"};
}

Identity BenchEnv::operator_identity() const {
    return {dir_ + "/ca/root.crt", dir_ + "/operator/client.crt", dir_ + "/operator/client.key"};
}

bool BenchEnv::reap(int& status) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno == ECHILD)) {
        pid_ = -1;
        return true;
    }
    return false;
}

void BenchEnv::start_daemon(std::chrono::seconds timeout) {
    const std::string config = dir_ + "/lienthongd.json";
    const std::string output = dir_ + "/run/daemon.out";
    const std::string ports_path = dir_ + "/run/ports.json";
    fs::remove(ports_path);
    // Everything the child needs is built before fork: only async-signal-safe calls after.
    std::vector<std::string> args{daemon_path_, "--config", config};
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child < 0) {
        throw std::runtime_error("fork failed");
    }
    if (child == 0) {
        // A bench killed outright must not leave a daemon behind.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) {
            _exit(126);
        }
        const int out = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = open("/dev/null", O_RDONLY);
        if (out < 0 || in < 0 || chdir(dir_.c_str()) != 0) {
            _exit(126);
        }
        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    pid_ = child;

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last_problem = "no " + ports_path + " yet";
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (reap(status)) {
            std::ostringstream why;
            why << "lienthongd exited before it was ready ("
                << (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                      : "signal " + std::to_string(WTERMSIG(status)))
                << ")\n"
                << tail_of_output();
            throw std::runtime_error(why.str());
        }
        if (agency_port_ == 0 && fs::exists(ports_path)) {
            std::ifstream in(ports_path);
            std::stringstream text;
            text << in.rdbuf();
            boost::system::error_code ec;
            auto doc = boost::json::parse(text.str(), ec);
            // A half-written file fails to parse: read it again on the next turn.
            if (!ec && doc.is_object()) {
                const auto& object = doc.as_object();
                const auto* pid = object.if_contains("pid");
                if (pid != nullptr && pid->to_number<std::int64_t>() != pid_) {
                    last_problem = ports_path + " names pid " + boost::json::serialize(*pid) +
                                   ", not " + std::to_string(pid_);
                } else {
                    agency_port_ = port_in(object, "agency");
                    operator_port_ = port_in(object, "operator");
                    if (agency_port_ == 0 || operator_port_ == 0) {
                        last_problem = ports_path + " lacks a port: " + text.str();
                        agency_port_ = operator_port_ = 0;
                    }
                }
            }
        }
        if (agency_port_ != 0) {
            auto health = fetch_once(operator_port_, operator_identity(), "/healthz", 2000ms);
            if (health && health->status == 200) {
                return;
            }
            last_problem = health ? "GET /healthz answered " + std::to_string(health->status) +
                                        ": " + printable(health->body)
                                  : "GET /healthz: " + health.error().text();
        }
        std::this_thread::sleep_for(50ms);  // polling a process we do not control
    }
    throw std::runtime_error("lienthongd not ready within " + std::to_string(timeout.count()) +
                             " s: " + last_problem + "\n" + tail_of_output());
}

DaemonExit BenchEnv::stop_daemon(std::chrono::seconds grace) {
    DaemonExit result;
    if (pid_ <= 0) {
        result.how = "not running";
        return result;
    }
    const auto start = std::chrono::steady_clock::now();
    kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    while (std::chrono::steady_clock::now() - start < grace) {
        if (reap(status)) {
            exited = true;
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    std::string suffix;
    if (!exited) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = -1;
        suffix = " (SIGKILL after " + std::to_string(grace.count()) + " s without exiting)";
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) {
        result.how = "exit " + std::to_string(WEXITSTATUS(status)) + suffix;
        result.clean = exited && WEXITSTATUS(status) == 0;
    } else if (WIFSIGNALED(status)) {
        result.how = "signal " + std::to_string(WTERMSIG(status)) + suffix;
    } else {
        result.how = "unknown" + suffix;
    }
    return result;
}

LogSummary BenchEnv::log_summary() const {
    LogSummary summary;
    for (const auto* name : {"/run/lienthongd.log", "/run/daemon.out"}) {
        std::ifstream in(dir_ + name);
        std::string line;
        while (std::getline(in, line)) {
            if (line.find("level=error") != std::string::npos) {
                if (summary.errors++ == 0) {
                    summary.first_error = printable(line, 400);
                }
            } else if (line.find("level=warn") != std::string::npos) {
                if (summary.warnings++ == 0) {
                    summary.first_warning = printable(line, 400);
                }
            }
        }
    }
    return summary;
}

std::string BenchEnv::tail_of_output() const {
    std::string out;
    for (const auto* name : {"/run/daemon.out", "/run/lienthongd.log"}) {
        const auto lines = last_lines(dir_ + name, 15);
        if (lines.empty()) {
            continue;
        }
        out += "--- last lines of " + dir_ + name + ":\n";
        for (const auto& line : lines) {
            out += line + "\n";
        }
    }
    return out.empty() ? "(the daemon wrote nothing)" : out;
}

}  // namespace bench
