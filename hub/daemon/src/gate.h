#pragma once
// Authorize at the header (STYLE.md): whether a request may go on is decided from the TLS
// client certificate and the request line, before a byte of its body is read. The listener
// calls the Gate through http::ServerOptions::authorize; handlers still authenticate (and
// check suspension) themselves, the Gate only turns away what no handler would serve.

#include "hub/core/result.h"
#include "hub/http/server.h"
#include "hub/routing/registry.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "maintenance.h"
#include "metrics.h"

namespace hub {

struct GateOptions {
    /// Operator listener: /healthz and /metrics may be asked without a certificate.
    bool operator_open_health = false;
    /// Requests per second each organization may make on the agency listener (token bucket
    /// refilled at this rate); 0: no limit.
    double rate_per_org = 0;
    /// The bucket's size: how many requests may come at once after a quiet spell
    /// (at least 1 when the rate is on).
    double rate_burst = 0;
    /// Where the provincial API façade lives on the agency listener: the only paths a
    /// system's certificate (one that acts for several units) may reach. Empty: none.
    std::string system_path_prefix;
};

/// Thread-safe: the listeners call it from every io thread at once.
class Gate {
public:
    /// The registry snapshot current at the time of the call.
    using RegistrySource = std::function<std::shared_ptr<const Registry>()>;
    using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

    /// Keeps `metrics` and `maintenance` by reference; `now` is the clock of the rate buckets
    /// (tests pass one).
    Gate(
        RegistrySource registry,
        GateOptions options,
        Metrics& metrics,
        const MaintenanceMode& maintenance,
        SteadyNow now = [] { return std::chrono::steady_clock::now(); });

    /// Agency listener: UNAUTHENTICATED without a client certificate or with one the
    /// registry does not know (or has revoked), everywhere (api.md names no open endpoint);
    /// MAINTENANCE (with the operator's notice and Retry-After) in maintenance mode, on
    /// every endpoint but GET /v1/time, so a request refused then stores nothing;
    /// RATE_LIMITED when the certificate's organization is over its rate. A system's
    /// certificate passes only under system_path_prefix, at its own rate. nullopt: go on.
    std::optional<Failure> agency(const http::Request& head);

    /// Operator listener: UNAUTHENTICATED without any client certificate, except /healthz and
    /// /metrics when operator_open_health. Which certificates are operators' is the
    /// operator handler's rule, not the Gate's.
    std::optional<Failure> operator_listener(const http::Request& head);

    /// The organization (canonical code) a client certificate belongs to, or "system:NAME" for
    /// a system's, for per-organization connection limits; nullopt when the registry does not
    /// know it.
    std::optional<std::string> organization(const std::string& cert_sha256) const;

    /// Anonymous refusals since the last call (they are audited in aggregate, not one row
    /// per request: an audit row costs an fsync an anonymous client must not be able to buy).
    std::uint64_t take_unaudited_refusals();

private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point at;
    };
    Failure refuse_anonymous(std::string_view route, std::string text);
    bool on_system_path(const std::string& path) const;
    bool take_token(const std::string& org);

    RegistrySource registry_;
    GateOptions options_;
    Metrics& metrics_;
    const MaintenanceMode& maintenance_;
    SteadyNow now_;
    std::atomic<std::uint64_t> unaudited_{0};
    std::mutex mutex_;  // guards buckets_
    std::map<std::string, Bucket> buckets_;
};

}  // namespace hub
