#include "gate.h"

#include <algorithm>

namespace hub {

namespace {
// Principals that are systems, not organizations; no organization code starts with it.
constexpr std::string_view kSystemPrefix = "system:";
}  // namespace

Gate::Gate(RegistrySource registry,
           GateOptions options,
           Metrics& metrics,
           const MaintenanceMode& maintenance,
           SteadyNow now)
    : registry_(std::move(registry)),
      options_(options),
      metrics_(metrics),
      maintenance_(maintenance),
      now_(std::move(now)) {
    if (options_.rate_per_org > 0) {
        options_.rate_burst = std::max(options_.rate_burst, 1.0);
    }
}

Failure Gate::refuse_anonymous(std::string_view route, std::string text) {
    metrics_.refused(route, errc::unauthenticated);
    unaudited_.fetch_add(1, std::memory_order_relaxed);
    return fail(errc::unauthenticated, "", std::move(text));
}

std::optional<Failure> Gate::agency(const http::Request& head) {
    if (!head.client_cert_sha256) {
        return refuse_anonymous(agency_route(head.path), "a client certificate is required");
    }
    auto principal = organization(*head.client_cert_sha256);
    if (!principal || (principal->starts_with(kSystemPrefix) && !on_system_path(head.path))) {
        return refuse_anonymous(agency_route(head.path),
                                "this client certificate is not registered");
    }
    // After authentication, so only registered agencies read the notice; /v1/time stays
    // open because agencies set their clocks from it and it stores nothing.
    if (!(head.path == "/v1/time" && head.method == boost::beast::http::verb::get)) {
        if (auto refusal = maintenance_.refusal()) {
            metrics_.refused(agency_route(head.path), errc::maintenance);
            return refusal;
        }
    }
    if (!take_token(*principal)) {
        metrics_.refused(agency_route(head.path), errc::rate_limited);
        return fail(errc::rate_limited, "",
                    "organization " + *principal + " is over its rate of " +
                        std::to_string(static_cast<unsigned long long>(options_.rate_per_org)) +
                        " requests per second");
    }
    return std::nullopt;
}

std::optional<Failure> Gate::operator_listener(const http::Request& head) {
    if (head.client_cert_sha256) {
        return std::nullopt;
    }
    if (options_.operator_open_health && (head.path == "/healthz" || head.path == "/metrics")) {
        return std::nullopt;
    }
    return refuse_anonymous(kOperatorRoute, "an operator certificate is required");
}

std::optional<std::string> Gate::organization(const std::string& cert_sha256) const {
    auto registry = registry_();
    if (!registry) {
        return std::nullopt;
    }
    if (const OrgInfo* org = registry->by_client_cert(cert_sha256)) {
        return org->code;
    }
    if (const SystemInfo* system = registry->by_system_cert(cert_sha256)) {
        return std::string(kSystemPrefix) + system->name;
    }
    return std::nullopt;
}

bool Gate::on_system_path(const std::string& path) const {
    const auto& prefix = options_.system_path_prefix;
    return !prefix.empty() && path.size() > prefix.size() && path.starts_with(prefix) &&
           path[prefix.size()] == '/';
}

std::uint64_t Gate::take_unaudited_refusals() { return unaudited_.exchange(0); }

bool Gate::take_token(const std::string& org) {
    if (options_.rate_per_org <= 0) {
        return true;
    }
    const auto now = now_();
    std::lock_guard lock(mutex_);
    auto [it, fresh] = buckets_.try_emplace(org, Bucket{options_.rate_burst, now});
    Bucket& bucket = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - bucket.at).count();
        bucket.tokens = std::min(options_.rate_burst,
                                 bucket.tokens + std::max(elapsed, 0.0) * options_.rate_per_org);
        bucket.at = now;
    }
    if (bucket.tokens < 1.0) {
        return false;
    }
    bucket.tokens -= 1.0;
    return true;
}

}  // namespace hub
