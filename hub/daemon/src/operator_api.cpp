// The operator listener: health, readiness, metrics, a minimal status document and the
// registry administration.

#include "hub/http/message.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>

#include "api_common.h"
#include "endpoints.h"

namespace hub {
namespace v1 = lienthong::v1;
using boost::beast::http::verb;

namespace {

http::Response text(unsigned status,
                    std::string body,
                    std::string type = "text/plain; charset=utf-8") {
    return http::Response{status, std::move(type), std::move(body), {}, {}};
}

// Only what the config names is an operator (config.cpp check_operators): a listed
// fingerprint, or, without a list, any certificate the operator listener verified against a
// distinct operator CA. A certificate the registry gives to an agency never is.
bool is_operator(const Services& services, const http::Request& request) {
    if (!request.client_cert_sha256) {
        return false;  // none, or it did not verify against the listener's CA
    }
    const std::string& sha = *request.client_cert_sha256;
    if (services.registry.get()->by_client_cert(sha) != nullptr) {
        return false;
    }
    const auto& tls = services.config.tls();
    if (!tls.operator_cert_sha256().empty()) {
        return std::any_of(
            tls.operator_cert_sha256().begin(), tls.operator_cert_sha256().end(),
            [&sha](const std::string& allowed) { return boost::beast::iequals(allowed, sha); });
    }
    return !tls.operator_ca().empty();
}

boost::asio::awaitable<std::string> overdue_json(Services& services, boost::json::array& out) {
    auto overdue = co_await services.envelopes.overdue_deliveries(services.clock.now(), 1000);
    if (!overdue) {
        co_return overdue.error().text();
    }
    for (const auto& delivery : *overdue) {
        out.push_back({{"delivery_id", delivery.delivery_id},
                       {"recipient", delivery.recipient_given},
                       {"state", delivery.state},
                       {"handling_deadline", delivery.handling_deadline
                                                 ? format_instant(*delivery.handling_deadline)
                                                 : std::string()}});
    }
    co_return std::string();
}

boost::asio::awaitable<http::Response> status_json(Services& services) {
    boost::json::object doc;
    doc["now"] = format_instant(services.clock.now());
    boost::json::array overdue;
    auto overdue_error = co_await overdue_json(services, overdue);
    auto depths = co_await services.inbox.depths();
    boost::json::object queue;
    if (depths) {
        for (const auto& [recipient, depth] : *depths) {
            queue[recipient] = depth;
        }
    }
    boost::json::array late;
    auto late_replies = co_await services.envelopes.late_replies(services.clock.now(), 1000);
    if (late_replies) {
        for (const auto& reply : *late_replies) {
            late.push_back({{"envelope_id", reply.envelope_id},
                            {"document_id", reply.document_id},
                            {"from", reply.from},
                            {"recipient", reply.recipient_given},
                            {"reply_deadline", format_instant(reply.reply_deadline)}});
        }
    }
    doc["status"] = overdue_error.empty() && depths && late_replies ? "ok" : "degraded";
    doc["late_reply_count"] = late.size();
    doc["late_replies"] = std::move(late);
    doc["overdue_count"] = overdue.size();
    doc["overdue"] = std::move(overdue);
    doc["queue_depths"] = std::move(queue);
    doc["organizations"] = services.registry.get()->organizations().size();
    co_return text(200, boost::json::serialize(doc), "application/json");
}

boost::asio::awaitable<http::Response> metrics(Services& services) {
    std::string extra =
        "# HELP lienthong_queue_depth Items not yet acknowledged, by recipient.\n"
        "# TYPE lienthong_queue_depth gauge\n";
    if (auto depths = co_await services.inbox.depths()) {
        for (const auto& [recipient, depth] : *depths) {
            extra += "lienthong_queue_depth{recipient=\"" + recipient + "\"} " +
                     std::to_string(depth) + "\n";
        }
    }
    // A count, not a list: a scrape costs the same with a million overdue deliveries.
    if (auto overdue = co_await services.envelopes.count_overdue(services.clock.now())) {
        extra +=
            "# HELP lienthong_overdue_deliveries Deliveries past their handling deadline (R-08).\n"
            "# TYPE lienthong_overdue_deliveries gauge\nlienthong_overdue_deliveries " +
            std::to_string(*overdue) + "\n";
    }
    co_return text(200, services.metrics.render(extra), "text/plain; version=0.0.4");
}

boost::asio::awaitable<http::Response> ready(Services& services) {
    if (auto store = co_await services.envelopes.count_overdue(services.clock.now()); !store) {
        co_return text(503, "store: " + store.error().text() + "\n");
    }
    if (auto queue = co_await services.inbox.depths(); !queue) {
        co_return text(503, "queue: " + queue.error().text() + "\n");
    }
    co_return text(200, "ready\n");
}

std::string operator_actor(const http::Request& request) {
    return "operator:" + request.client_cert_sha256.value_or("none").substr(0, 16);
}

// The audit row of one registry change: the store commits it with the change.
AuditRecord change_audit(const Services& services,
                         const http::Request& request,
                         const std::string& action,
                         const std::string& target) {
    return AuditRecord{
        services.clock.now(),           operator_actor(request), action, target, "OK",
        "request=" + request.request_id};
}

// Answers one registry change (already committed with its audit row, or refused) and
// reloads the snapshot so the next request sees it.
boost::asio::awaitable<http::Response> changed(Services& services,
                                               const http::Request& request,
                                               Result<void> result,
                                               const std::string& action,
                                               const std::string& target,
                                               const google::protobuf::Message* body) {
    if (!result) {
        co_return co_await reject(services.context, request, result.error(),
                                  operator_actor(request), action, target);
    }
    if (auto reloaded = co_await services.reload_registry(); !reloaded) {
        co_return http::error_response(reloaded.error(), request);
    }
    if (body != nullptr) {
        co_return http::message_response(200, *body, request);
    }
    co_return text(200, "{}", "application/json");
}

boost::asio::awaitable<http::Response> admin(Services& services, http::Request request) {
    const auto& path = request.path;
    if (path == "/admin/v1/orgs" && request.method == verb::get) {
        auto registry = co_await services.registry_store.load_registry();
        if (!registry) {
            co_return http::error_response(registry.error(), request);
        }
        co_return http::message_response(200, *registry, request);
    }
    if (path == "/admin/v1/orgs" && request.method == verb::post) {
        v1::OrgEntry entry;
        if (auto parsed = http::parse_message(request, entry); !parsed) {
            co_return http::error_response(parsed.error(), request);
        }
        v1::Registry one;
        *one.add_organizations() = entry;
        auto audit = change_audit(services, request, "registry.upsert", entry.code());
        auto result =
            co_await services.registry_store.import_registry(one, false, std::move(audit));
        co_return co_await changed(services, request, result, "registry.upsert", entry.code(),
                                   &entry);
    }
    if (path.rfind("/admin/v1/orgs/", 0) == 0 && request.method == verb::post) {
        const auto rest = path.substr(std::string_view("/admin/v1/orgs/").size());
        const auto slash = rest.find('/');
        const auto code = rest.substr(0, slash);
        const auto verb_name = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
        if (verb_name == "suspend" || verb_name == "activate") {
            const auto status = verb_name == "suspend" ? v1::SUSPENDED : v1::ACTIVE;
            auto audit = change_audit(services, request, "registry." + verb_name, code);
            auto result =
                co_await services.registry_store.set_org_status(code, status, std::move(audit));
            co_return co_await changed(services, request, result, "registry." + verb_name, code,
                                       nullptr);
        }
    }
    if ((path == "/admin/v1/certs" || path == "/admin/v1/certs/revoke") &&
        request.method == verb::post) {
        v1::CertChange change;
        if (auto parsed = http::parse_message(request, change); !parsed) {
            co_return http::error_response(parsed.error(), request);
        }
        const bool revoke = path.ends_with("/revoke");
        const bool signer = change.kind() == "signer";
        if (change.sha256().empty() ||
            (!signer && change.kind() != "client" && !change.kind().empty())) {
            co_return http::error_response(
                fail(errc::malformed, "sha256", "sha256 and kind client|signer"), request);
        }
        v1::SignerCert cert;
        cert.set_sha256(change.sha256());
        const std::string action = std::string("registry.") + (revoke ? "revoke_" : "add_") +
                                   (signer ? "signer" : "client");
        auto audit = change_audit(services, request, action, change.sha256().substr(0, 16));
        Result<void> result;
        if (revoke && signer) {
            auto r = co_await services.registry_store.revoke_signer(change.code(), cert,
                                                                    std::move(audit));
            result = r ? Result<void>{} : Result<void>(r.error());
        } else if (revoke) {
            auto r = co_await services.registry_store.revoke_client_cert(change.sha256(),
                                                                         std::move(audit));
            result = r ? Result<void>{} : Result<void>(r.error());
        } else if (signer) {
            result =
                co_await services.registry_store.add_signer(change.code(), cert, std::move(audit));
        } else {
            result = co_await services.registry_store.add_client_cert(
                change.code(), change.sha256(), std::move(audit));
        }
        co_return co_await changed(services, request, result,
                                   std::string("registry.") + (revoke ? "revoke_" : "add_") +
                                       (signer ? "signer" : "client"),
                                   change.sha256().substr(0, 16), nullptr);
    }
    co_return http::error_response(fail(errc::not_found, "", "no such endpoint"), request);
}

}  // namespace

boost::asio::awaitable<http::Response> operator_dispatch(Services& services,
                                                         http::Request request) {
    const auto& path = request.path;
    const bool open =
        services.config.tls().operator_open_health() && (path == "/healthz" || path == "/metrics");
    if (!open && !is_operator(services, request)) {
        co_return http::error_response(
            fail(errc::unauthenticated, "", "an operator certificate is required"), request);
    }
    if (path == "/healthz") {
        co_return text(200, "ok\n");
    }
    if (path == "/readyz") {
        co_return co_await ready(services);
    }
    if (path == "/metrics") {
        co_return co_await metrics(services);
    }
    if (path == "/status.json") {
        co_return co_await status_json(services);
    }
    if (path.rfind("/admin/v1/", 0) == 0) {
        co_return co_await admin(services, std::move(request));
    }
    co_return http::error_response(fail(errc::not_found, "", "no such endpoint"), request);
}

}  // namespace hub
