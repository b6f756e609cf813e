// Path-segment encoding of download paths (the Range parser is tested in file_response_test).

#include "hub/http/range.h"

#include <catch2/catch.hpp>

TEST_CASE("percent_encode keeps only unreserved bytes", "[http][range]") {
    CHECK(hub::http::percent_encode("cid:main/x y") == "cid%3Amain%2Fx%20y");
    CHECK(hub::http::percent_encode("a-b_c.d~e") == "a-b_c.d~e");
    CHECK(hub::http::percent_encode("\xC4\x91") == "%C4%91");
}
