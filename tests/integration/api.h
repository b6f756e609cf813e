#pragma once
// Talking to the daemon under test the way api.md describes: envelopes in protobuf or JSON,
// answers as protobuf's canonical JSON (Accept: application/json).

#include "hub/http/client.h"
#include "lienthong/v1/api.pb.h"
#include "lienthong/v1/envelope.pb.h"

#include <string>

namespace it {

inline constexpr const char* kProtobuf = "application/x-protobuf";
inline constexpr const char* kJson = "application/json";

/// One request; a transport failure (connect, TLS, timeout) throws std::runtime_error with
/// its text, which Catch reports as the test's failure.
hub::http::ClientResponse send(hub::http::Client& client,
                               boost::beast::http::verb method,
                               const std::string& target,
                               const std::string& body = {},
                               const std::string& content_type = {});
inline hub::http::ClientResponse get(hub::http::Client& client, const std::string& target) {
    return send(client, boost::beast::http::verb::get, target);
}

/// POST /v1/envelopes with the binary protobuf body.
hub::http::ClientResponse post(hub::http::Client& client,
                               const lienthong::v1::SignedEnvelope& envelope);
/// POST /v1/envelopes with the canonical proto3 JSON body.
hub::http::ClientResponse post_json(hub::http::Client& client,
                                    const lienthong::v1::SignedEnvelope& envelope);
/// POST /v1/envelopes with any body and content type.
hub::http::ClientResponse post_raw(hub::http::Client& client,
                                   const std::string& body,
                                   const std::string& content_type);

/// Strict parses of JSON answers (unknown fields refused: the contract names them all).
/// Throw std::runtime_error with the body when it does not parse.
lienthong::v1::Receipt parse_receipt(const std::string& json);
lienthong::v1::Error parse_error(const std::string& json);

/// Canonical proto3 JSON of a message.
std::string to_json(const google::protobuf::Message& message);

}  // namespace it
