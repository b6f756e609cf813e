#pragma once
// What the operator listener's endpoints reach: health of the parts, the registry
// administration, metrics. Built and owned by App; handlers hold a reference. The agency
// endpoints take narrower dependencies (endpoint_deps.h).

#include "hub/http/server.h"
#include "lienthong/v1/config.pb.h"

#include "endpoint_deps.h"
#include "maintenance.h"
#include "metrics.h"

namespace hub {

class NationalAdapter;

struct Services {
    const lienthong::v1::Config& config;
    Logger& log;
    const Clock& clock;
    RegistryStore& registry_store;
    EnvelopeStore& envelopes;
    Inbox& inbox;
    Snapshot<Registry>& registry;
    Metrics& metrics;
    /// Who calls and how refusals are audited, as for the agency endpoints.
    CallerContext& context;
    /// Maintenance mode: kept in the ledger, and as the Gate reads it.
    OperatorStore& operator_store;
    MaintenanceMode& maintenance;
    /// Outbox depths for /metrics.
    OutboxStore& outbox;
    /// The document-signature trust store, for the certificate-expiry metric.
    Snapshot<crypto::TrustStore>& trust;
    /// The national adapter when national.enabled; null otherwise.
    NationalAdapter* national = nullptr;
    /// Period reports (GET /admin/v1/reports); null: the endpoint answers 404.
    ReportStore* reports = nullptr;

    /// Reloads the registry snapshot from the ledger after a change (R-04: the next
    /// request sees it).
    boost::asio::awaitable<Result<void>> reload_registry();
};

/// Who an operator request is, for audit rows: "operator:" and the first 16 hex digits of
/// its certificate's SHA-256 (operators have no organization code).
std::string operator_actor(const http::Request& request);

}  // namespace hub
