#include "api.h"

#include <google/protobuf/util/json_util.h>

#include <stdexcept>

namespace it {
namespace {

template <class Message>
Message parse(const std::string& json, const char* what) {
    Message message;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(json, &message, options);
    if (!status.ok()) {
        throw std::runtime_error(std::string("body is not a ") + what + " (" +
                                 std::string(status.message()) + "): " + json);
    }
    return message;
}

}  // namespace

hub::http::ClientResponse send(hub::http::Client& client,
                               boost::beast::http::verb method,
                               const std::string& target,
                               const std::string& body,
                               const std::string& content_type) {
    auto response = client.request(method, target, body, content_type, kJson);
    if (!response) {
        throw std::runtime_error(std::string(boost::beast::http::to_string(method)) + " " + target +
                                 ": " + response.error().text());
    }
    return std::move(*response);
}

hub::http::ClientResponse post(hub::http::Client& client,
                               const lienthong::v1::SignedEnvelope& envelope) {
    return post_raw(client, envelope.SerializeAsString(), kProtobuf);
}

hub::http::ClientResponse post_json(hub::http::Client& client,
                                    const lienthong::v1::SignedEnvelope& envelope) {
    return post_raw(client, to_json(envelope), kJson);
}

hub::http::ClientResponse post_raw(hub::http::Client& client,
                                   const std::string& body,
                                   const std::string& content_type) {
    return send(client, boost::beast::http::verb::post, "/v1/envelopes", body, content_type);
}

lienthong::v1::Receipt parse_receipt(const std::string& json) {
    return parse<lienthong::v1::Receipt>(json, "Receipt");
}

lienthong::v1::Error parse_error(const std::string& json) {
    return parse<lienthong::v1::Error>(json, "Error");
}

std::string to_json(const google::protobuf::Message& message) {
    std::string out;
    auto status = google::protobuf::util::MessageToJsonString(message, &out);
    if (!status.ok()) {
        throw std::runtime_error("to_json: " + std::string(status.message()));
    }
    return out;
}

}  // namespace it
