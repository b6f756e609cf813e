#include "metrics.h"

namespace hub {

Metrics::Metrics()
    : ops::RequestMetrics({"envelopes_post", "inbox", "inbox_ack", "status", "time", "trace",
                           "attachment", std::string(kOperatorRoute), "other"}) {}

std::string_view agency_route(const std::string& path) {
    if (path.rfind("/v1/inbox/", 0) == 0) {
        return "inbox_ack";
    }
    if (path.rfind("/v1/envelopes/", 0) == 0) {
        return "trace";
    }
    if (path.rfind("/v1/attachments/", 0) == 0) {
        return "attachment";
    }
    if (path == "/v1/envelopes") {
        return "envelopes_post";
    }
    if (path == "/v1/inbox") {
        return "inbox";
    }
    if (path == "/v1/status") {
        return "status";
    }
    if (path == "/v1/time") {
        return "time";
    }
    return "other";
}

}  // namespace hub
