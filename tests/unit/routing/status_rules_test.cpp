#include "hub/routing/status_rules.h"

#include <catch2/catch.hpp>

using hub::check_status;
using hub::errc;
using hub::StatusParty;

namespace {

errc code_of(const hub::Result<void>& r) { return r ? errc{} : r.error().code; }

}  // namespace

TEST_CASE("R-12 the normal lifecycle is accepted step by step", "[status]") {
    std::vector<std::string> recorded;
    REQUIRE(check_status(recorded, "01", StatusParty::hub, ""));
    recorded.push_back("01");
    for (const char* code : {"03", "04", "05", "05", "06"}) {
        INFO(code);
        REQUIRE(check_status(recorded, code, StatusParty::recipient, ""));
        recorded.push_back(code);
    }
}

TEST_CASE("R-07 a rejection needs a reason and is final", "[status]") {
    std::vector<std::string> recorded{"01"};
    CHECK(code_of(check_status(recorded, "02", StatusParty::recipient, "")) ==
          errc::reason_required);
    REQUIRE(check_status(recorded, "02", StatusParty::recipient, "thiếu chữ ký"));
    recorded.push_back("02");
    for (const char* code : {"02", "03", "04", "05", "06", "15", "16"}) {
        INFO(code);
        CHECK(code_of(check_status(recorded, code, StatusParty::recipient, "x")) ==
              errc::invalid_status);
    }
    CHECK(code_of(check_status(recorded, "13", StatusParty::sender, "x")) == errc::invalid_status);
}

TEST_CASE("statuses out of order are INVALID_STATUS", "[status]") {
    struct Case {
        std::vector<std::string> recorded;
        const char* code;
    };
    const Case cases[] = {
        {{}, "02"},
        {{}, "03"},
        {{}, "04"},
        {{"01"}, "04"},
        {{"01"}, "05"},
        {{"01"}, "06"},
        {{"01", "03"}, "03"},
        {{"01", "03"}, "02"},
        {{"01", "03", "06"}, "05"},
        {{"01"}, "15"},
        {{"01", "13", "15"}, "16"},
    };
    for (const auto& c : cases) {
        INFO(c.code << " after " << c.recorded.size() << " statuses");
        CHECK(code_of(check_status(c.recorded, c.code, StatusParty::recipient, "reason")) ==
              errc::invalid_status);
    }
}

TEST_CASE("each party sends only its own codes", "[status]") {
    CHECK(code_of(check_status({}, "01", StatusParty::recipient, "")) == errc::invalid_status);
    CHECK(code_of(check_status({"01"}, "03", StatusParty::sender, "")) == errc::invalid_status);
    CHECK(code_of(check_status({"01"}, "13", StatusParty::recipient, "x")) == errc::invalid_status);
    CHECK(code_of(check_status({"01"}, "99", StatusParty::recipient, "")) == errc::invalid_status);
    CHECK(code_of(check_status({"01"}, "07", StatusParty::recipient, "")) == errc::invalid_status);
    CHECK(code_of(check_status({"01"}, "1", StatusParty::recipient, "")) == errc::invalid_status);
}

TEST_CASE("a withdrawal request is answered once with 15 or 16", "[status]") {
    std::vector<std::string> recorded{"01", "03"};
    CHECK(code_of(check_status(recorded, "13", StatusParty::sender, "")) == errc::reason_required);
    REQUIRE(check_status(recorded, "13", StatusParty::sender, "sai số văn bản"));
    recorded.push_back("13");
    CHECK(code_of(check_status(recorded, "13", StatusParty::sender, "again")) ==
          errc::invalid_status);
    REQUIRE(check_status(recorded, "16", StatusParty::recipient, ""));
    recorded.push_back("16");
    CHECK(code_of(check_status(recorded, "15", StatusParty::recipient, "")) ==
          errc::invalid_status);
}

TEST_CASE("R-08 awaiting handling until 02 or 03", "[status]") {
    CHECK(hub::awaiting_handling({}));
    CHECK(hub::awaiting_handling({"01"}));
    CHECK_FALSE(hub::awaiting_handling({"01", "02"}));
    CHECK_FALSE(hub::awaiting_handling({"01", "03", "04"}));
}
