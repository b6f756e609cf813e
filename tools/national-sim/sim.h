#pragma once
/// A simulator of the national axis (VDXP, as SDK 2.0.1 speaks it), for tests, the benchmark
/// and the demo. Loopback only. It serves the six operations with the same HMAC check the
/// axis makes, keeps packages per receiving system, is idempotent on (sender, package hash),
/// can host peer "provinces" that answer documents with statuses, and takes orders on a
/// separate admin port: go down, answer 500, answer slowly, drop connections mid-answer, or
/// store a sent package and hold back its answer.
///
/// Admin API (plain HTTP on its own loopback port, JSON bodies):
///   POST /admin/mode   {"mode":"normal|down|error|slow|drop|hold","delay_ms":N}
///        down: connections reset; error: HTTP 500 before anything is stored; slow: every
///        call waits delay_ms before it is handled; drop: handled (stored), then the
///        connection closes after the answer's header; hold: sendEdoc stores the package,
///        counts it ("held") and answers only when the mode changes again or delay_ms (when
///        above 0) passed, the other calls answer at once.
///   POST /admin/inject {"from_system":"peer","package_base64":"..."}  -> {"DocId":"..."}
///   GET  /admin/state  {"mode", "counters": {...}, "documents": [every stored package, its
///                      bytes as package_base64]}

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lienthong::sim {

/// One system that talks to the axis (a hub, or a peer province hosted by the simulator).
struct SystemConfig {
    std::string id;
    std::string secret;               ///< the HMAC key, as text
    std::vector<std::string> serves;  ///< canonical codes; a code or any code under it
    /// Peer mode: the simulator answers every document to this system itself.
    bool peer = false;
    std::string answer = "accept";                ///< "accept": 01 then 03; "reject": 01 then 02
    std::string reason = "Sai thể thức văn bản";  ///< the 02's description
};

struct AgencyConfig {
    std::string id, code, code102, name, mail;
};

struct SimConfig {
    std::vector<SystemConfig> systems;
    std::vector<AgencyConfig> agencies;
    /// PEM server certificate and key; both empty: plain HTTP (loopback tests only).
    std::string cert_file;
    std::string key_file;
    std::uint16_t port = 0;
    std::uint16_t admin_port = 0;
};

/// Parses the simulator's JSON config file. Throws std::runtime_error.
SimConfig load_config(const std::string& path);

class Simulator {
public:
    explicit Simulator(SimConfig config);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    /// Binds 127.0.0.1 (ports 0 pick free ones) and serves on a thread of its own.
    void start();
    /// Stops serving and joins the thread.
    void stop();
    std::uint16_t port() const;
    std::uint16_t admin_port() const;

    /// The simulator's state, defined in sim.cpp (public only so its sessions can name it).
    struct State;

private:
    std::unique_ptr<State> state_;
};

/// One blocking call to a simulator's admin port (tests and scripts): answers the body, or
/// throws std::runtime_error when the call fails or answers other than 200.
std::string admin_call(std::uint16_t admin_port,
                       const std::string& method,
                       const std::string& target,
                       const std::string& body = {});

}  // namespace lienthong::sim
