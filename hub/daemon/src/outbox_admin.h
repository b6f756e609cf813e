#pragma once
// The operator's view of what the hub owes carriers other than the embedded inbox: the national
// adapter (`/admin/v1/national`, `/admin/v1/national/sync`, `/admin/v1/national/outbox`) and
// the dead letters of every channel (`/admin/v1/dead-letters`, retry and discard).

#include "hub/http/server.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "services.h"

namespace hub {

/// The national adapter as /status.json and GET /admin/v1/national show it; answers an error
/// text when the ledger did not answer, empty otherwise.
boost::asio::awaitable<std::string> national_status_json(Services& services,
                                                         boost::json::object& out);

/// Answers the request when its path is one of this file's, nullopt otherwise. The caller
/// has checked that it comes from an operator.
boost::asio::awaitable<std::optional<http::Response>> outbox_admin(Services& services,
                                                                   const http::Request& request);

}  // namespace hub
