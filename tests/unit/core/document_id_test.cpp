#include "hub/core/document_id.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace std::chrono_literals;

TEST_CASE("document id: the SDK sample parses and formats back", "[document_id]") {
    const std::string text = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT";
    auto id = hub::parse_document_id(text);
    REQUIRE(id.has_value());
    CHECK(id->issuer == "000.00.00.G22");
    CHECK(id->date == std::chrono::year_month_day{2015y, std::chrono::September, 30d});
    CHECK(id->number == "7816");
    CHECK(id->notation == "VPCP-TTĐT");
    CHECK(hub::format_document_id(*id) == text);
}

TEST_CASE("document id: QĐ 20 issuers, leap days and notations with '/'", "[document_id]") {
    auto id = hub::parse_document_id("H39.05,2024/02/29,12/QĐ-UBND/TCCB");
    REQUIRE(id.has_value());
    CHECK(id->issuer == "H39.05");
    CHECK(id->date == std::chrono::year_month_day{2024y, std::chrono::February, 29d});
    CHECK(id->number == "12");
    CHECK(id->notation == "QĐ-UBND/TCCB");  // split at the first '/'
    CHECK(hub::format_document_id(*id) == "H39.05,2024/02/29,12/QĐ-UBND/TCCB");

    auto letters = hub::parse_document_id("000.00.00.H39,2026/11/25,15a/CV-SNV");
    REQUIRE(letters.has_value());
    CHECK(letters->number == "15a");
}

TEST_CASE("document id: a bad issuer is INVALID_ORG_CODE", "[document_id]") {
    for (const char* text : {"G22X,2015/09/30,7816/VPCP", "000.05.00.H39,2015/09/30,1/UBND",
                             ",2015/09/30,7816/VPCP", "g22,2015/09/30,7816/VPCP"}) {
        INFO(text);
        auto id = hub::parse_document_id(text);
        REQUIRE_FALSE(id.has_value());
        CHECK(id.error().code == hub::errc::invalid_org_code);
    }
}

TEST_CASE("document id: bad shapes and dates are INVALID_DOCUMENT_ID", "[document_id]") {
    const std::vector<std::string> bad = {
        "",
        "000.00.00.G22",
        "000.00.00.G22,2015/09/30",
        "000.00.00.G22,2015/09/30,7816",            // no notation
        "000.00.00.G22,2015/09/30,7816/",           // empty notation
        "000.00.00.G22,2015/09/30,/VPCP",           // empty number
        "000.00.00.G22,2015/09/30,78 16/VPCP",      // whitespace in number
        "000.00.00.G22,2015/09/30,7816/VPCP TTĐT",  // whitespace in notation
        "000.00.00.G22,2015/09/30,7816/VPCP,TTĐT",  // a fourth part
        "000.00.00.G22,2015/02/29,7816/VPCP",       // not a leap year
        "000.00.00.G22,2015/13/01,7816/VPCP",
        "000.00.00.G22,2015/09/31,7816/VPCP",
        "000.00.00.G22,2015-09-30,7816/VPCP",  // ISO date, not edXML
        "000.00.00.G22,2015/9/30,7816/VPCP",
        "000.00.00.G22,,7816/VPCP",
        "000.00.00.G22,2015/09/30,7816/VPCP\xC4",  // truncated UTF-8
        "000.00.00.G22,2015/09/30,7816/\xC0\xAF",  // overlong UTF-8
        "000.00.00.G22,2015/09/30,7816/VPCP\n",
    };
    for (const auto& text : bad) {
        INFO("'" << text << "'");
        auto id = hub::parse_document_id(text);
        REQUIRE_FALSE(id.has_value());
        CHECK(id.error().code == hub::errc::invalid_document_id);
    }
}
