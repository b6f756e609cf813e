#include "messages.h"

#include "lienthong/v1/api.pb.h"

#include <google/protobuf/util/json_util.h>

namespace bench {

bool decode(const Response& response, google::protobuf::Message& message) {
    if (response.content_type.find("json") != std::string::npos) {
        google::protobuf::util::JsonParseOptions options;
        options.ignore_unknown_fields = true;  // a newer hub may add fields
        return google::protobuf::util::JsonStringToMessage(response.body, &message, options).ok();
    }
    return message.ParseFromString(response.body);
}

std::string describe_failure(const Response& response) {
    std::string out = "HTTP " + std::to_string(response.status);
    lienthong::v1::Error error;
    if (!response.body.empty() && decode(response, error) && !error.code().empty()) {
        out += " " + error.code();
        if (!error.field().empty()) {
            out += " (" + error.field() + ")";
        }
        return out + ": " + printable(error.message());
    }
    return out + (response.body.empty() ? "" : ": " + printable(response.body));
}

}  // namespace bench
