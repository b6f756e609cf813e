#pragma once
/// The national axis' VDXP wire profile, as the public SDK 2.0.1 speaks it
/// (../shared/notes/edxml-and-national-axis.md §5): `POST <endpoint>/<operation>`, parameters
/// in `XroadVnpt-*` headers, HMAC-SHA256 over the sign-header string keyed with the secret's
/// UTF-8 text, JSON answers with status/ErrorCode/ErrorDesc. The simulator
/// (tools/national-sim) checks requests with the functions declared here too.

#include "hub/core/result.h"
#include "hub/national/axis_wire.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::national {

/// The header prefix of every VDXP parameter.
inline constexpr std::string_view kVdxpPrefix = "XroadVnpt-";

/// Lowercase hex of HMAC-SHA256(key = `secret` as bytes, message = `text`): 64 characters.
std::string vdxp_hmac(std::string_view secret, std::string_view text);

/// SHA-256 of `package` in the SDK's `hash-file` form: each byte in lowercase hex without
/// zero padding (0x07 is "7"), so 64 characters or fewer.
std::string vdxp_hash_file(std::string_view package);

/// The SDK's timestamp form `ddMMyyyy'T'HHmmss'+'SSSS` (the last four digits are
/// milliseconds, not a zone) for `now` in Vietnam time.
std::string vdxp_timestamp();

/// Compact JSON `{"XroadVnpt-name":"value",...}` of `params` in the given order.
std::string vdxp_sign_header(const std::vector<std::pair<std::string, std::string>>& params);

/// Verifies a request's signature the way the axis must: HMAC over the received
/// `sign_header` string (never rebuilt), then every name of `sign_header_key` (";"-joined)
/// present in the JSON with the value `header(name)` has. `header` returns a request header's
/// value by its unprefixed parameter name, or nullptr when absent. Error: UNAUTHENTICATED.
template <class HeaderLookup>
Result<void> vdxp_verify(std::string_view secret,
                         std::string_view sign_header_key,
                         std::string_view sign_header,
                         std::string_view hash_header,
                         HeaderLookup header);

/// The parsed signed JSON, for vdxp_verify.
Result<std::vector<std::pair<std::string, std::string>>> vdxp_parse_sign_header(
    std::string_view sign_header);

/// One VDXP installation's credentials.
struct VdxpCredentials {
    std::string system_id;
    std::string secret;  ///< never logged
};

class VdxpWire final : public AxisWire {
public:
    explicit VdxpWire(VdxpCredentials credentials);

    WireRequest send_edoc(const std::string& package,
                          MessageType type,
                          const std::string& from) const override;
    WireRequest received_list(MessageType type) const override;
    WireRequest get_edoc(const std::string& doc_id) const override;
    WireRequest update_status(const std::string& doc_id, TransportStatus status) const override;
    WireRequest sent_list(const std::string& doc_id) const override;
    WireRequest agencies(const std::string& level) const override;
    std::string package_digest(const std::string& package) const override;

    Result<std::string> parse_send(const WireResponse& response) const override;
    Result<std::vector<ReceivedItem>> parse_received(const WireResponse& response) const override;
    Result<std::string> parse_edoc(const WireResponse& response) const override;
    Result<void> parse_update(const WireResponse& response) const override;
    Result<std::vector<SentItem>> parse_sent(const WireResponse& response) const override;
    Result<std::vector<Agency>> parse_agencies(const WireResponse& response) const override;

private:
    /// A signed POST of `operation` with `params` (unprefixed names) in headers.
    WireRequest signed_post(std::string operation,
                            std::vector<std::pair<std::string, std::string>> params,
                            std::string content_type,
                            std::string body) const;

    VdxpCredentials credentials_;
};

// ---- template definition ----

template <class HeaderLookup>
Result<void> vdxp_verify(std::string_view secret,
                         std::string_view sign_header_key,
                         std::string_view sign_header,
                         std::string_view hash_header,
                         HeaderLookup header) {
    if (sign_header.empty() || vdxp_hmac(secret, sign_header) != hash_header) {
        return fail(errc::unauthenticated, "hash-header", "signature does not match");
    }
    auto signed_params = vdxp_parse_sign_header(sign_header);
    if (!signed_params) {
        return signed_params.error();
    }
    std::string_view rest = sign_header_key;
    while (!rest.empty()) {
        auto cut = rest.find(';');
        std::string name(rest.substr(0, cut));
        rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
        if (name.empty()) {
            continue;
        }
        const std::string* value = header(name);
        bool found = false;
        for (const auto& [key, signed_value] : *signed_params) {
            if (key == std::string(kVdxpPrefix) + name) {
                found = value != nullptr && *value == signed_value;
                break;
            }
        }
        if (!found) {
            return fail(errc::unauthenticated, name, "header is not the signed value");
        }
    }
    return {};
}

}  // namespace hub::national
