#include "hub/http/message.h"

#include "lienthong/v1/api.pb.h"

#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/json_util.h>

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include "header_text.h"

namespace hub::http {
using detail::lower;
using detail::trim;
namespace pb = google::protobuf;

namespace {

std::string unquote(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
        s = s.substr(1, s.size() - 2);
    }
    return std::string(s);
}

// A media type split into "type/subtype" and its parameters (names lower-cased).
struct MediaType {
    std::string type;
    std::vector<std::pair<std::string, std::string>> params;
};

MediaType parse_media_type(std::string_view text) {
    MediaType out;
    std::size_t semicolon = text.find(';');
    out.type = lower(trim(text.substr(0, semicolon)));
    while (semicolon != std::string_view::npos) {
        text.remove_prefix(semicolon + 1);
        semicolon = text.find(';');
        std::string_view param = trim(text.substr(0, semicolon));
        std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        out.params.emplace_back(lower(trim(param.substr(0, eq))),
                                unquote(trim(param.substr(eq + 1))));
    }
    return out;
}

// Splits a header list at commas (media ranges do not contain commas outside quotes here).
std::vector<std::string_view> split_list(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        if (!item.empty()) {
            out.push_back(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return out;
}

double quality(const MediaType& range) {
    for (const auto& [name, value] : range.params) {
        if (name == "q") {
            char* end = nullptr;
            double q = std::strtod(value.c_str(), &end);
            return end == value.c_str() ? 1.0 : q;
        }
    }
    return 1.0;
}

Result<void> unsupported(const std::string& content_type) {
    return fail(errc::unsupported_media_type, "",
                content_type.empty()
                    ? "no Content-Type; use application/x-protobuf or application/json"
                    : "Content-Type " + content_type +
                          " not accepted; use application/x-protobuf or application/json");
}

Result<void> parse_binary(const Request& request, pb::Message& out) {
    if (request.body_file.empty()) {
        if (!out.ParseFromString(request.body)) {
            return fail(errc::malformed, "body", "the body is not a valid " + out.GetTypeName());
        }
        return {};
    }
    int fd = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fail(errc::internal, "", "cannot open the stored body");
    }
    bool ok = false;
    {
        pb::io::FileInputStream input(fd);
        ok = out.ParseFromZeroCopyStream(&input);
    }
    ::close(fd);
    if (!ok) {
        return fail(errc::malformed, "body", "the body is not a valid " + out.GetTypeName());
    }
    return {};
}

Result<void> parse_json(const Request& request, pb::Message& out) {
    auto text = body_bytes(request);
    if (!text) {
        return text.error();
    }
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = pb::util::JsonStringToMessage(*text, &out, options);
    if (!status.ok()) {
        auto message = status.message();
        return fail(errc::malformed, "body", std::string(message.data(), message.size()));
    }
    return {};
}

}  // namespace

bool wants_protobuf(const Request& request) {
    // Highest q wins; on a tie the range listed first wins. Wildcards count for JSON.
    double best_proto = 0;
    double best_json = 0;
    int proto_rank = -1;
    int json_rank = -1;
    int rank = 0;
    for (std::string_view item : split_list(request.accept)) {
        MediaType range = parse_media_type(item);
        double q = quality(range);
        if (range.type == kProtobufType && q > best_proto) {
            best_proto = q;
            proto_rank = rank;
        } else if ((range.type == kJsonType || range.type == "application/*" ||
                    range.type == "*/*") &&
                   q > best_json) {
            best_json = q;
            json_rank = rank;
        }
        ++rank;
    }
    if (best_proto <= 0) {
        return false;
    }
    return best_proto > best_json || (best_proto == best_json && proto_rank < json_rank);
}

Result<std::string> body_bytes(const Request& request) {
    if (request.body_file.empty()) {
        return request.body;
    }
    std::ifstream in(request.body_file, std::ios::binary);
    if (!in) {
        return fail(errc::internal, "", "cannot open the stored body");
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<void> parse_message(const Request& request, pb::Message& out) {
    MediaType type = parse_media_type(request.content_type);
    if (type.type == kProtobufType) {
        return parse_binary(request, out);
    }
    if (type.type == kJsonType) {
        for (const auto& [name, value] : type.params) {
            // proto3 JSON is UTF-8; any other declared charset would be misread.
            if (name == "charset" && lower(value) != "utf-8" && lower(value) != "utf8") {
                return unsupported(request.content_type);
            }
        }
        return parse_json(request, out);
    }
    return unsupported(request.content_type);
}

Response message_response(unsigned status, const pb::Message& message, const Request& request) {
    Response response;
    response.status = status;
    if (wants_protobuf(request)) {
        if (!message.SerializeToString(&response.body)) {
            return error_response(fail(errc::internal, "", "cannot serialize the answer"), request);
        }
        response.content_type = std::string(kProtobufType);
        return response;
    }
    pb::util::JsonPrintOptions options;
    options.always_print_primitive_fields = false;
    options.preserve_proto_field_names = false;
    if (!pb::util::MessageToJsonString(message, &response.body, options).ok()) {
        return error_response(fail(errc::internal, "", "cannot print the answer"), request);
    }
    response.content_type = std::string(kJsonType);
    return response;
}

Response error_response(const Failure& failure, const Request& request) {
    lienthong::v1::Error error;
    error.set_code(std::string(code_name(failure.code)));
    error.set_message(failure.text());
    error.set_field(failure.field);
    Response response;
    response.status = static_cast<unsigned>(http_status(failure.code));
    response.error = failure.code;
    if (wants_protobuf(request)) {
        error.SerializeToString(&response.body);
        response.content_type = std::string(kProtobufType);
    } else {
        pb::util::JsonPrintOptions options;
        // An Error message is tiny and flat; printing it cannot fail.
        (void)pb::util::MessageToJsonString(error, &response.body, options);
        response.content_type = std::string(kJsonType);
    }
    if (failure.code == errc::rate_limited || failure.code == errc::unavailable ||
        failure.code == errc::maintenance) {
        response.headers.emplace_back("Retry-After",
                                      std::to_string(failure.retry_after_s.value_or(1)));
    }
    return response;
}

}  // namespace hub::http
