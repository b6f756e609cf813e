// Every detail of the VDXP wire lives here (notes §5). The SDK ignores HTTP statuses and
// judges an answer by its JSON alone, so do we: a well-formed answer with ErrorCode "0" is
// success whatever the status line says, and no well-formed answer means "try again later".

#include "hub/national/axis_wire_vdxp.h"

#include "hub/national/edxml.h"

#include <boost/json.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>

namespace hub::national {
namespace json = boost::json;

namespace {

constexpr std::string_view kVersion = "3.0.201608";
constexpr std::string_view kUserAgent = "JAVASDKAgent/1.0.0 XRoad/VPCP";
// The SDK's own refusal of a signature is not documented; the simulator answers this code
// (and HTTP 401), and either is read as "our credentials were refused".
constexpr std::string_view kUnauthenticatedCode = "401";

std::string prefixed(std::string_view name) { return std::string(kVdxpPrefix) + std::string(name); }

// A scalar JSON value as text (the axis sends ids as numbers or strings); "" otherwise.
std::string text_of(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) {
        return {};
    }
    if (v->is_string()) {
        return std::string(v->as_string());
    }
    if (v->is_int64()) {
        return std::to_string(v->as_int64());
    }
    if (v->is_uint64()) {
        return std::to_string(v->as_uint64());
    }
    if (v->is_bool()) {
        return v->as_bool() ? "true" : "false";
    }
    return {};
}

// The answer's JSON object once its status/ErrorCode/ErrorDesc say success.
Result<json::object> answer_object(const WireResponse& response) {
    boost::system::error_code ec;
    json::value parsed = json::parse(response.body, ec);
    if (ec || !parsed.is_object()) {
        return fail(errc::unavailable, "",
                    "axis answered HTTP " + std::to_string(response.status) + " without JSON");
    }
    json::object& o = parsed.as_object();
    const json::value* code = o.if_contains("ErrorCode");
    const json::value* status = o.if_contains("status");
    if (code == nullptr || status == nullptr || !code->is_string() || !status->is_string()) {
        return fail(errc::unavailable, "",
                    "axis answered HTTP " + std::to_string(response.status) +
                        " without status and ErrorCode");
    }
    std::string error_code(code->as_string());
    if (error_code != "0") {
        std::string desc = text_of(o, "ErrorDesc");
        std::string message = "axis ErrorCode " + error_code + ": " + desc;
        if (error_code == kUnauthenticatedCode || response.status == 401) {
            return fail(errc::unauthenticated, "", message);
        }
        if (response.status >= 500) {
            return fail(errc::unavailable, "", message);
        }
        return fail(errc::malformed, "", message);
    }
    return std::move(o);
}

Result<const json::array*> data_array(const json::object& o) {
    const json::value* data = o.if_contains("data");
    if (data == nullptr || data->is_null()) {
        static const json::array kEmpty;
        return &kEmpty;
    }
    if (!data->is_array()) {
        return fail(errc::unavailable, "data", "axis answer's data is not a list");
    }
    return &data->as_array();
}

}  // namespace

std::string_view message_type_name(MessageType type) noexcept {
    return type == MessageType::edoc ? "edoc" : "status";
}

std::string_view transport_status_name(TransportStatus status) noexcept {
    switch (status) {
        case TransportStatus::processing:
            return "processing";
        case TransportStatus::done:
            return "done";
        case TransportStatus::fail:
            return "fail";
    }
    return "fail";
}

std::string vdxp_hmac(std::string_view secret, std::string_view text) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[mac[i] >> 4]);
        out.push_back(kHex[mac[i] & 0x0f]);
    }
    return out;
}

std::string vdxp_hash_file(std::string_view package) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(package.data()), package.size(), digest);
    // The SDK writes Integer.toHexString(b & 0xff) per byte: no zero padding.
    std::string out;
    char buf[3];
    for (unsigned char b : digest) {
        std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(b));
        out += buf;
    }
    return out;
}

std::string vdxp_timestamp() {
    using namespace std::chrono;
    auto now = time_point_cast<milliseconds>(system_clock::now()) + hours(7);
    auto day = floor<days>(now);
    year_month_day ymd{day};
    hh_mm_ss hms{now - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02u%02u%04dT%02d%02d%02d+%04d",
                  static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                  static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
}

std::string vdxp_sign_header(const std::vector<std::pair<std::string, std::string>>& params) {
    // Built by hand to keep the caller's order (json::object would too, but this says so).
    std::string out = "{";
    for (const auto& [name, value] : params) {
        if (out.size() > 1) {
            out += ',';
        }
        out += json::serialize(json::string(prefixed(name)));
        out += ':';
        out += json::serialize(json::string(value));
    }
    out += '}';
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> vdxp_parse_sign_header(
    std::string_view sign_header) {
    boost::system::error_code ec;
    json::value parsed = json::parse(sign_header, ec);
    if (ec || !parsed.is_object()) {
        return fail(errc::unauthenticated, "sign-header", "not a JSON object");
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, value] : parsed.as_object()) {
        if (!value.is_string()) {
            return fail(errc::unauthenticated, "sign-header", "a signed value is not a string");
        }
        out.emplace_back(std::string(key), std::string(value.as_string()));
    }
    return out;
}

VdxpWire::VdxpWire(VdxpCredentials credentials) : credentials_(std::move(credentials)) {}

WireRequest VdxpWire::signed_post(std::string operation,
                                  std::vector<std::pair<std::string, std::string>> params,
                                  std::string content_type,
                                  std::string body) const {
    std::vector<std::pair<std::string, std::string>> signed_params;
    signed_params.emplace_back("systemid", credentials_.system_id);
    signed_params.emplace_back("timestamp", vdxp_timestamp());
    for (auto& p : params) {
        signed_params.push_back(std::move(p));
    }
    std::string key;
    for (const auto& [name, value] : signed_params) {
        key += key.empty() ? "" : ";";
        key += name;
    }
    std::string sign_header = vdxp_sign_header(signed_params);

    WireRequest req;
    req.path = "/" + operation;
    for (const auto& [name, value] : signed_params) {
        req.headers.emplace_back(prefixed(name), value);
    }
    req.headers.emplace_back(prefixed("Content-Type"), content_type);
    req.headers.emplace_back(prefixed("sign-header-key"), key);
    req.headers.emplace_back(prefixed("hash-header"), vdxp_hmac(credentials_.secret, sign_header));
    req.headers.emplace_back(prefixed("sign-header"), std::move(sign_header));
    req.headers.emplace_back(prefixed("version"), std::string(kVersion));
    req.headers.emplace_back("User-Agent", std::string(kUserAgent));
    req.content_type = std::move(content_type);
    req.body = std::move(body);
    return req;
}

WireRequest VdxpWire::send_edoc(const std::string& package,
                                MessageType type,
                                const std::string& from) const {
    // The SDK sends the package followed by CRLF and hashes it without.
    return signed_post("sendEdoc",
                       {{"servicetype", "eDoc"},
                        {"messagetype", std::string(message_type_name(type))},
                        {"from", from},
                        {"hash-file", vdxp_hash_file(package)}},
                       "application/octet-stream", package + "\r\n");
}

WireRequest VdxpWire::received_list(MessageType type) const {
    return signed_post(
        "getReceivedEdocList",
        {{"servicetype", "eDoc"}, {"messagetype", std::string(message_type_name(type))}},
        "application/json", "{}");
}

WireRequest VdxpWire::get_edoc(const std::string& doc_id) const {
    return signed_post("getEdoc", {{"docId", doc_id}, {"filePath", "."}}, "application/json", "{}");
}

WireRequest VdxpWire::update_status(const std::string& doc_id, TransportStatus status) const {
    return signed_post("updateStatus",
                       {{"status", std::string(transport_status_name(status))}, {"docId", doc_id}},
                       "application/json", "{}");
}

WireRequest VdxpWire::sent_list(const std::string& doc_id) const {
    return signed_post("getSentEdocList", {{"docId", doc_id}}, "application/json", "{}");
}

WireRequest VdxpWire::agencies(const std::string& level) const {
    return signed_post("getAgenciesListQD20", {{"level", level}}, "application/json", "{}");
}

std::string VdxpWire::package_digest(const std::string& package) const {
    return vdxp_hash_file(package);
}

Result<std::string> VdxpWire::parse_send(const WireResponse& response) const {
    auto o = answer_object(response);
    if (!o) {
        return o.error();
    }
    std::string doc_id = text_of(*o, "DocId");
    if (doc_id.empty()) {
        return fail(errc::unavailable, "DocId", "axis accepted the package without a DocId");
    }
    return doc_id;
}

Result<std::vector<ReceivedItem>> VdxpWire::parse_received(const WireResponse& response) const {
    auto o = answer_object(response);
    if (!o) {
        return o.error();
    }
    auto data = data_array(*o);
    if (!data) {
        return data.error();
    }
    std::vector<ReceivedItem> out;
    for (const auto& v : **data) {
        if (!v.is_object()) {
            continue;
        }
        const auto& e = v.as_object();
        ReceivedItem item{text_of(e, "docId"),  text_of(e, "messageType"),
                          text_of(e, "from"),   text_of(e, "to"),
                          text_of(e, "status"), text_of(e, "created_time")};
        if (!item.doc_id.empty()) {
            out.push_back(std::move(item));
        }
    }
    return out;
}

Result<std::string> VdxpWire::parse_edoc(const WireResponse& response) const {
    auto o = answer_object(response);
    if (!o) {
        return o.error();
    }
    std::string encoded = text_of(*o, "data");
    auto decoded = base64_decode(encoded);
    if (!decoded) {
        return fail(errc::unavailable, "data", "axis answered a package that is not base64");
    }
    return std::move(*decoded);
}

Result<void> VdxpWire::parse_update(const WireResponse& response) const {
    auto o = answer_object(response);
    if (!o) {
        return o.error();
    }
    return {};
}

Result<std::vector<SentItem>> VdxpWire::parse_sent(const WireResponse& response) const {
    auto o = answer_object(response);
    if (!o) {
        return o.error();
    }
    auto data = data_array(*o);
    if (!data) {
        return data.error();
    }
    std::vector<SentItem> out;
    for (const auto& v : **data) {
        if (!v.is_object()) {
            continue;
        }
        const auto& e = v.as_object();
        out.push_back(SentItem{text_of(e, "senderDocId"), text_of(e, "messageType"),
                               text_of(e, "fromCode"), text_of(e, "toCode"),
                               text_of(e, "sendStatus"), text_of(e, "receiveStatus"),
                               text_of(e, "hashFile")});
    }
    return out;
}

Result<std::vector<Agency>> VdxpWire::parse_agencies(const WireResponse& response) const {
    auto o = answer_object(response);
    if (!o) {
        return o.error();
    }
    auto data = data_array(*o);
    if (!data) {
        return data.error();
    }
    std::vector<Agency> out;
    for (const auto& v : **data) {
        if (!v.is_object()) {
            continue;
        }
        const auto& e = v.as_object();
        out.push_back(Agency{text_of(e, "id"), text_of(e, "code"), text_of(e, "code102"),
                             text_of(e, "name"), text_of(e, "mail")});
    }
    return out;
}

}  // namespace hub::national
