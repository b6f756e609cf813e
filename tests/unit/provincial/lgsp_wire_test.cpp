// The provincial API's wire (Lạng Sơn's variant): calls, the error-code table for every hub
// code, list windows in UTC days, status forms, agency entries.

#include "hub/provincial/lgsp_wire.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>

namespace pv = hub::provincial;
namespace json = boost::json;
using boost::beast::http::verb;
using hub::errc;

TEST_CASE("provincial wire: each call by method and path, and which act for a unit",
          "[provincial]") {
    CHECK(pv::call_of(verb::post, "/v1/auth/login") == pv::Call::login);
    CHECK(pv::call_of(verb::get, "/v1/getAgenciesList") == pv::Call::agencies);
    CHECK(pv::call_of(verb::post, "/v1/sendEdoc") == pv::Call::send);
    CHECK(pv::call_of(verb::get, "/v1/syncReceivedEdocList") == pv::Call::list);
    CHECK(pv::call_of(verb::get, "/v1/getEdoc") == pv::Call::get);
    CHECK(pv::call_of(verb::post, "/v1/updateStatus") == pv::Call::update_status);
    CHECK_FALSE(pv::call_of(verb::get, "/v1/sendEdoc"));
    CHECK_FALSE(pv::call_of(verb::get, "/v1/getedoc"));
    CHECK_FALSE(pv::acts_for_unit(pv::Call::login));
    CHECK_FALSE(pv::acts_for_unit(pv::Call::agencies));
    CHECK(pv::acts_for_unit(pv::Call::send));
    CHECK(pv::bearer_token("Bearer abc") == "abc");
    CHECK(pv::bearer_token("bearer abc") == "abc");
    CHECK(pv::bearer_token("Basic abc").empty());
    CHECK(pv::bearer_token("Bearer ").empty());
}

TEST_CASE(
    "provincial wire: every hub code has its string error code, and only the retryable "
    "ones are 20",
    "[provincial]") {
    const std::set<std::string> known{"10", "15", "18", "19", "20", "21", "22"};
    for (int i = static_cast<int>(errc::malformed); i <= static_cast<int>(errc::internal); ++i) {
        const auto code = static_cast<errc>(i);
        INFO(hub::code_name(code));
        const std::string mapped(pv::error_code(code));
        CHECK(known.contains(mapped));
        const bool retry = code == errc::rate_limited || code == errc::unavailable ||
                           code == errc::maintenance || code == errc::internal;
        CHECK((mapped == "20") == retry);

        const auto reply = pv::refusal(hub::fail(code, "field", "why"));
        const auto body = json::parse(reply.body).as_object();
        CHECK(reply.status != 401);  // 401 asks the client to log in again
        CHECK(reply.status >= 400);
        CHECK(body.at("code").as_int64() == reply.status);
        CHECK_FALSE(body.at("success").as_bool());
        CHECK_FALSE(body.at("errorDetail").as_array().empty());
        CHECK(body.at("data").at("errorCode").as_string() == mapped);
        CHECK(body.at("data").at("hubCode").as_string() == hub::code_name(code));
    }
    CHECK(pv::error_code(errc::unknown_recipient) == "18");
    CHECK(pv::error_code(errc::unauthenticated) == "15");
    CHECK(pv::error_code(errc::forbidden_sender) == "19");
    CHECK(pv::error_code(errc::attachment_type) == "10");
    CHECK(pv::error_code(errc::signature_invalid) == "21");
    CHECK(pv::error_code(errc::malformed) == "22");
    CHECK(pv::token_refused().status == 401);
    CHECK(json::parse(pv::token_refused().body).at("code").as_int64() == 401);

    const auto ok = json::parse(pv::success(json::object{{"a", 1}}, 1).body).as_object();
    CHECK(ok.at("code").as_int64() == 200);
    CHECK(ok.at("success").as_bool());
    CHECK(ok.at("count").as_int64() == 1);
    CHECK_FALSE(ok.contains("errorDetail"));
}

TEST_CASE("provincial wire: a list window is UTC days, inclusive, with a day of slack",
          "[provincial][time]") {
    auto window = pv::list_window("2026/12/03", "2026/12/03");
    REQUIRE(window.has_value());
    CHECK(hub::format_instant(window->first) == "2026-12-02T07:00:00.000+07:00");   // 12/02 00:00Z
    CHECK(hub::format_instant(window->second) == "2026-12-05T06:59:59.999+07:00");  // 12/04 23:59Z
    // 05:00 on 4 December in Vietnam is still 3 December in UTC: inside.
    const auto early = hub::parse_instant("2026-12-04T05:00:00+07:00");
    REQUIRE(early.has_value());
    CHECK(*early >= window->first);
    CHECK(*early <= window->second);
    for (auto [from, to, field] : {std::tuple{"2026-12-03", "2026/12/03", "fromDate"},
                                   {"2026/12/03", "2026/13/01", "toDate"},
                                   {"2026/12/03", "2026/12/02", "toDate"},
                                   {"", "2026/12/03", "fromDate"},
                                   {"2026/02/30", "2026/03/01", "fromDate"}}) {
        INFO(from << " .. " << to);
        auto bad = pv::list_window(from, to);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().code == errc::malformed);
        CHECK(bad.error().field == field);
    }
}

TEST_CASE("provincial wire: updateStatus takes QĐ 28 codes and the transport keywords",
          "[provincial]") {
    using Kind = pv::StatusChange::Kind;
    CHECK(pv::status_change("01")->kind == Kind::receipt);
    CHECK(pv::status_change("done")->kind == Kind::receipt);
    CHECK(pv::status_change("processing")->kind == Kind::transport);
    CHECK(pv::status_change("fail")->kind == Kind::transport);
    for (const char* code : {"02", "03", "04", "05", "06", "13", "15", "16"}) {
        auto change = pv::status_change(code);
        REQUIRE(change.has_value());
        CHECK(change->kind == Kind::report);
        CHECK(change->code == code);
    }
    for (const char* bad : {"", "1", "07", "14", "DONE", "finished"}) {
        auto change = pv::status_change(bad);
        REQUIRE_FALSE(change.has_value());
        CHECK(change.error().code == errc::invalid_status);
    }
}

TEST_CASE("provincial wire: an agency entry has the fields the clients read", "[provincial]") {
    hub::OrgInfo org;
    org.code = "H39.05";
    org.given = "000.00.05.H39";
    org.edxml = "000.00.05.H39";
    org.name = "Sở Tư pháp";
    org.parent = "H39";
    const auto entry = pv::agency_entry(org);
    for (const char* key : {"id", "code", "oldCode", "name", "centerCode", "parentId", "level",
                            "type", "typeInternal"}) {
        CHECK(entry.contains(key));
    }
    CHECK(entry.at("code").as_string() == "000.00.05.H39");
    CHECK(entry.at("oldCode").as_string() == "000.00.05.H39");
    CHECK(entry.at("level").as_uint64() == 2);
    CHECK(entry.at("name").as_string() == "Sở Tư pháp");
}
