// The harness itself: a daemon that cannot start must fail the test with its own words.

#include "harness.h"

#include <catch2/catch.hpp>

#include <filesystem>

TEST_CASE("the harness fails with the daemon's output when it exits during start", "[harness]") {
    boost::json::object overrides;
    overrides["logging"] = boost::json::object{{"level", "loudest"}};
    try {
        it::Hub hub(
            {.agencies = 1, .config_overrides = overrides, .transport = {}, .amqp_url = {}});
        FAIL("lienthongd started with logging.level 'loudest'");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.find("exited during start") != std::string::npos);
        CHECK(what.find("logging.level") != std::string::npos);
    }
}

TEST_CASE("the harness removes its directory and leaves no daemon behind", "[harness]") {
    if (std::getenv("LIENTHONG_KEEP_TEST_DIRS") != nullptr) {
        return;  // keeping directories is what was asked for
    }
    std::string dir;
    {
        it::HubOptions options;
        options.agencies = 1;
        it::Hub hub(options);
        dir = hub.dir();
        REQUIRE(std::filesystem::exists(dir + "/run/ports.json"));
        REQUIRE(hub.running());
    }
    CHECK_FALSE(std::filesystem::exists(dir));
}
