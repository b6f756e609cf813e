// multipart/form-data as upload clients send it, and what is refused.

#include "hub/http/multipart.h"

#include <catch2/catch.hpp>

using hub::http::find_part;
using hub::http::parse_form_data;

namespace {

const std::string kType = "multipart/form-data; boundary=XyZ";

std::string form(const std::string& package) {
    return "preamble to ignore\r\n--XyZ\r\n"
           "Content-Disposition: form-data; name=\"edocFile\"; filename=\"a;b.edxml\"\r\n"
           "Content-Type: application/xml\r\n\r\n" +
           package +
           "\r\n--XyZ\r\n"
           "content-disposition: form-data; name=messageType\r\n\r\n"
           "edoc\r\n--XyZ--\r\nepilogue";
}

}  // namespace

TEST_CASE("multipart: parts, their names, file names, types and exact bytes", "[multipart]") {
    // The boundary's text inside a part is content unless it starts a line.
    const std::string package = "<edXML>--XyZ\r\n-XyZ is content</edXML>\r\n";
    const std::string body = form(package);
    auto parts = parse_form_data(kType, body);
    REQUIRE(parts.has_value());
    REQUIRE(parts->size() == 2);
    const auto* file = find_part(*parts, "edocFile");
    REQUIRE(file != nullptr);
    CHECK(file->filename == "a;b.edxml");
    CHECK(file->content_type == "application/xml");
    CHECK(file->body == package);
    const auto* type = find_part(*parts, "messageType");
    REQUIRE(type != nullptr);
    CHECK(type->body == "edoc");
    CHECK(find_part(*parts, "missing") == nullptr);
    // A quoted boundary and an upper-case type are the same form.
    CHECK(parse_form_data("Multipart/Form-Data; boundary=\"XyZ\"", body).has_value());
}

TEST_CASE("multipart: bodies that do not follow the form are MALFORMED, other types refused",
          "[multipart]") {
    CHECK(parse_form_data("application/xml", "x").error().code ==
          hub::errc::unsupported_media_type);
    CHECK(parse_form_data("multipart/form-data", "x").error().code ==
          hub::errc::unsupported_media_type);
    CHECK(parse_form_data("multipart/form-data; boundary=" + std::string(71, 'b'), "x")
              .error()
              .code == hub::errc::unsupported_media_type);
    const std::string body = form("<x/>");
    for (std::size_t cut : {10ul, 40ul, 120ul, body.find("edoc\r\n") + 2}) {
        INFO("cut at " << cut);
        auto parsed = parse_form_data(kType, body.substr(0, cut));
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().code == hub::errc::malformed);
        CHECK(parsed.error().field == "multipart");
    }
    CHECK_FALSE(parse_form_data(kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--")
                    .has_value());
    CHECK_FALSE(parse_form_data(kType,
                                "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\n"
                                "x\r\n--XyZ--")
                    .has_value());
    CHECK_FALSE(parse_form_data(kType, "--XyZjunk\r\n").has_value());
    std::string many;
    for (int i = 0; i < 3; ++i) {
        many += "--XyZ\r\nContent-Disposition: form-data; name=p\r\n\r\nv\r\n";
    }
    many += "--XyZ--";
    CHECK(parse_form_data(kType, many, 3).has_value());
    CHECK_FALSE(parse_form_data(kType, many, 2).has_value());
}
