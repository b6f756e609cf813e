#pragma once
/// Stable error codes of the API (../shared/spec/api.md): one enum, its HTTP status, its
/// wire name and a default message. Every rejection the hub makes is exactly one of these.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace hub {

enum class errc {
    malformed = 1,
    unauthenticated,
    forbidden_sender,
    not_found,
    duplicate_conflict,
    payload_too_large,
    unsupported_media_type,
    invalid_org_code,
    invalid_document_id,
    unknown_recipient,
    invalid_text,
    invalid_time,
    attachment_type,
    attachment_digest,
    signature_invalid,
    certificate_untrusted,
    certificate_revoked,
    signer_mismatch,
    signature_policy,  // issue 13: an algorithm or key size the signature policy refuses
    secret_not_allowed,
    reply_target_unknown,
    reason_required,
    invalid_status,
    rate_limited,
    unavailable,
    maintenance,
    internal,  // a bug or an unexpected failure: 500, never a client's fault
};

/// Wire name, e.g. "SIGNATURE_INVALID".
std::string_view code_name(errc code) noexcept;
/// Inverse of code_name; false when the name is unknown.
bool code_from_name(std::string_view name, errc& out) noexcept;
/// HTTP status the API answers this code with.
int http_status(errc code) noexcept;
/// English text used when the failure carries no message of its own.
std::string_view default_message(errc code) noexcept;

/// std::error_code integration, so errc can travel through Asio/Beast error paths.
const std::error_category& hub_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), hub_category()};
}

/// A rejected request: the code, the offending field (proto field path such as
/// "header.to[1]"; empty when none) and a human message.
struct Failure {
    errc code = errc::internal;
    std::string field;
    std::string message;
    /// Seconds the client should wait before trying again (Retry-After), for the codes that
    /// carry one (RATE_LIMITED, UNAVAILABLE, MAINTENANCE); unset: 1.
    std::optional<unsigned> retry_after_s = std::nullopt;

    /// message, or the code's default message when empty.
    std::string text() const;
};

/// "CODE field: text", for logs and test failure messages.
std::ostream& operator<<(std::ostream& out, const Failure& failure);

inline Failure fail(errc code, std::string field = {}, std::string message = {}) {
    return Failure{code, std::move(field), std::move(message)};
}

}  // namespace hub

template <>
struct std::is_error_code_enum<hub::errc> : std::true_type {};
