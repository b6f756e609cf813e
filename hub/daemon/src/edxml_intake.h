#pragma once
// POST /v1/edxml and what it depends on: the intake and status paths it shares with
// POST /v1/envelopes and POST /v1/status.

#include "hub/http/server.h"
#include "hub/national/edxml.h"

#include <boost/asio/awaitable.hpp>

#include "api_common.h"
#include "endpoint_deps.h"

namespace hub {

struct EdxmlDeps {
    IntakeDeps& intake;
    StatusDeps& status;
};

/// POST /v1/edxml (Content-Type application/xml): an edXML envelope package (202 + Receipt,
/// 200 + the first Receipt for the same bytes again) or status package (as POST /v1/status).
/// Errors as POST /v1/envelopes, plus MALFORMED from the hostile-XML guard and the decoder
/// (field = the element path, message = the refusal word), MALFORMED "Signature" for an unsigned
/// package its sender may not post. Runs on the listener's executor; XML work on the blocking
/// pool.
boost::asio::awaitable<http::Response> post_edxml(EdxmlDeps& deps, http::Request request);

/// The checks and accept path of POST /v1/edxml for a package from `caller`, who is already
/// authenticated (by its certificate, or as a system's unit on the provincial API), answered
/// as protobuf/JSON per the request's Accept; `kind` says which kind of package it was.
/// `request` must outlive the call.
boost::asio::awaitable<http::Response> accept_edxml(EdxmlDeps& deps,
                                                    const http::Request& request,
                                                    const Caller& caller,
                                                    std::string package,
                                                    national::PackageKind& kind);

}  // namespace hub
