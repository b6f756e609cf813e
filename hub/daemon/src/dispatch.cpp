// Which endpoint answers a request, and the operator listener's small endpoints.

#include "hub/http/message.h"
#include "lienthong/v1/api.pb.h"

#include <chrono>

#include "api_common.h"
#include "edxml_intake.h"
#include "endpoints.h"
#include "metrics.h"
#include "provincial_api.h"

namespace hub {
namespace v1 = lienthong::v1;
using boost::beast::http::verb;

namespace {

http::Response method_not_allowed(const http::Request& request) {
    auto response = http::error_response(fail(errc::not_found, "", "no such endpoint"), request);
    response.status = 405;
    return response;
}

// "/v1/inbox/{id}/ack" -> id; empty when the path has another shape.
std::string between(const std::string& path, std::string_view prefix, std::string_view suffix) {
    if (path.size() <= prefix.size() + suffix.size() || path.rfind(prefix, 0) != 0 ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return {};
    }
    auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    return id.find('/') == std::string::npos ? id : std::string();
}

boost::asio::awaitable<http::Response> route_agency(AgencyEndpoints& endpoints,
                                                    http::Request request) {
    const auto& path = request.path;
    const auto method = request.method;
    if (endpoints.provincial && is_provincial_path(endpoints.provincial->prefix, path)) {
        co_return co_await provincial_dispatch(*endpoints.provincial, std::move(request));
    }
    if (path == "/v1/envelopes") {
        if (method != verb::post) {
            co_return method_not_allowed(request);
        }
        co_return co_await post_envelope(endpoints.intake, std::move(request));
    }
    if (path == "/v1/edxml") {
        if (method != verb::post) {
            co_return method_not_allowed(request);
        }
        EdxmlDeps deps{endpoints.intake, endpoints.status};
        co_return co_await post_edxml(deps, std::move(request));
    }
    if (path == "/v1/inbox") {
        if (method != verb::get) {
            co_return method_not_allowed(request);
        }
        co_return co_await get_inbox(endpoints.inbox, std::move(request));
    }
    if (path == "/v1/inbox/ack") {
        if (method != verb::post) {
            co_return method_not_allowed(request);
        }
        co_return co_await ack_inbox_batch(endpoints.inbox, std::move(request));
    }
    if (path == "/v1/status") {
        if (method != verb::post) {
            co_return method_not_allowed(request);
        }
        co_return co_await post_status(endpoints.status, std::move(request));
    }
    if (path == "/v1/time") {
        if (method != verb::get) {
            co_return method_not_allowed(request);
        }
        v1::TimeNow now;
        now.set_now(format_instant(endpoints.trace.context.clock.now()));
        co_return http::message_response(200, now, request);
    }
    if (auto id = between(path, "/v1/inbox/", "/ack"); !id.empty()) {
        if (method != verb::post) {
            co_return method_not_allowed(request);
        }
        co_return co_await ack_inbox(endpoints.inbox, std::move(request), id);
    }
    if (path.rfind("/v1/attachments/", 0) == 0) {
        // The content id is the rest of the path: it may itself hold a '/'.
        const auto rest = path.substr(std::string_view("/v1/attachments/").size());
        const auto slash = rest.find('/');
        if (slash != std::string::npos && slash > 0 && slash + 1 < rest.size()) {
            if (method != verb::get) {
                co_return method_not_allowed(request);
            }
            co_return co_await get_attachment(endpoints.inbox, std::move(request),
                                              rest.substr(0, slash), rest.substr(slash + 1));
        }
    }
    if (auto id = between(path, "/v1/envelopes/", ""); !id.empty()) {
        if (method != verb::get) {
            co_return method_not_allowed(request);
        }
        co_return co_await get_trace(endpoints.trace, std::move(request), id);
    }
    co_return http::error_response(fail(errc::not_found, "", "no such endpoint"), request);
}

}  // namespace

boost::asio::awaitable<http::Response> agency_dispatch(AgencyEndpoints& endpoints,
                                                       http::Request request) {
    const auto started = std::chrono::steady_clock::now();
    const auto name = agency_route(request.path);
    auto response = co_await route_agency(endpoints, std::move(request));
    endpoints.metrics.observe(name, response.error, std::chrono::steady_clock::now() - started);
    co_return response;
}

}  // namespace hub
