// The façade's login tokens: bound to the certificate that logged in, good for their time,
// and bounded per certificate and in all.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "provincial_api.h"

using namespace std::chrono_literals;

TEST_CASE("provincial tokens: bound to one certificate, good until they expire", "[provincial]") {
    hub::ProvincialTokens tokens(60s, 100);
    const hub::Instant now{};
    const auto token = tokens.issue("cert-a", now);
    CHECK(token.size() == 64);
    CHECK(tokens.valid(token, "cert-a", now + 59s));
    CHECK_FALSE(tokens.valid(token, "cert-a", now + 60s));
    CHECK_FALSE(tokens.valid(token, "cert-b", now));
    CHECK_FALSE(tokens.valid("", "cert-a", now));
    CHECK(tokens.issue("cert-a", now) != token);
}

TEST_CASE(
    "provincial tokens: one certificate logging in again and again keeps eight and "
    "pushes out no one else's",
    "[provincial]") {
    hub::ProvincialTokens tokens(3600s, 16);
    hub::Instant now{};
    const auto other = tokens.issue("cert-b", now);
    std::vector<std::string> mine;
    for (int i = 0; i < 100; ++i) {
        now += 1s;
        mine.push_back(tokens.issue("cert-a", now));
    }
    CHECK(tokens.valid(other, "cert-b", now));
    for (std::size_t i = 0; i < mine.size(); ++i) {
        INFO(i);
        CHECK(tokens.valid(mine[i], "cert-a", now) == (i >= mine.size() - 8));
    }
    // Past the overall bound the oldest goes.
    for (int i = 0; i < 20; ++i) {
        now += 1s;
        tokens.issue("cert-" + std::to_string(i + 10), now);
    }
    CHECK_FALSE(tokens.valid(other, "cert-b", now));
}
