// The operator listener: health, readiness, metrics, a minimal status document and the
// registry administration.

#include "hub/core/digest.h"
#include "hub/core/text.h"
#include "hub/http/message.h"
#include "hub/ops/exposition.h"
#include "hub/ops/process_figures.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "api_common.h"
#include "certificate_metrics.h"
#include "endpoints.h"
#include "metrics.h"
#include "national_wiring.h"
#include "outbox_admin.h"
#include "reports_api.h"

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
    boost::json::object national{{"enabled", false}};
    std::string national_error;
    if (services.national != nullptr) {
        national_error = co_await national_status_json(services, national);
    }
    doc["national"] = std::move(national);
    doc["status"] = overdue_error.empty() && depths && late_replies && national_error.empty()
                        ? "ok"
                        : "degraded";
    doc["late_reply_count"] = late.size();
    doc["late_replies"] = std::move(late);
    doc["overdue_count"] = overdue.size();
    doc["overdue"] = std::move(overdue);
    doc["queue_depths"] = std::move(queue);
    doc["organizations"] = services.registry.get()->organizations().size();
    co_return text(200, boost::json::serialize(doc), "application/json");
}

// Bytes of the ledger on disk: the database file and its write-ahead log.
std::optional<std::uint64_t> ledger_bytes(const std::string& path) {
    std::error_code ec;
    const auto main = std::filesystem::file_size(path, ec);
    if (ec) {
        return std::nullopt;
    }
    const auto wal = std::filesystem::file_size(path + "-wal", ec);
    return main + (ec ? 0 : wal);
}

// Above this many late replies the gauge says "at least": a scrape must cost the same
// however far behind the province is.
constexpr std::size_t kLateReplyCountCap = 10000;
constexpr std::size_t kDeadLetterCountCap = 1000;

boost::asio::awaitable<http::Response> metrics(Services& services) {
    ops::Exposition out;
    services.metrics.render(out);
    const Instant now = services.clock.now();
    out.family("lienthong_queue_depth", "gauge",
               "Items of an agency's embedded inbox not yet acknowledged, by recipient.");
    if (auto depths = co_await services.inbox.depths()) {
        for (const auto& [recipient, depth] : *depths) {
            out.sample("lienthong_queue_depth", {{"recipient", recipient}},
                       static_cast<double>(depth));
        }
    }
    out.family("lienthong_outbox_items", "gauge",
               "Outbox items (deliveries and status notices) not yet done, by channel.");
    for (const char* channel : {"inbox", "national"}) {
        if (auto open = co_await services.outbox.open_items(channel)) {
            std::int64_t total = 0;
            for (const auto& [recipient, n] : *open) {
                total += n;
            }
            out.sample("lienthong_outbox_items", {{"channel", channel}},
                       static_cast<double>(total));
        }
    }
    out.family(
        "lienthong_outbox_oldest_age_seconds", "gauge",
        "Age of the oldest outbox item not yet relayed (nor dead), by channel; 0 when none.");
    for (const char* channel : {"inbox", "national"}) {
        if (auto backlog = co_await services.outbox.relay_backlog(channel)) {
            const double age =
                backlog->oldest
                    ? std::max(0.0, std::chrono::duration<double>(now - *backlog->oldest).count())
                    : 0.0;
            out.sample("lienthong_outbox_oldest_age_seconds", {{"channel", channel}}, age);
        }
    }
    if (auto dead = co_await services.outbox.dead_letters("", kDeadLetterCountCap)) {
        out.single("lienthong_dead_letters", "gauge",
                   "Outbox items no carrier could deliver, waiting for an operator; at most 1000.",
                   static_cast<double>(dead->size()));
    }
    // A count, not a list: a scrape costs the same with a million overdue deliveries.
    if (auto overdue = co_await services.envelopes.count_overdue(now)) {
        out.single("lienthong_overdue_deliveries", "gauge",
                   "Deliveries past their handling deadline without a 02 or 03 (R-08).",
                   static_cast<double>(*overdue));
    }
    if (auto late = co_await services.envelopes.late_replies(now, kLateReplyCountCap)) {
        out.single("lienthong_late_replies", "gauge",
                   "Requested replies past their deadline without a reply (R-13); at most 10000.",
                   static_cast<double>(late->size()));
    }
    if (auto bytes = ledger_bytes(services.config.store().ledger())) {
        out.single("lienthong_ledger_bytes", "gauge",
                   "Size of the ledger on disk (database file and write-ahead log).",
                   static_cast<double>(*bytes));
    }
    if (auto head = co_await services.context.audits.audit_head()) {
        out.single("lienthong_audit_head_seq", "gauge",
                   "Sequence number of the audit chain's last row (R-22); it never goes down.",
                   static_cast<double>(head->seq));
    }
    out.single("lienthong_organizations", "gauge", "Organizations in the registry.",
               static_cast<double>(services.registry.get()->organizations().size()));
    out.single("lienthong_maintenance", "gauge",
               "1 while maintenance mode refuses agency requests, else 0.",
               services.maintenance.refusal() ? 1 : 0);
    render_certificate_expiry(out, services);
    ops::render_process(out, ops::read_process_figures());
    co_return text(200, out.text(), "text/plain; version=0.0.4; charset=utf-8");
}

// One state per part, as JSON ({"store": "up", "queue": "down"}): 200 when every part is up.
boost::asio::awaitable<http::Response> ready(Services& services) {
    const bool store =
        (co_await services.envelopes.count_overdue(services.clock.now())).has_value();
    const bool queue = services.inbox.reachable() && (co_await services.inbox.depths()).has_value();
    boost::json::object parts;
    parts["store"] = store ? "up" : "down";
    parts["queue"] = queue ? "up" : "down";
    bool national_ok = true;
    if (services.national != nullptr) {
        // An axis outage does not make the hub unready: agencies still post and receive, and
        // the outbox keeps what is owed to the axis. It is shown, for the operator and the
        // monitor; only a failure to read the adapter's state is.
        auto national = co_await services.national->health();
        national_ok = national.has_value();
        if (national) {
            boost::json::object n;
            n["reachable"] = national->reachable;
            n["breaker"] = national->breaker;
            n["outbox_depth"] = national->outbox_depth;
            if (national->oldest_age_s) {
                n["oldest_age_s"] = *national->oldest_age_s;
            }
            if (national->last_poll) {
                n["last_poll"] = format_instant(*national->last_poll);
            }
            parts["national"] = std::move(n);
        } else {
            parts["national"] = "down";
        }
    }
    co_return text(store && queue && national_ok ? 200 : 503, boost::json::serialize(parts) + "\n",
                   "application/json");
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

boost::json::object maintenance_json(const MaintenanceState& state) {
    return {{"on", state.on},
            {"notice", state.notice},
            {"retry_after_s", state.retry_after_s},
            {"changed_at",
             state.changed_at == Instant{} ? std::string() : format_instant(state.changed_at)},
            {"changed_by", state.changed_by}};
}

constexpr std::size_t kNoticeMaxBytes = 2000;
constexpr std::int64_t kDefaultRetryAfterS = 300;
constexpr std::int64_t kMaxRetryAfterS = 86400;

// {on, notice, retry_after_s}: strict, so a typo in a key is an error and not "off".
Result<MaintenanceState> parse_maintenance(const std::string& body) {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) {
        return fail(errc::malformed, "", "expected a JSON object {on, notice, retry_after_s}");
    }
    MaintenanceState state;
    state.retry_after_s = kDefaultRetryAfterS;
    bool has_on = false;
    for (const auto& [key, field] : value.as_object()) {
        if (key == "on" && field.is_bool()) {
            state.on = field.as_bool();
            has_on = true;
        } else if (key == "notice" && field.is_string()) {
            state.notice = std::string(field.as_string());
        } else if (key == "retry_after_s" && field.is_int64()) {
            state.retry_after_s = field.as_int64();
        } else {
            return fail(errc::malformed, std::string(key), "unknown key or wrong type");
        }
    }
    if (!has_on) {
        return fail(errc::malformed, "on", "on (true|false) is required");
    }
    if (!is_valid_utf8(state.notice)) {
        return fail(errc::invalid_text, "notice", "notice is not UTF-8");
    }
    state.notice = to_nfc(state.notice);
    if (state.on && state.notice.empty()) {
        return fail(errc::malformed, "notice",
                    "agencies are owed a notice: say why and until when");
    }
    if (state.notice.size() > kNoticeMaxBytes) {
        return fail(errc::malformed, "notice",
                    "notice is longer than " + std::to_string(kNoticeMaxBytes) + " bytes");
    }
    if (state.retry_after_s < 1 || state.retry_after_s > kMaxRetryAfterS) {
        return fail(errc::malformed, "retry_after_s",
                    "retry_after_s is 1.." + std::to_string(kMaxRetryAfterS));
    }
    return state;
}

boost::asio::awaitable<http::Response> maintenance(Services& services, http::Request request) {
    if (request.method == verb::get) {
        co_return text(200, boost::json::serialize(maintenance_json(services.maintenance.state())),
                       "application/json");
    }
    if (request.method != verb::put) {
        auto response = http::error_response(fail(errc::not_found, "", "GET or PUT"), request);
        response.status = 405;
        co_return response;
    }
    const std::string action = "maintenance.set";
    auto state = parse_maintenance(request.body);
    if (!state) {
        co_return co_await reject(services.context, request, state.error(), operator_actor(request),
                                  action, "hub");
    }
    state->changed_at = services.clock.now();
    state->changed_by = operator_actor(request);
    AuditRecord audit{state->changed_at,
                      state->changed_by,
                      action,
                      "hub",
                      "OK",
                      "request=" + request.request_id + " on=" + (state->on ? "1" : "0") +
                          " retry_after_s=" + std::to_string(state->retry_after_s) +
                          " notice_sha256=" + sha256_hex(state->notice).substr(0, 16)};
    // Durable first: the Gate changes its answers only once a restart would keep them.
    if (auto stored = co_await services.operator_store.set_maintenance(*state, std::move(audit));
        !stored) {
        co_return http::error_response(stored.error(), request);
    }
    services.maintenance.set(*state);
    services.log.info("maintenance", std::string("on=") + (state->on ? "1" : "0") +
                                         " by=" + log_value(state->changed_by));
    co_return text(200, boost::json::serialize(maintenance_json(*state)), "application/json");
}

boost::asio::awaitable<http::Response> admin(Services& services, http::Request request) {
    const auto& path = request.path;
    if (path == "/admin/v1/maintenance") {
        co_return co_await maintenance(services, std::move(request));
    }
    if (auto answered = co_await outbox_admin(services, request)) {
        co_return std::move(*answered);
    }
    if (path == "/admin/v1/reports" && services.reports != nullptr) {
        co_return co_await get_report(*services.reports, services.clock, std::move(request));
    }
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

boost::asio::awaitable<http::Response> operator_route(Services& services, http::Request request) {
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

}  // namespace

boost::asio::awaitable<http::Response> operator_dispatch(Services& services,
                                                         http::Request request) {
    const auto started = std::chrono::steady_clock::now();
    auto response = co_await operator_route(services, std::move(request));
    services.metrics.observe(kOperatorRoute, response.error,
                             std::chrono::steady_clock::now() - started);
    co_return response;
}

}  // namespace hub
