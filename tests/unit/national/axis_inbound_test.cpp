// The inbound poller against the simulator: a package is marked done on the axis only after
// the sink took it, stays listed while the sink is unavailable, and is marked fail when the
// sink refuses it for good.

#include "hub/national/inbound.h"

#include <catch2/catch.hpp>

#include "unit/national/axis_fixture.h"

using namespace hub::national;
using hub::national::test::Fixture;
using hub::national::test::kFromPeer;
using lienthong::sim::admin_call;

namespace {

class RecordingSink final : public InboundSink {
public:
    boost::asio::awaitable<hub::Result<void>> take(ReceivedItem item,
                                                   std::string package) override {
        if (answer) {
            co_return *answer;
        }
        taken.emplace_back(std::move(item), std::move(package));
        co_return hub::Result<void>{};
    }
    std::optional<hub::Failure> answer;
    std::vector<std::pair<ReceivedItem, std::string>> taken;
};

void inject(Fixture& f, const std::string& package) {
    admin_call(f.sim.admin_port(), "POST", "/admin/inject",
               boost::json::serialize(boost::json::object{
                   {"from_system", "peer.h41"}, {"package_base64", base64_encode(package)}}));
}

std::string status_of_first(Fixture& f) {
    auto state = f.state();
    return std::string(state["documents"].as_array()[0].as_object()["status"].as_string());
}

}  // namespace

TEST_CASE("inbound: taken, then done on the axis", "[axis_inbound]") {
    Fixture f;
    hub::Logger log(hub::LogLevel::off);
    hub::SystemClock clock;
    RecordingSink sink;
    InboundPoller poller(f.io.get_executor(), *f.client, sink, clock, log, {});
    inject(f, kFromPeer);

    SECTION("the sink takes it") {
        CHECK(run_sync(f.io, poller.poll_once()));
        REQUIRE(sink.taken.size() == 1);
        CHECK(sink.taken[0].second == kFromPeer);
        CHECK(sink.taken[0].first.to == "000.00.01.H39");
        CHECK(status_of_first(f) == "done");
        CHECK(poller.stats().taken == 1);
        CHECK(poller.stats().last_poll.has_value());
        CHECK(run_sync(f.io, poller.poll_once()));
        CHECK(sink.taken.size() == 1);  // not listed any more
    }
    SECTION("an unavailable sink leaves it on the axis for the next poll") {
        sink.answer = hub::fail(hub::errc::unavailable, "", "ledger busy");
        CHECK(run_sync(f.io, poller.poll_once()));
        CHECK(status_of_first(f) == "initial");
        CHECK(poller.stats().deferred == 1);
        sink.answer.reset();
        CHECK(run_sync(f.io, poller.poll_once()));
        CHECK(sink.taken.size() == 1);
        CHECK(status_of_first(f) == "done");
    }
    SECTION("a refused package is marked fail") {
        sink.answer = hub::fail(hub::errc::malformed, "To", "no such recipient");
        CHECK(run_sync(f.io, poller.poll_once()));
        CHECK(status_of_first(f) == "fail");
        CHECK(poller.stats().refused == 1);
    }
    SECTION("an unreachable axis is a failed poll") {
        f.mode("down");
        CHECK_FALSE(run_sync(f.io, poller.poll_once()));
        CHECK_FALSE(poller.stats().last_poll.has_value());
        CHECK_FALSE(poller.stats().last_error.empty());
    }
}
