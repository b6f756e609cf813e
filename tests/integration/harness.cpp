#include "harness.h"

#include "hub/core/org_code.h"

#include <boost/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace it {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Generous: the daemon shares two cores with parallel test processes and compilers.
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kStopTimeout = std::chrono::seconds(30);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

bool keep_dirs() { return std::getenv("LIENTHONG_KEEP_TEST_DIRS") != nullptr; }

}  // namespace

std::string daemon_path() { return LIENTHONGD_PATH; }
std::string ctl_path() { return LIENTHONGCTL_PATH; }
std::string broker_script() { return LIENTHONG_BROKER_SCRIPT; }

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lienthong-it-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed under " + fs::temp_directory_path().string());
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    if (keep_dirs()) {
        std::cerr << "kept test directory " << path_ << "\n";
        return;
    }
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

std::string default_transport() {
    const char* t = std::getenv("LIENTHONG_TEST_TRANSPORT");
    return (t == nullptr || *t == '\0') ? "sqlite" : t;
}

std::string fresh_amqp_vhost_url(const std::string& scratch_dir) {
    const char* url = std::getenv("LIENTHONG_AMQP_URL");
    const char* broker = std::getenv("LIENTHONG_BROKER_DIR");
    if (url == nullptr || broker == nullptr) {
        throw std::runtime_error(
            "this test needs the run's RabbitMQ node: LIENTHONG_AMQP_URL and "
            "LIENTHONG_BROKER_DIR (tools/test sets both; deploy/rabbitmq/broker start DIR)");
    }
    // The pool tools/test made: the first name nobody claimed yet (O_EXCL across processes).
    const fs::path claims = fs::path(broker) / "vhost-claims";
    fs::create_directories(claims);
    std::string base = url;
    if (const auto slash = base.find('/', base.find("://") + 3); slash != std::string::npos) {
        base.resize(slash);
    }
    const char* pool = std::getenv("LIENTHONG_AMQP_VHOSTS");
    const int size = pool != nullptr ? std::atoi(pool) : 0;
    for (int i = 0; i < size; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "hub%03d", i);
        const int fd = ::open((claims / name).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd >= 0) {
            ::close(fd);
            return base + "/" + name;
        }
    }
    // Pool used up (or none): add one, a few seconds.
    const std::string name = "hub-" + std::to_string(::getpid()) + "-" +
                             std::to_string(Clock::now().time_since_epoch().count());
    auto made = run_command({broker_script(), "vhost", broker, name}, scratch_dir,
                            std::chrono::seconds(120));
    if (made.exit_code != 0) {
        throw std::runtime_error("cannot add a vhost to the broker: " + made.err);
    }
    return base + "/" + name;
}

Hub::Hub(HubOptions options) : dir_(temp_.path()) {
    transport_ = options.transport.empty() ? default_transport() : options.transport;
    if (transport_ == "amqp") {
        amqp_url_ = options.amqp_url.empty() ? fresh_amqp_vhost_url(dir_) : options.amqp_url;
        boost::json::object queue;
        if (auto* given = options.config_overrides.if_contains("queue")) {
            queue = given->as_object();
        }
        queue["kind"] = "amqp";
        queue["amqp_url"] = amqp_url_;
        options.config_overrides["queue"] = std::move(queue);
    }
    lienthong::devenv::DevEnvOptions env;
    env.agencies = options.agencies;
    env.config_overrides = std::move(options.config_overrides);
    lienthong::devenv::make_dev_env(dir_, env);
    agencies_ = lienthong::devenv::dev_env_agencies(options.agencies);
    start();
}

Hub::~Hub() { child_.reset(); }

const std::string& Hub::name_of(const std::string& code) const {
    const auto wanted = hub::canonical_org_code(code);
    for (const auto& a : agencies_) {
        if (hub::canonical_org_code(a.code) == wanted) {
            return a.name;
        }
    }
    throw std::invalid_argument("no agency " + code);
}

std::string Hub::agency_dir(const std::string& code) const {
    const auto wanted = hub::canonical_org_code(code);
    for (const auto& a : agencies_) {
        if (hub::canonical_org_code(a.code) == wanted) {
            return dir_ + "/agencies/" + a.code;
        }
    }
    throw std::invalid_argument("no agency " + code);
}

hub::http::ClientOptions Hub::agency_with(const std::string& cert_file,
                                          const std::string& key_file) const {
    hub::http::ClientOptions options;
    options.port = agency_port_;
    options.ca_file = dir_ + "/ca/root.crt";
    options.cert_file = cert_file;
    options.key_file = key_file;
    return options;
}

hub::http::ClientOptions Hub::agency(const std::string& code) const {
    const auto adir = agency_dir(code);
    return agency_with(adir + "/client.crt", adir + "/client.key");
}

hub::http::ClientOptions Hub::operator_client() const {
    hub::http::ClientOptions options;
    options.port = operator_port_;
    options.ca_file = dir_ + "/ca/root.crt";
    options.cert_file = dir_ + "/operator/client.crt";
    options.key_file = dir_ + "/operator/client.key";
    return options;
}

std::string Hub::log() const {
    return "--- run/lienthongd.log ---\n" + slurp(dir_ + "/run/lienthongd.log") +
           "--- stdout and stderr ---\n" + slurp(dir_ + "/run/lienthongd.out");
}

bool Hub::read_ports() {
    // The daemon writes the file atomically once both listeners are bound; a stale file from
    // an earlier run was removed before the start, and the pid must be this child's.
    const std::string text = slurp(dir_ + "/run/ports.json");
    if (text.empty()) {
        return false;
    }
    boost::system::error_code ec;
    const auto doc = boost::json::parse(text, ec);
    if (ec || !doc.is_object()) {
        return false;
    }
    const auto& o = doc.as_object();
    const auto* a = o.if_contains("agency_port");
    const auto* p = o.if_contains("operator_port");
    const auto* pid = o.if_contains("pid");
    if (a == nullptr || p == nullptr || !a->is_int64() || !p->is_int64()) {
        return false;
    }
    if (pid != nullptr && pid->is_int64() && pid->as_int64() != child_->pid()) {
        return false;
    }
    agency_port_ = static_cast<std::uint16_t>(a->as_int64());
    operator_port_ = static_cast<std::uint16_t>(p->as_int64());
    return agency_port_ != 0 && operator_port_ != 0;
}

bool Hub::healthy() const {
    auto options = operator_client();
    options.timeout = std::chrono::seconds(5);
    hub::http::Client client(options);
    auto response = client.request(boost::beast::http::verb::get, "/healthz");
    return response && response->status == 200;
}

void Hub::start() {
    if (!fs::exists(daemon_path())) {
        throw std::runtime_error("lienthongd is not built: " + daemon_path());
    }
    fs::remove(dir_ + "/run/ports.json");
    fs::create_directories(dir_ + "/run");
    agency_port_ = operator_port_ = 0;
    const std::string out = dir_ + "/run/lienthongd.out";
    child_.emplace(Child::spawn({daemon_path(), "--config", dir_ + "/lienthongd.json"}, out, out));
    const auto deadline = Clock::now() + kStartTimeout;
    bool ports = false;
    for (;;) {
        if (!child_->running()) {
            throw std::runtime_error("lienthongd exited during start (" +
                                     describe(*child_->status()) + ")\n" + log());
        }
        if (!ports) {
            ports = read_ports();
        }
        if (ports && healthy()) {
            return;
        }
        if (Clock::now() >= deadline) {
            child_.reset();  // kills it
            throw std::runtime_error(
                std::string("lienthongd was not ready within 60 s (") +
                (ports ? "ports.json written, /healthz not 200" : "no valid run/ports.json") +
                ")\n" + log());
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

bool Hub::running() { return child_ && child_->running(); }

int Hub::stop() {
    if (!child_) {
        throw std::logic_error("stop: the daemon was never started");
    }
    child_->signal(SIGTERM);
    const auto status = child_->wait_for(kStopTimeout);
    if (!status) {
        child_.reset();
        throw std::runtime_error("lienthongd did not exit within 30 s of SIGTERM\n" + log());
    }
    const int code = exit_code(*status);
    if (code != 0) {
        // The test will fail on the code; what the daemon said is the only clue left after
        // its directory is removed.
        std::cerr << "lienthongd exited with " << code << " on SIGTERM\n" << log() << "\n";
    }
    return code;
}

void Hub::kill9() {
    if (child_) {
        child_->signal(SIGKILL);
        child_->wait_for(kStopTimeout);
    }
}

void Hub::restart() {
    if (running()) {
        stop();
    }
    start();
}

}  // namespace it
