#include "outbox_admin.h"

#include "hub/core/text.h"
#include "hub/core/time.h"
#include "hub/http/message.h"

#include <boost/json.hpp>

#include "api_common.h"
#include "national_wiring.h"

namespace hub {
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kDeadLetterPage = 1000;
constexpr std::size_t kReasonMaxBytes = 1000;
const std::string kDeadLetters = "/admin/v1/dead-letters";

http::Response json_answer(unsigned status, const json::value& body) {
    return http::Response{status, "application/json", json::serialize(body), {}, {}};
}

json::value optional_time(const std::optional<Instant>& at) {
    return at ? json::value(format_instant(*at)) : json::value(nullptr);
}

json::object dead_letter_json(const DeadLetter& dead) {
    return {{"item_id", dead.item.item_id},
            {"kind", dead.item.kind},
            {"channel", dead.channel},
            {"recipient", dead.item.recipient},
            {"attempts", dead.item.attempt},
            {"created_at", format_instant(dead.item.created_at)},
            {"dead_at", format_instant(dead.dead_at)},
            {"last_error", dead.last_error}};
}

// The list of one channel ("" for all), oldest first, at most a page.
boost::asio::awaitable<Result<json::array>> dead_letter_list(Services& services,
                                                             std::string channel) {
    auto dead = co_await services.outbox.dead_letters(std::move(channel), kDeadLetterPage);
    if (!dead) {
        co_return dead.error();
    }
    json::array out;
    for (const auto& letter : *dead) {
        out.push_back(dead_letter_json(letter));
    }
    co_return out;
}

Failure not_enabled() {
    return Failure{errc::not_found, "national", "the national adapter is not enabled"};
}

boost::asio::awaitable<http::Response> national_outbox(Services& services,
                                                       const http::Request& request) {
    std::string national = "national";
    auto backlog = co_await services.outbox.relay_backlog(std::move(national));
    if (!backlog) {
        co_return http::error_response(backlog.error(), request);
    }
    std::string channel = "national";
    auto dead = co_await dead_letter_list(services, std::move(channel));
    if (!dead) {
        co_return http::error_response(dead.error(), request);
    }
    json::object out{{"depth", backlog->count},
                     {"oldest_created_at", optional_time(backlog->oldest)},
                     {"dead_letters", std::move(*dead)}};
    co_return json_answer(200, out);
}

boost::asio::awaitable<http::Response> national_sync(Services& services,
                                                     const http::Request& request) {
    auto synced = co_await services.national->sync_directory(operator_actor(request));
    if (!synced) {
        co_return http::error_response(synced.error(), request);
    }
    co_return json_answer(200, json::object{{"entries", synced->entries},
                                            {"skipped", synced->skipped},
                                            {"synced_at", format_instant(synced->synced_at)}});
}

Result<std::string> discard_reason(const std::string& body) {
    std::error_code ec;
    auto value = json::parse(body, ec);
    const json::object* object = ec ? nullptr : value.if_object();
    const json::value* reason = object != nullptr ? object->if_contains("reason") : nullptr;
    if (reason == nullptr || !reason->is_string() || reason->as_string().empty()) {
        return fail(errc::malformed, "reason", "a dead letter is discarded with a reason");
    }
    const std::string text(reason->as_string());
    if (!is_valid_utf8(text) || text.size() > kReasonMaxBytes) {
        return fail(errc::malformed, "reason",
                    "reason is UTF-8 of at most " + std::to_string(kReasonMaxBytes) + " bytes");
    }
    return to_nfc(text);
}

// POST /admin/v1/dead-letters/{id}/retry and .../discard.
boost::asio::awaitable<std::optional<http::Response>> dead_letter_action(
    Services& services, const http::Request& request) {
    const std::string rest = request.path.substr(kDeadLetters.size() + 1);
    const auto slash = rest.find('/');
    if (slash == std::string::npos || request.method != verb::post) {
        co_return std::nullopt;
    }
    const std::string id = rest.substr(0, slash);
    const std::string action = rest.substr(slash + 1);
    if (action != "retry" && action != "discard") {
        co_return std::nullopt;
    }
    const std::string audit_action = "outbox." + action;
    std::string reason;
    if (action == "discard") {
        auto parsed = discard_reason(request.body);
        if (!parsed) {
            co_return co_await reject(services.context, request, parsed.error(),
                                      operator_actor(request), audit_action, id);
        }
        reason = std::move(*parsed);
    }
    const Instant now = services.clock.now();
    AuditRecord audit{now,  operator_actor(request),        audit_action, id,
                      "OK", "request=" + request.request_id};
    Result<void> done;
    if (action == "retry") {
        done = co_await services.outbox.retry_dead_letter(id, now, std::move(audit));
    } else {
        done = co_await services.outbox.discard_dead_letter(id, reason, now, std::move(audit));
    }
    if (!done) {
        co_return http::error_response(done.error(), request);
    }
    co_return json_answer(200, json::object{{"item_id", id}, {"done", action}});
}

}  // namespace

boost::asio::awaitable<std::string> national_status_json(Services& services, json::object& out) {
    auto health = co_await services.national->health();
    if (!health) {
        co_return health.error().text();
    }
    out["enabled"] = true;
    out["reachable"] = health->reachable;
    out["breaker"] = health->breaker;
    out["outbox_depth"] = health->outbox_depth;
    out["oldest_age_s"] =
        health->oldest_age_s ? json::value(*health->oldest_age_s) : json::value(nullptr);
    out["last_poll"] = health->last_poll ? format_instant(*health->last_poll) : std::string();
    out["relayed"] = health->relay.relayed;
    out["failed_attempts"] = health->relay.failed_attempts;
    out["dead_letters"] = health->relay.dead;
    out["received"] = health->inbound.taken;
    out["refused"] = health->inbound.refused;
    out["last_error"] =
        health->relay.last_error.empty() ? health->inbound.last_error : health->relay.last_error;
    out["signs_packages"] = health->signs_packages;
    out["directory"] = json::object{{"entries", health->directory.entries},
                                    {"synced_at", optional_time(health->directory.synced_at)},
                                    {"last_error", health->directory.last_error}};
    co_return std::string();
}

boost::asio::awaitable<std::optional<http::Response>> outbox_admin(Services& services,
                                                                   const http::Request& request) {
    const std::string& path = request.path;
    if (path == kDeadLetters && request.method == verb::get) {
        // Locals, not temporaries, in co_await arguments: GCC 12 frees such temporaries twice.
        const auto named = request.query.find("channel");
        std::string channel = named == request.query.end() ? std::string() : named->second;
        auto list = co_await dead_letter_list(services, std::move(channel));
        if (!list) {
            co_return http::error_response(list.error(), request);
        }
        co_return json_answer(200, json::object{{"dead_letters", std::move(*list)}});
    }
    if (path.starts_with(kDeadLetters + "/")) {
        co_return co_await dead_letter_action(services, request);
    }
    if (!path.starts_with("/admin/v1/national")) {
        co_return std::nullopt;
    }
    if (services.national == nullptr) {
        co_return http::error_response(not_enabled(), request);
    }
    if (path == "/admin/v1/national" && request.method == verb::get) {
        json::object out;
        if (auto error = co_await national_status_json(services, out); !error.empty()) {
            co_return http::error_response(Failure{errc::unavailable, "", error}, request);
        }
        co_return json_answer(200, out);
    }
    if (path == "/admin/v1/national/sync" && request.method == verb::post) {
        co_return co_await national_sync(services, request);
    }
    if (path == "/admin/v1/national/outbox" && request.method == verb::get) {
        co_return co_await national_outbox(services, request);
    }
    co_return std::nullopt;
}

}  // namespace hub
