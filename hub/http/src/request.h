#pragma once
// Internal: turning a parsed HTTP header into the Request handlers see.

#include "hub/core/result.h"
#include "hub/http/server.h"

#include <boost/beast/http/message.hpp>

#include <string>

namespace hub::http {

// 16 lower-case hex characters from the OpenSSL RNG.
std::string new_request_id();

// Fills method, path, query, content_type, accept and headers from `header`.
// Errors: MALFORMED (field "target") for a target that is not origin-form ("/path?query").
Result<void> fill_request(const boost::beast::http::request_header<>& header, Request& out);

}  // namespace hub::http
