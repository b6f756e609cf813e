#pragma once
/// Content negotiation for the API (../shared/spec/api.md "Content types", "Errors"): request
/// bodies are application/x-protobuf or canonical proto3 JSON, responses follow Accept
/// (default JSON), errors are lienthong.v1.Error.

#include "hub/core/result.h"
#include "hub/http/server.h"

#include <google/protobuf/message.h>

#include <string_view>

namespace hub::http {

inline constexpr std::string_view kProtobufType = "application/x-protobuf";
inline constexpr std::string_view kJsonType = "application/json";

/// True when Accept prefers application/x-protobuf over application/json; JSON otherwise
/// (also when Accept is absent or names neither).
bool wants_protobuf(const Request& request);

/// The whole body in memory (request.body, or the spilled request.body_file), for forms whose
/// parsers need it all; the listener has bounded it (limits.max_body_bytes). Error: INTERNAL
/// when a spilled body file cannot be read.
Result<std::string> body_bytes(const Request& request);

/// Parses the body (request.body, or request.body_file for spilled bodies) into `out`
/// according to Content-Type. application/x-protobuf: binary; application/json (a utf-8
/// charset parameter allowed): canonical proto3 JSON, unknown fields rejected.
/// Errors: MALFORMED (field "body", the parser's message), UNSUPPORTED_MEDIA_TYPE for any
/// other or a missing content type, INTERNAL when a spilled body file cannot be read.
Result<void> parse_message(const Request& request, google::protobuf::Message& out);

/// `message` in the representation the request asks for (JSON: lowerCamelCase names,
/// default values omitted). A message that cannot be printed becomes 500 INTERNAL.
Response message_response(unsigned status,
                          const google::protobuf::Message& message,
                          const Request& request);

/// The Error body for `failure`, its HTTP status (hub::http_status), and Retry-After
/// (failure.retry_after_s, else 1) for RATE_LIMITED, UNAVAILABLE and MAINTENANCE.
Response error_response(const Failure& failure, const Request& request);

}  // namespace hub::http
