#include "api_common.h"

#include "hub/http/message.h"

namespace hub {

Result<Caller> authenticate(const CallerContext& context, const http::Request& request) {
    if (!request.client_cert_sha256) {
        return fail(errc::unauthenticated, "", "a client certificate is required");
    }
    Caller caller{context.registry.get(), nullptr};
    caller.org = caller.registry->by_client_cert(*request.client_cert_sha256);
    if (caller.org == nullptr) {
        return fail(errc::unauthenticated, "", "this client certificate is not registered");
    }
    if (!caller.org->active) {
        return fail(errc::forbidden_sender, "",
                    "organization " + caller.org->code + " is suspended");
    }
    return caller;
}

boost::asio::awaitable<void> audit(CallerContext& context,
                                   std::string actor,
                                   std::string action,
                                   std::string target,
                                   std::string outcome,
                                   std::string detail) {
    AuditRecord record{context.clock.now(), std::move(actor),   std::move(action),
                       std::move(target),   std::move(outcome), std::move(detail)};
    auto written = co_await context.audits.append_audit(std::move(record));
    if (!written) {
        context.log.error("audit_failed", "error=" + log_value(written.error().text()));
    }
}

boost::asio::awaitable<http::Response> reject(CallerContext& context,
                                              const http::Request& request,
                                              const Failure& failure,
                                              std::string actor,
                                              std::string action,
                                              std::string target) {
    std::string detail = "request=" + request.request_id;
    if (!failure.field.empty()) {
        detail += " field=" + log_value(failure.field);
    }
    context.log.info("rejected", "action=" + action + " actor=" + log_value(actor) + " code=" +
                                     std::string(code_name(failure.code)) + " " + detail);
    co_await audit(context, std::move(actor), std::move(action), std::move(target),
                   std::string(code_name(failure.code)), std::move(detail));
    co_return http::error_response(failure, request);
}

std::string notice_channel_for(const Registry& registry, std::string_view to) {
    const OrgInfo* org = registry.find(to);
    const bool local = org != nullptr && org->route == lienthong::v1::LOCAL;
    return local ? "inbox" : "national";
}

}  // namespace hub
