#pragma once
// The agency and operator endpoints (api.md), one function per route.

#include "hub/http/server.h"

#include <boost/asio/awaitable.hpp>

#include "services.h"

namespace hub {

/// POST /v1/envelopes: check, store durably, route, answer with the signed receipt.
boost::asio::awaitable<http::Response> post_envelope(Services& services, http::Request request);
/// GET /v1/inbox?max=N&wait=S
boost::asio::awaitable<http::Response> get_inbox(Services& services, http::Request request);
/// POST /v1/inbox/{delivery_id}/ack
boost::asio::awaitable<http::Response> ack_inbox(Services& services,
                                                 http::Request request,
                                                 std::string delivery_id);
/// GET /v1/attachments/{delivery_id}/{content_id}: one attachment, streamed, for the
/// delivery's recipient only (Range supported).
boost::asio::awaitable<http::Response> get_attachment(Services& services,
                                                      http::Request request,
                                                      std::string delivery_id,
                                                      std::string content_id);
/// POST /v1/status
boost::asio::awaitable<http::Response> post_status(Services& services, http::Request request);
/// GET /v1/envelopes/{envelope_id}
boost::asio::awaitable<http::Response> get_trace(Services& services,
                                                 http::Request request,
                                                 std::string envelope_id);

/// Routes one agency-listener request to its endpoint (404 / 405 otherwise).
boost::asio::awaitable<http::Response> agency_dispatch(Services& services, http::Request request);
/// Routes one operator-listener request.
boost::asio::awaitable<http::Response> operator_dispatch(Services& services, http::Request request);

}  // namespace hub
