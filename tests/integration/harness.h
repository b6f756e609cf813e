#pragma once
// A real lienthongd for one test: its own dev environment in a fresh temp directory, the
// daemon as a child process on ports it picks itself, and clients speaking as its agencies
// or its operator.

#include "hub/http/client.h"
#include "lienthong/devenv/dev_env.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.h"

namespace it {

/// A fresh empty directory under the system temp dir, removed by the destructor unless
/// LIENTHONG_KEEP_TEST_DIRS is set.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

struct HubOptions {
    int agencies = 3;
    /// Merged into lienthongd.json (see lienthong::devenv::DevEnvOptions::config_overrides).
    boost::json::object config_overrides;
    /// "sqlite" or "amqp"; empty: LIENTHONG_TEST_TRANSPORT, else sqlite. On amqp the hub
    /// gets a vhost of its own on the run's broker (LIENTHONG_AMQP_URL, LIENTHONG_BROKER_DIR);
    /// without that broker the constructor throws: the test fails, it is never skipped.
    std::string transport;
    /// amqp only: this broker URL instead of a fresh vhost of the run's broker (a test that
    /// stops and starts a broker of its own).
    std::string amqp_url;
};

/// The transport hubs of this test process use when their options name none.
std::string default_transport();

/// An AMQP URL with a fresh virtual host of the run's broker (taken from the pool tools/test
/// made, or added). Throws without a broker.
std::string fresh_amqp_vhost_url(const std::string& scratch_dir);

/// One daemon under test. The constructor makes the environment and starts the daemon,
/// returning once it is ready (run/ports.json written, GET /healthz answers 200); it throws
/// std::runtime_error with the daemon's log when the daemon exits or is not ready in time.
/// The destructor kills a daemon still running and removes the directory, unless the
/// environment variable LIENTHONG_KEEP_TEST_DIRS is set. Not thread-safe.
class Hub {
public:
    explicit Hub(HubOptions options = {});
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    /// The environment directory (absolute).
    const std::string& dir() const { return dir_; }
    /// The agencies, in the order dev-env made them; code(0) is the first agency, the one
    /// with the extra (revoked, expired, other-org) signers.
    const std::vector<lienthong::devenv::DevAgency>& agencies() const { return agencies_; }
    const std::string& code(std::size_t index) const { return agencies_.at(index).code; }
    const std::string& name_of(const std::string& code) const;
    /// DIR/agencies/<code as written>, found from a code in either form.
    std::string agency_dir(const std::string& code) const;

    std::uint16_t agency_port() const { return agency_port_; }
    std::uint16_t operator_port() const { return operator_port_; }

    /// Client options for the agency listener with that agency's client certificate.
    hub::http::ClientOptions agency(const std::string& code) const;
    /// Client options for the agency listener with any certificate files, or none when
    /// both paths are empty.
    hub::http::ClientOptions agency_with(const std::string& cert_file,
                                         const std::string& key_file) const;
    /// Client options for the operator listener with the operator certificate.
    hub::http::ClientOptions operator_client() const;

    /// SIGTERM, then waits for the exit; returns its exit code (128 + signal if killed).
    /// Throws when the daemon does not exit in time (it is then killed).
    int stop();
    /// SIGKILL and reap: a crash.
    void kill9();
    /// Starts the daemon again on the same directory (ledger kept), stopping it first with
    /// SIGTERM if it still runs. Ports may change.
    void restart();
    bool running();

    /// run/lienthongd.log, and what the daemon wrote to stdout/stderr.
    std::string log() const;

    /// "sqlite" or "amqp".
    const std::string& transport() const { return transport_; }
    /// The broker URL this hub uses (amqp only).
    const std::string& amqp_url() const { return amqp_url_; }

private:
    void start();
    bool read_ports();
    bool healthy() const;

    TempDir temp_;  // declared first: destroyed after the daemon is dead
    std::string dir_;
    std::vector<lienthong::devenv::DevAgency> agencies_;
    std::optional<Child> child_;
    std::uint16_t agency_port_ = 0;
    std::uint16_t operator_port_ = 0;
    std::string transport_;
    std::string amqp_url_;
};

/// Path of the lienthongd binary under test.
std::string daemon_path();
/// Path of the lienthongctl binary under test.
std::string ctl_path();
/// deploy/rabbitmq/broker of this source tree.
std::string broker_script();

}  // namespace it
