// Byte ranges of downloads (RFC 9110 §14) and path-segment encoding.

#include "hub/http/range.h"

#include <catch2/catch.hpp>

using hub::http::parse_byte_range;

TEST_CASE("range: none, or one we do not serve, is the whole", "[http][range]") {
    for (const char* header : {"", "items=0-1", "bytes=0-1,5-6", "bytes=x-", "bytes=5-2"}) {
        INFO(header);
        auto r = parse_byte_range(header, 100);
        REQUIRE(r.has_value());
        CHECK_FALSE(r->partial);
        CHECK(r->offset == 0);
        CHECK(r->length == 100);
    }
}

TEST_CASE("range: a-b, a- and -n", "[http][range]") {
    auto first = parse_byte_range("bytes=0-99", 1000);
    REQUIRE(first.has_value());
    CHECK(first->partial);
    CHECK(first->offset == 0);
    CHECK(first->length == 100);
    auto rest = parse_byte_range("bytes=990-", 1000);
    REQUIRE(rest.has_value());
    CHECK(rest->offset == 990);
    CHECK(rest->length == 10);
    auto cut = parse_byte_range("bytes=990-5000", 1000);
    REQUIRE(cut.has_value());
    CHECK(cut->length == 10);
    auto tail = parse_byte_range("bytes=-10", 1000);
    REQUIRE(tail.has_value());
    CHECK(tail->offset == 990);
    CHECK(tail->length == 10);
    auto more = parse_byte_range("bytes=-5000", 1000);
    REQUIRE(more.has_value());
    CHECK(more->offset == 0);
    CHECK(more->length == 1000);
}

TEST_CASE("range: past the end is unsatisfiable", "[http][range]") {
    CHECK_FALSE(parse_byte_range("bytes=1000-", 1000).has_value());
    CHECK_FALSE(parse_byte_range("bytes=-0", 1000).has_value());
    CHECK_FALSE(parse_byte_range("bytes=0-", 0).has_value());
}

TEST_CASE("percent_encode keeps only unreserved bytes", "[http][range]") {
    CHECK(hub::http::percent_encode("cid:main/x y") == "cid%3Amain%2Fx%20y");
    CHECK(hub::http::percent_encode("a-b_c.d~e") == "a-b_c.d~e");
    CHECK(hub::http::percent_encode("\xC4\x91") == "%C4%91");
}
