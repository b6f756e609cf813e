#include "hub/core/errc.h"

#include "hub/core/result.h"

#include <array>
#include <ostream>

namespace hub {
namespace {

struct CodeInfo {
    errc code;
    std::string_view name;
    int status;
    std::string_view message;
};

constexpr std::array kCodes{
    CodeInfo{errc::malformed, "MALFORMED", 400,
             "the body does not parse or a required field is missing"},
    CodeInfo{errc::unauthenticated, "UNAUTHENTICATED", 401,
             "no client certificate, or one the registry does not know"},
    CodeInfo{errc::forbidden_sender, "FORBIDDEN_SENDER", 403,
             "the caller may not act for this organization"},
    CodeInfo{errc::not_found, "NOT_FOUND", 404, "no such envelope or delivery"},
    CodeInfo{errc::duplicate_conflict, "DUPLICATE_CONFLICT", 409,
             "this envelope id was used before with different content"},
    CodeInfo{errc::payload_too_large, "PAYLOAD_TOO_LARGE", 413,
             "the body is larger than the configured limit"},
    CodeInfo{errc::unsupported_media_type, "UNSUPPORTED_MEDIA_TYPE", 415,
             "content type not accepted; use application/x-protobuf or application/json"},
    CodeInfo{errc::invalid_org_code, "INVALID_ORG_CODE", 422, "not an organization code"},
    CodeInfo{errc::invalid_document_id, "INVALID_DOCUMENT_ID", 422,
             "the document id is malformed or disagrees with the header"},
    CodeInfo{errc::unknown_recipient, "UNKNOWN_RECIPIENT", 422,
             "the recipient is neither registered locally nor routable nationally"},
    CodeInfo{errc::invalid_text, "INVALID_TEXT", 422, "text is not valid UTF-8"},
    CodeInfo{errc::invalid_time, "INVALID_TIME", 422, "not an ISO 8601 time with an offset"},
    CodeInfo{errc::attachment_type, "ATTACHMENT_TYPE", 422,
             "attachment type not allowed or not matching its content"},
    CodeInfo{errc::attachment_digest, "ATTACHMENT_DIGEST", 422,
             "attachment content does not match the header"},
    CodeInfo{errc::signature_invalid, "SIGNATURE_INVALID", 422,
             "the signature does not verify over the header"},
    CodeInfo{errc::certificate_untrusted, "CERTIFICATE_UNTRUSTED", 422,
             "the signer certificate is not trusted or not valid now"},
    CodeInfo{errc::certificate_revoked, "CERTIFICATE_REVOKED", 422,
             "the signer certificate is revoked"},
    CodeInfo{errc::signer_mismatch, "SIGNER_MISMATCH", 422,
             "the signer certificate does not belong to the sender"},
    CodeInfo{errc::signature_policy, "SIGNATURE_POLICY", 422,
             "the signature's algorithm or key size is not allowed"},
    CodeInfo{errc::secret_not_allowed, "SECRET_NOT_ALLOWED", 422,
             "state-secret documents may not travel through the hub"},
    CodeInfo{errc::reply_target_unknown, "REPLY_TARGET_UNKNOWN", 422,
             "in_reply_to names a document this hub does not know"},
    CodeInfo{errc::reason_required, "REASON_REQUIRED", 422, "a rejection needs a reason"},
    CodeInfo{errc::invalid_status, "INVALID_STATUS", 422, "status code unknown or not allowed now"},
    CodeInfo{errc::rate_limited, "RATE_LIMITED", 429, "too many requests; retry later"},
    CodeInfo{errc::unavailable, "UNAVAILABLE", 503,
             "the hub cannot take this now; nothing was stored"},
    CodeInfo{errc::maintenance, "MAINTENANCE", 503, "the hub is in maintenance"},
    CodeInfo{errc::internal, "INTERNAL", 500, "internal error"},
};

const CodeInfo& info(errc code) noexcept {
    for (const auto& entry : kCodes) {
        if (entry.code == code) {
            return entry;
        }
    }
    return kCodes.back();
}

class HubCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "lienthong"; }
    std::string message(int value) const override {
        return std::string(code_name(static_cast<errc>(value)));
    }
};

}  // namespace

std::string_view code_name(errc code) noexcept { return info(code).name; }

bool code_from_name(std::string_view name, errc& out) noexcept {
    for (const auto& entry : kCodes) {
        if (entry.name == name) {
            out = entry.code;
            return true;
        }
    }
    return false;
}

int http_status(errc code) noexcept { return info(code).status; }

std::string_view default_message(errc code) noexcept { return info(code).message; }

const std::error_category& hub_category() noexcept {
    static const HubCategory category;
    return category;
}

std::string Failure::text() const {
    return message.empty() ? std::string(default_message(code)) : message;
}

std::ostream& operator<<(std::ostream& out, const Failure& failure) {
    out << code_name(failure.code);
    if (!failure.field.empty()) {
        out << ' ' << failure.field;
    }
    return out << ": " << failure.text();
}

FailureException::FailureException(Failure f)
    : std::runtime_error(std::string(code_name(f.code)) + ": " + f.text()),
      failure_(std::move(f)) {}

void throw_exception_from_error(const Failure& f, const boost::source_location&) {
    throw FailureException(f);
}

}  // namespace hub
