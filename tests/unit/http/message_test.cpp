// Content negotiation helpers: parsing request bodies, printing answers and errors.

#include "hub/http/message.h"

#include "lienthong/v1/api.pb.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "unit/http/outcome.h"
#include "unit/http/test_pki.h"

namespace hub::http::test {
namespace {

Request with_body(std::string content_type, std::string body) {
    Request request;
    request.content_type = std::move(content_type);
    request.body = std::move(body);
    return request;
}

lienthong::v1::StatusUpdate sample_update() {
    lienthong::v1::StatusUpdate update;
    update.set_document_id("000.00.01.H01,2026/11/25,12/QD-UBND");
    update.set_to("000.00.01.H02");
    update.set_code("02");
    update.set_description("thiếu chữ ký");
    return update;
}

TEST_CASE("parse_message reads canonical JSON", "[http][message]") {
    std::string type = GENERATE("application/json", "application/json; charset=utf-8",
                                "Application/JSON;charset=\"UTF-8\"");
    lienthong::v1::StatusUpdate out;
    auto parsed = parse_message(
        with_body(type, R"({"documentId":"d-1","to":"000.00.01.H02","code":"01"})"), out);
    REQUIRE(outcome(parsed) == "ok");
    CHECK(out.document_id() == "d-1");
    CHECK(out.to() == "000.00.01.H02");
    CHECK(out.code() == "01");
}

TEST_CASE("parse_message reads binary protobuf, from memory and from a spilled file",
          "[http][message]") {
    std::string bytes = sample_update().SerializeAsString();
    lienthong::v1::StatusUpdate from_memory;
    REQUIRE(outcome(parse_message(with_body("application/x-protobuf", bytes), from_memory)) ==
            "ok");
    CHECK(from_memory.description() == "thiếu chữ ký");

    auto path = std::filesystem::path(TestPki::get().dir) / "spilled-body";
    std::ofstream(path, std::ios::binary) << bytes;
    Request spilled = with_body("application/x-protobuf", "");
    spilled.body_file = path.string();
    lienthong::v1::StatusUpdate from_file;
    REQUIRE(outcome(parse_message(spilled, from_file)) == "ok");
    CHECK(from_file.SerializeAsString() == bytes);
}

TEST_CASE("parse_message reads JSON from a spilled file", "[http][message]") {
    auto path = std::filesystem::path(TestPki::get().dir) / "spilled-json";
    std::ofstream(path, std::ios::binary) << R"({"documentId":"d-2"})";
    Request spilled = with_body("application/json", "");
    spilled.body_file = path.string();
    lienthong::v1::StatusUpdate out;
    REQUIRE(outcome(parse_message(spilled, out)) == "ok");
    CHECK(out.document_id() == "d-2");
}

TEST_CASE("parse_message refuses other or missing content types with 415", "[http][message]") {
    std::string type = GENERATE("", "text/plain", "application/xml", "application/json-seq",
                                "application/json; charset=latin1");
    lienthong::v1::StatusUpdate out;
    auto parsed = parse_message(with_body(type, "{}"), out);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == errc::unsupported_media_type);
    CHECK(http_status(parsed.error().code) == 415);
}

TEST_CASE("parse_message answers MALFORMED for bad JSON and unknown fields", "[http][message]") {
    std::string body = GENERATE(R"({"documentId": )", R"({"documentId":"d","colour":"red"})",
                                R"({"document_id":1})", "[]");
    lienthong::v1::StatusUpdate out;
    auto parsed = parse_message(with_body("application/json", body), out);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == errc::malformed);
    CHECK(parsed.error().field == "body");
    CHECK_FALSE(parsed.error().message.empty());
    CHECK(http_status(parsed.error().code) == 400);
}

TEST_CASE("parse_message names the unknown JSON field", "[http][message]") {
    lienthong::v1::StatusUpdate out;
    auto parsed = parse_message(with_body("application/json", R"({"colour":"red"})"), out);
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error().message, Catch::Contains("colour"));
}

TEST_CASE("parse_message answers MALFORMED for bytes that are not protobuf", "[http][message]") {
    lienthong::v1::StatusUpdate out;
    auto parsed = parse_message(with_body("application/x-protobuf", "\xff\xff\xff\xff"), out);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == errc::malformed);
    CHECK(parsed.error().field == "body");
}

TEST_CASE("wants_protobuf follows Accept, JSON by default", "[http][message]") {
    auto accepts = [](std::string accept) {
        Request request;
        request.accept = std::move(accept);
        return wants_protobuf(request);
    };
    CHECK_FALSE(accepts(""));
    CHECK_FALSE(accepts("*/*"));
    CHECK_FALSE(accepts("application/json"));
    CHECK(accepts("application/x-protobuf"));
    CHECK(accepts("application/x-protobuf, application/json"));
    CHECK_FALSE(accepts("application/json, application/x-protobuf"));
    CHECK(accepts("application/json;q=0.5, application/x-protobuf"));
    CHECK_FALSE(accepts("application/x-protobuf;q=0"));
    CHECK_FALSE(accepts("text/html"));
}

TEST_CASE("message_response prints lowerCamelCase JSON or binary per Accept", "[http][message]") {
    auto update = sample_update();
    Request json_request;
    auto json = message_response(202, update, json_request);
    CHECK(json.status == 202);
    CHECK(json.content_type == "application/json");
    CHECK_THAT(json.body,
               Catch::Contains("\"documentId\":\"000.00.01.H01,2026/11/25,12/QD-UBND\""));
    CHECK_THAT(json.body, !Catch::Contains("envelopeId"));  // defaults are omitted

    Request binary_request;
    binary_request.accept = "application/x-protobuf";
    auto binary = message_response(200, update, binary_request);
    CHECK(binary.content_type == "application/x-protobuf");
    lienthong::v1::StatusUpdate back;
    REQUIRE(back.ParseFromString(binary.body));
    CHECK(back.SerializeAsString() == update.SerializeAsString());
}

TEST_CASE("error_response carries code, message, field and status", "[http][message]") {
    Request request;
    auto response = error_response(fail(errc::signature_invalid, "signature", "bad CMS"), request);
    CHECK(response.status == 422);
    CHECK(response.content_type == "application/json");
    lienthong::v1::Error error;
    REQUIRE(outcome(parse_message(with_body("application/json", response.body), error)) == "ok");
    CHECK(error.code() == "SIGNATURE_INVALID");
    CHECK(error.message() == "bad CMS");
    CHECK(error.field() == "signature");
    CHECK(response.headers.empty());

    request.accept = "application/x-protobuf";
    auto binary = error_response(fail(errc::not_found), request);
    CHECK(binary.status == 404);
    lienthong::v1::Error parsed;
    REQUIRE(parsed.ParseFromString(binary.body));
    CHECK(parsed.code() == "NOT_FOUND");
    CHECK(parsed.message() == std::string(default_message(errc::not_found)));
    CHECK(parsed.field().empty());
}

TEST_CASE("error_response sets Retry-After for rate limits, unavailability and maintenance",
          "[http][message]") {
    errc code = GENERATE(errc::rate_limited, errc::unavailable, errc::maintenance);
    auto response = error_response(fail(code), Request{});
    CHECK(response.status == static_cast<unsigned>(http_status(code)));
    REQUIRE(response.headers.size() == 1);
    CHECK(response.headers[0].first == "Retry-After");
    CHECK(response.headers[0].second == "1");
}

}  // namespace
}  // namespace hub::http::test
