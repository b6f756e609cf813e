// The VDXP wire details, checked against values computed independently of our code (RFC 4231,
// Python's hashlib) and against the SDK's observed forms (notes §5).

#include "hub/national/axis_wire_vdxp.h"

#include <catch2/catch.hpp>

#include <map>
#include <regex>

using namespace hub::national;

namespace {

std::map<std::string, std::string> headers_of(const WireRequest& req) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : req.headers) {
        out[k] = v;
    }
    return out;
}

}  // namespace

TEST_CASE("HMAC-SHA256 is keyed with the secret's text (RFC 4231 case 2)", "[axis_wire]") {
    CHECK(vdxp_hmac("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hash-file is SHA-256 hex without zero padding per byte", "[axis_wire]") {
    // hashlib: sha256(b"abc") has bytes 0x01, 0x03, 0x00 that the SDK writes as 1, 3, 0.
    CHECK(vdxp_hash_file("abc") == "ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad");
}

TEST_CASE("timestamp has the SDK's ddMMyyyyTHHmmss+SSSS form", "[axis_wire]") {
    CHECK(std::regex_match(vdxp_timestamp(), std::regex(R"(\d{8}T\d{6}\+\d{4})")));
}

TEST_CASE("sendEdoc: headers signed, body is the package and CRLF", "[axis_wire]") {
    VdxpWire wire({"hub.h39", "s3cret"});
    auto req = wire.send_edoc("<edXML/>", MessageType::edoc, "000.00.00.H39");
    auto h = headers_of(req);
    CHECK(req.post);
    CHECK(req.path == "/sendEdoc");
    CHECK(req.body == "<edXML/>\r\n");
    CHECK(req.content_type == "application/octet-stream");
    CHECK(h["XroadVnpt-Content-Type"] == "application/octet-stream");
    CHECK(h["XroadVnpt-systemid"] == "hub.h39");
    CHECK(h["XroadVnpt-servicetype"] == "eDoc");
    CHECK(h["XroadVnpt-messagetype"] == "edoc");
    CHECK(h["XroadVnpt-from"] == "000.00.00.H39");
    CHECK(h["XroadVnpt-hash-file"] == vdxp_hash_file("<edXML/>"));
    CHECK(h["XroadVnpt-version"] == "3.0.201608");
    CHECK(h["User-Agent"] == "JAVASDKAgent/1.0.0 XRoad/VPCP");
    CHECK(h["XroadVnpt-sign-header-key"] ==
          "systemid;timestamp;servicetype;messagetype;from;hash-file");
    CHECK(h["XroadVnpt-hash-header"] == vdxp_hmac("s3cret", h["XroadVnpt-sign-header"]));
    auto lookup = [&](const std::string& name) -> const std::string* {
        auto it = h.find("XroadVnpt-" + name);
        return it == h.end() ? nullptr : &it->second;
    };
    CHECK(vdxp_verify("s3cret", h["XroadVnpt-sign-header-key"], h["XroadVnpt-sign-header"],
                      h["XroadVnpt-hash-header"], lookup));
    SECTION("a wrong secret or a changed header is refused") {
        auto wrong = vdxp_verify("other", h["XroadVnpt-sign-header-key"],
                                 h["XroadVnpt-sign-header"], h["XroadVnpt-hash-header"], lookup);
        REQUIRE_FALSE(wrong);
        CHECK(wrong.error().code == hub::errc::unauthenticated);
        h["XroadVnpt-from"] = "000.00.00.G22";
        CHECK_FALSE(vdxp_verify("s3cret", h["XroadVnpt-sign-header-key"],
                                h["XroadVnpt-sign-header"], h["XroadVnpt-hash-header"], lookup));
    }
}

TEST_CASE("answers are judged on their JSON, not the HTTP status", "[axis_wire]") {
    VdxpWire wire({"hub.h39", "s3cret"});
    CHECK(wire.parse_send({500, R"({"status":"OK","ErrorCode":"0","ErrorDesc":"","DocId":"d1"})"})
              .value() == "d1");
    auto refused = wire.parse_send({200, R"({"status":"FAIL","ErrorCode":"18","ErrorDesc":"x"})"});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == hub::errc::malformed);
    auto html = wire.parse_send({502, "<html>Bad gateway</html>"});
    REQUIRE_FALSE(html);
    CHECK(html.error().code == hub::errc::unavailable);
    auto null_code = wire.parse_update({200, R"({"status":"OK","ErrorCode":null})"});
    REQUIRE_FALSE(null_code);
    CHECK(null_code.error().code == hub::errc::unavailable);
    auto no_doc_id = wire.parse_send({200, R"({"status":"OK","ErrorCode":"0","ErrorDesc":""})"});
    CHECK_FALSE(no_doc_id);
    auto agencies = wire.parse_agencies(
        {200,
         R"({"status":"OK","ErrorCode":"0","ErrorDesc":"","data":[{"id":7,"code":"G12","code102":"000.00.00.G12","name":"B","mail":null}]})"});
    REQUIRE(agencies.has_value());
    REQUIRE(agencies->size() == 1);
    CHECK((*agencies)[0].id == "7");
    CHECK((*agencies)[0].code102 == "000.00.00.G12");
    CHECK((*agencies)[0].mail.empty());
}
