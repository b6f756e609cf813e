#pragma once
// The agency and operator endpoints (api.md), one function per route. Each agency endpoint
// takes only what it depends on (endpoint_deps.h).

#include "hub/http/server.h"

#include <boost/asio/awaitable.hpp>

#include "services.h"

namespace hub {

/// POST /v1/envelopes: check, store durably, route, answer with the signed receipt.
boost::asio::awaitable<http::Response> post_envelope(IntakeDeps& deps, http::Request request);
/// GET /v1/inbox?max=N&wait=S
boost::asio::awaitable<http::Response> get_inbox(InboxDeps& deps, http::Request request);
/// POST /v1/inbox/{delivery_id}/ack
boost::asio::awaitable<http::Response> ack_inbox(InboxDeps& deps,
                                                 http::Request request,
                                                 std::string delivery_id);
/// POST /v1/inbox/ack: an AckRequest's items, in one transaction.
boost::asio::awaitable<http::Response> ack_inbox_batch(InboxDeps& deps, http::Request request);
/// GET /v1/attachments/{delivery_id}/{content_id}: one attachment, streamed, for the
/// delivery's recipient only (Range supported).
boost::asio::awaitable<http::Response> get_attachment(InboxDeps& deps,
                                                      http::Request request,
                                                      std::string delivery_id,
                                                      std::string content_id);
/// POST /v1/status
boost::asio::awaitable<http::Response> post_status(StatusDeps& deps, http::Request request);
/// GET /v1/envelopes/{envelope_id}
boost::asio::awaitable<http::Response> get_trace(TraceDeps& deps,
                                                 http::Request request,
                                                 std::string envelope_id);

/// Routes one agency-listener request to its endpoint (404 / 405 otherwise).
boost::asio::awaitable<http::Response> agency_dispatch(AgencyEndpoints& endpoints,
                                                       http::Request request);
/// Routes one operator-listener request.
boost::asio::awaitable<http::Response> operator_dispatch(Services& services, http::Request request);

}  // namespace hub
