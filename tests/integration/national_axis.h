#pragma once
// The national axis for integration tests: the simulator (tools/national-sim) in this process,
// over real TLS on 127.0.0.1 with a certificate made at test time, knowing our hub as system
// "hub.h39" (serving H39) and hosting a peer province, system "peer.h41" (serving H41), that
// answers every document with 01, then 03 (or 02 with its reason). Plus the admin calls tests
// make to it, and the edXML a peer province sends. Test threads only; not thread-safe.

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "sim.h"

namespace it {

/// The simulator with our hub and the peer province, started by the constructor and stopped
/// by the destructor. Admin calls throw std::runtime_error when the simulator refuses them.
struct Axis {
    /// The directory (getAgenciesListQD20) lists H41 then `extra_agencies`; the peer province
    /// also serves the codes of the extra agencies, so documents to them are answered too.
    /// `peer_answer` is the peer's SystemConfig::answer: "accept" (01, 03) or "reject"
    /// (01, 02 with peer.reason).
    explicit Axis(std::vector<lienthong::sim::AgencyConfig> extra_agencies = {},
                  std::string peer_answer = "accept");
    ~Axis();
    Axis(const Axis&) = delete;
    Axis& operator=(const Axis&) = delete;

    /// The "national" section of lienthongd.json for this axis (short polls and retries),
    /// ready for it::with_config().
    boost::json::object national_config() const;
    /// POST /admin/mode: "normal", "down", "error", "slow", "drop" or "hold" (sim.h);
    /// `delay_ms` for "slow" and "hold".
    void mode(const std::string& m, int delay_ms = 0);
    /// Puts a package of the peer province on the axis for our hub to fetch.
    void inject(const std::string& package);
    /// GET /admin/state, parsed.
    boost::json::object state();
    /// One of the simulator's counters (sim.cpp), 0 when it never moved.
    std::int64_t counter(const std::string& name);
    /// The transport status of the peer's documents ("done", "fail", ...), in injection order.
    std::vector<std::string> peer_statuses();
    /// The packages the axis holds that our hub sent, of one message type ("edoc", "status").
    std::vector<boost::json::object> sent_by_hub(const std::string& type);

    TempDir dir;
    std::string ca_file = dir.path() + "/axis-ca.pem";
    std::string secret_file = dir.path() + "/axis.secret";
    lienthong::sim::SystemConfig peer;  ///< as the simulator hosts it
    std::unique_ptr<lienthong::sim::Simulator> sim;
};

/// The package bytes of one document of /admin/state (its package_base64 decoded).
std::string package_of(const boost::json::object& document);

/// A document of the peer province (000.00.00.H41) to one of ours, as the peer's system would
/// send it: unsigned, no attachment, DocumentId "000.00.00.H41,2026/12/01,<number>/UBND-TH".
std::string peer_document(const std::string& to, const std::string& number);

}  // namespace it
