#pragma once
// Pieces every agency endpoint uses: who is calling, and answering a failure (audited).

#include "hub/http/server.h"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

#include "endpoint_deps.h"

namespace hub {

/// The authenticated caller of one request, with the registry snapshot it was checked
/// against (used for the whole request).
struct Caller {
    std::shared_ptr<const Registry> registry;
    const OrgInfo* org = nullptr;
};

/// Maps the TLS client certificate to its organization. Errors: UNAUTHENTICATED (no
/// certificate, or one the registry does not know or has revoked), FORBIDDEN_SENDER (the
/// organization is suspended).
Result<Caller> authenticate(const CallerContext& context, const http::Request& request);

/// Audits the rejection (actor, action, target, code) and returns the error response.
boost::asio::awaitable<http::Response> reject(CallerContext& context,
                                              const http::Request& request,
                                              const Failure& failure,
                                              std::string actor,
                                              std::string action,
                                              std::string target);

/// The outbox channel of a status notice for `to`: "national" when `to` is not one of this
/// province's organizations (its statuses cross the national axis), else "inbox". One rule
/// for the 01 an ack records and for the statuses POST /v1/status records.
std::string notice_channel_for(const Registry& registry, std::string_view to);

/// Appends one audit row; a failure to audit is logged, never turned into the answer.
boost::asio::awaitable<void> audit(CallerContext& context,
                                   std::string actor,
                                   std::string action,
                                   std::string target,
                                   std::string outcome,
                                   std::string detail);

}  // namespace hub
