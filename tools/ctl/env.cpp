#include "env.h"

#include "hub/core/org_code.h"

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <iostream>

#include "args.h"
#include "files.h"

namespace ctl {
namespace fs = std::filesystem;

namespace {

std::uint16_t port_of(const boost::json::value& doc, const char* listener) {
    if (const auto* object = doc.if_object()) {
        if (const auto* l = object->if_contains(listener); l && l->is_object()) {
            if (const auto* port = l->as_object().if_contains("port")) {
                return static_cast<std::uint16_t>(port->to_number<std::int64_t>());
            }
        }
        if (const auto* port = object->if_contains(std::string(listener) + "_port")) {
            return static_cast<std::uint16_t>(port->to_number<std::int64_t>());
        }
    }
    return 0;
}

}  // namespace

DevEnv::DevEnv(std::string dir) : dir_(std::move(dir)) {
    const auto config_path = dir_ + "/lienthongd.json";
    if (!fs::exists(config_path)) {
        throw UsageError("--env " + dir_ + ": no lienthongd.json (make one with dev-env)");
    }
    const auto config = boost::json::parse(read_file(config_path));
    agency_port_ = port_of(config, "agency");
    operator_port_ = port_of(config, "operator");
    // Port 0 in the config: the daemon picked ports and wrote them down.
    const auto ports_path = dir_ + "/run/ports.json";
    if (fs::exists(ports_path)) {
        const auto ports = boost::json::parse(read_file(ports_path));
        if (auto p = port_of(ports, "agency")) {
            agency_port_ = p;
        }
        if (auto p = port_of(ports, "operator")) {
            operator_port_ = p;
        }
    }
}

std::string DevEnv::agency_dir(const std::string& code) const {
    const auto wanted = hub::canonical_org_code(code);
    if (wanted.empty()) {
        throw UsageError("--as " + code + ": not an organization code");
    }
    const fs::path agencies = fs::path(dir_) / "agencies";
    if (fs::is_directory(agencies)) {
        for (const auto& entry : fs::directory_iterator(agencies)) {
            if (hub::canonical_org_code(entry.path().filename().string()) == wanted) {
                return entry.path().string();
            }
        }
    }
    throw UsageError("--as " + code + ": no such agency in " + agencies.string());
}

hub::http::ClientOptions DevEnv::agency_client(const std::string& code) const {
    const auto dir = agency_dir(code);
    hub::http::ClientOptions options;
    options.port = agency_port_;
    options.ca_file = dir_ + "/ca/root.crt";
    options.cert_file = dir + "/client.crt";
    options.key_file = dir + "/client.key";
    return options;
}

hub::http::ClientOptions DevEnv::operator_client() const {
    hub::http::ClientOptions options;
    options.port = operator_port_;
    options.ca_file = dir_ + "/ca/root.crt";
    options.cert_file = dir_ + "/operator/client.crt";
    options.key_file = dir_ + "/operator/client.key";
    return options;
}

hub::http::ClientOptions operator_options(const Args& args) {
    if (auto dir = args.get("env")) {
        return DevEnv(*dir).operator_client();
    }
    const auto url = args.get("operator");
    if (!url) {
        throw UsageError(
            "say which hub: --env DIR, or --operator https://HOST:PORT --cert C "
            "--key K --ca CA");
    }
    constexpr std::string_view kScheme = "https://";
    std::string rest = url->rfind(kScheme, 0) == 0 ? url->substr(kScheme.size()) : std::string();
    while (!rest.empty() && rest.back() == '/') {
        rest.pop_back();
    }
    const auto colon = rest.rfind(':');
    if (rest.empty() || colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
        rest.find('/') != std::string::npos) {
        throw UsageError("--operator: expected https://HOST:PORT");
    }
    hub::http::ClientOptions options;
    options.host = rest.substr(0, colon);
    try {
        const auto port = std::stoul(rest.substr(colon + 1));
        if (port == 0 || port > 65535) {
            throw UsageError("--operator: bad port");
        }
        options.port = static_cast<std::uint16_t>(port);
    } catch (const std::logic_error&) {
        throw UsageError("--operator: bad port");
    }
    options.cert_file = args.require("cert");
    options.key_file = args.require("key");
    options.ca_file = args.require("ca");
    return options;
}

hub::http::ClientResponse call(hub::http::Client& client,
                               boost::beast::http::verb method,
                               const std::string& target,
                               const std::string& body,
                               const std::string& content_type,
                               const std::string& accept) {
    auto response = client.request(method, target, body, content_type, accept);
    if (!response) {
        throw std::runtime_error(target + ": " + response.error().text());
    }
    return std::move(*response);
}

int report_error(unsigned status, const lienthong::v1::Error& error) {
    std::cerr << status << " " << error.code() << (error.field().empty() ? "" : " " + error.field())
              << ": " << error.message() << "\n";
    return status / 100 == 4 ? 2 : 1;
}

int finish(const hub::http::ClientResponse& response,
           bool json,
           const std::function<void(const std::string&)>& on_success) {
    if (response.status / 100 == 2) {
        on_success(response.body);
        return 0;
    }
    lienthong::v1::Error error;
    if (google::protobuf::util::JsonStringToMessage(response.body, &error).ok() &&
        !error.code().empty()) {
        if (!json) {
            return report_error(response.status, error);
        }
        std::cout << response.body << "\n";
    } else {
        std::cerr << "HTTP " << response.status << ": " << response.body << "\n";
    }
    return response.status / 100 == 4 ? 2 : 1;
}

int ack(hub::http::Client& client, const lienthong::v1::AckRequest& taken, bool json) {
    auto answer = call(client, boost::beast::http::verb::post, "/v1/inbox/ack",
                       taken.SerializeAsString(), "application/x-protobuf");
    return finish(answer, json, [](const std::string&) {});
}

}  // namespace ctl
