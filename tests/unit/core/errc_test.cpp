#include "hub/core/errc.h"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

namespace {

// api.md "Errors": the table every client codes against.
const std::map<std::string, int> kApiTable = {
    {"MALFORMED", 400},
    {"UNAUTHENTICATED", 401},
    {"FORBIDDEN_SENDER", 403},
    {"NOT_FOUND", 404},
    {"DUPLICATE_CONFLICT", 409},
    {"PAYLOAD_TOO_LARGE", 413},
    {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"INVALID_ORG_CODE", 422},
    {"INVALID_DOCUMENT_ID", 422},
    {"UNKNOWN_RECIPIENT", 422},
    {"INVALID_TEXT", 422},
    {"INVALID_TIME", 422},
    {"ATTACHMENT_TYPE", 422},
    {"ATTACHMENT_DIGEST", 422},
    {"SIGNATURE_INVALID", 422},
    {"CERTIFICATE_UNTRUSTED", 422},
    {"CERTIFICATE_REVOKED", 422},
    {"SIGNER_MISMATCH", 422},
    {"SIGNATURE_POLICY", 422},
    {"SECRET_NOT_ALLOWED", 422},
    {"REPLY_TARGET_UNKNOWN", 422},
    {"REASON_REQUIRED", 422},
    {"INVALID_STATUS", 422},
    {"RATE_LIMITED", 429},
    {"UNAVAILABLE", 503},
    {"MAINTENANCE", 503},
    {"INTERNAL", 500},
};

constexpr int kFirst = static_cast<int>(hub::errc::malformed);
constexpr int kLast = static_cast<int>(hub::errc::internal);

}  // namespace

TEST_CASE("every errc has a distinct wire name that round-trips", "[errc]") {
    std::set<std::string> names;
    for (int i = kFirst; i <= kLast; ++i) {
        const auto code = static_cast<hub::errc>(i);
        const std::string name(hub::code_name(code));
        INFO("errc value " << i << " name " << name);
        REQUIRE_FALSE(name.empty());
        CHECK(names.insert(name).second);
        hub::errc back{};
        REQUIRE(hub::code_from_name(name, back));
        CHECK(back == code);
        CHECK_FALSE(hub::default_message(code).empty());
    }
    CHECK(names.size() == kApiTable.size());
}

TEST_CASE("every errc answers with the HTTP status of api.md", "[errc]") {
    for (int i = kFirst; i <= kLast; ++i) {
        const auto code = static_cast<hub::errc>(i);
        const std::string name(hub::code_name(code));
        INFO(name);
        const auto row = kApiTable.find(name);
        REQUIRE(row != kApiTable.end());
        CHECK(hub::http_status(code) == row->second);
    }
}

TEST_CASE("unknown wire names are refused", "[errc]") {
    hub::errc out = hub::errc::internal;
    CHECK_FALSE(hub::code_from_name("", out));
    CHECK_FALSE(hub::code_from_name("malformed", out));  // wire names are upper case
    CHECK_FALSE(hub::code_from_name("NO_SUCH_CODE", out));
    CHECK(out == hub::errc::internal);
}

TEST_CASE("errc travels as a std::error_code", "[errc]") {
    const std::error_code ec = hub::errc::signature_invalid;
    CHECK(ec.category() == hub::hub_category());
    CHECK(ec.message() == "SIGNATURE_INVALID");
    CHECK(ec == hub::make_error_code(hub::errc::signature_invalid));
}

TEST_CASE("a failure without a message falls back to the default text", "[errc]") {
    const hub::Failure bare = hub::fail(hub::errc::invalid_time, "header.created_at");
    CHECK(bare.text() == hub::default_message(hub::errc::invalid_time));
    const hub::Failure told = hub::fail(hub::errc::invalid_time, "header.created_at", "no offset");
    CHECK(told.text() == "no offset");
    CHECK(told.field == "header.created_at");
}
