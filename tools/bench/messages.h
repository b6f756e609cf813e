#pragma once
// Reading the hub's answers in either body format.

#include <google/protobuf/message.h>

#include <string>

#include "https.h"

namespace bench {

/// Parses a response body into `message` by its Content-Type (JSON when it says json,
/// binary protobuf otherwise). False when it does not parse.
bool decode(const Response& response, google::protobuf::Message& message);

/// "HTTP 422 SIGNATURE_INVALID (header): message" from an Error body, or the status and
/// the start of the raw body when it is not one.
std::string describe_failure(const Response& response);

}  // namespace bench
