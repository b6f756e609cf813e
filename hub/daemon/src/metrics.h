#pragma once
// The hub's request metrics (hub/ops RequestMetrics) under the route names of the agency API,
// and the name of the route a request path is counted under.

#include "hub/ops/request_metrics.h"

#include <string>
#include <string_view>

namespace hub {

/// Requests by route and outcome, lock-free (hub/ops). Routes: envelopes_post, inbox,
/// inbox_ack, status, time, trace, attachment, operator, other.
class Metrics : public ops::RequestMetrics {
public:
    Metrics();
};

/// The route an agency-listener path is counted under ("other" for unknown paths).
std::string_view agency_route(const std::string& path);
/// Every request on the operator listener counts under this route.
inline constexpr std::string_view kOperatorRoute = "operator";

}  // namespace hub
