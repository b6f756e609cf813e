// The outbound relay over the fake outbox and the real client against the simulator: an item
// is marked relayed with the axis' DocId only after the axis answered; failures are retried
// later with backoff, open the breaker, end as dead letters; and an answer lost after the
// axis stored the package sends nothing twice (the sent-list check).

#include "fakes/fake_stores.h"
#include "hub/national/relay.h"

#include <catch2/catch.hpp>

#include "unit/national/axis_fixture.h"

using namespace hub::national;
using namespace std::chrono_literals;
using hub::national::test::Fixture;

namespace {

// A package per item, the same bytes every time (as the real source must build them).
class TestPackages final : public PackageSource {
public:
    boost::asio::awaitable<hub::Result<OutgoingPackage>> package_for(
        hub::OutboxItem item) override {
        ++built;
        if (item.item_id == "d-gone") {
            co_return hub::fail(hub::errc::not_found, "", "envelope gone");
        }
        std::string xml = hub::national::test::kToMinistry;
        auto at = xml.find("101/UBND-VP");
        xml.replace(at, 3, std::to_string(100 + item.seq));
        co_return OutgoingPackage{xml, MessageType::edoc, "000.00.00.H39"};
    }
    int built = 0;
};

struct RelayFixture : Fixture {
    RelayFixture() {
        for (const char* id : {"d-1", "d-2"}) {
            outbox.add(id, "envelope", 1, "G12");
            outbox.items.back().channel = "national";
        }
    }
    OutboundRelay make(RelayOptions options = {}) {
        return OutboundRelay(io.get_executor(), outbox, *client, packages, clock, log,
                             std::move(options));
    }
    const hub::test::FakeOutboxStore::Item& item(const std::string& id) {
        for (const auto& i : outbox.items) {
            if (i.item.item_id == id) {
                return i;
            }
        }
        throw std::runtime_error("no item " + id);
    }

    hub::test::FakeOutboxStore outbox;
    TestPackages packages;
    hub::ManualClock clock{hub::Instant(std::chrono::milliseconds(1'800'000'000'000))};
    hub::Logger log{hub::LogLevel::off};
};

}  // namespace

TEST_CASE("retry delay doubles, is capped and jittered", "[axis_relay]") {
    RelayOptions o;
    o.retry_base = 1000ms;
    o.retry_max = 5000ms;
    CHECK(retry_delay(o, 1, 1.0) == 1000ms);
    CHECK(retry_delay(o, 2, 1.0) == 2000ms);
    CHECK(retry_delay(o, 3, 1.0) == 4000ms);
    CHECK(retry_delay(o, 4, 1.0) == 5000ms);
    CHECK(retry_delay(o, 40, 1.0) == 5000ms);
    CHECK(retry_delay(o, 2, 0.5) == 1000ms);
    CHECK(retry_delay(o, 2, 0.1) == 1000ms);  // jitter never below half
}

TEST_CASE("breaker opens after consecutive failures and half-opens after the cooldown",
          "[axis_relay]") {
    Breaker b(2, 1000ms);
    hub::Instant t{};
    CHECK(b.allow(t));
    b.failure(t);
    CHECK(b.state() == Breaker::State::closed);
    b.failure(t);
    CHECK(b.state() == Breaker::State::open);
    CHECK_FALSE(b.allow(t + 999ms));
    CHECK(b.allow(t + 1000ms));
    CHECK(b.state() == Breaker::State::half_open);
    b.failure(t + 1000ms);
    CHECK(b.state() == Breaker::State::open);
    CHECK(b.allow(t + 2000ms));
    b.success();
    CHECK(b.state() == Breaker::State::closed);
}

TEST_CASE("relay: sent once, marked with the axis' DocId", "[axis_relay]") {
    RelayFixture f;
    auto relay = f.make();
    CHECK(run_sync(f.io, relay.run_once()) == 2);
    CHECK(f.item("d-1").relayed);
    CHECK(f.item("d-2").relayed);
    CHECK_FALSE(f.item("d-1").external_id.empty());
    CHECK(f.item("d-1").external_id != f.item("d-2").external_id);
    CHECK(f.counter("documents") == 2);
    CHECK(relay.stats().relayed == 2);
    CHECK(run_sync(f.io, relay.run_once()) == 0);  // nothing left to claim
}

TEST_CASE("relay: an outage costs only time, and the breaker stops the hammering", "[axis_relay]") {
    RelayFixture f;
    RelayOptions o;
    o.breaker_failures = 2;
    o.breaker_cooldown = 5000ms;
    o.retry_base = 1000ms;
    auto relay = f.make(o);
    f.mode("down");
    CHECK(run_sync(f.io, relay.run_once()) == 2);
    CHECK_FALSE(f.item("d-1").relayed);
    CHECK(f.item("d-1").last_error.find("UNAVAILABLE") == 0);
    CHECK(f.item("d-1").visible_at > f.clock.now());  // retried later, not now
    CHECK(relay.stats().breaker == Breaker::State::open);
    CHECK(f.counter("refused_down") == 2);
    f.clock.advance(2000ms);
    CHECK(run_sync(f.io, relay.run_once()) == 0);  // open: no call at all
    f.mode("error");
    f.clock.advance(4000ms);  // cooldown over: one item tests the axis
    CHECK(run_sync(f.io, relay.run_once()) == 1);
    CHECK(relay.stats().breaker == Breaker::State::open);
    f.mode("normal");
    f.clock.advance(10'000ms);
    CHECK(run_sync(f.io, relay.run_once()) == 1);  // half-open: one item
    CHECK(relay.stats().breaker == Breaker::State::closed);
    CHECK(run_sync(f.io, relay.run_once()) == 1);
    CHECK(f.item("d-1").relayed);
    CHECK(f.item("d-2").relayed);
    CHECK(f.counter("documents") == 2);
}

TEST_CASE("relay: an answer lost after the axis stored the package sends no duplicate",
          "[axis_relay]") {
    RelayFixture f;
    auto relay = f.make();
    f.mode("drop");
    CHECK(run_sync(f.io, relay.run_once()) == 2);
    CHECK(f.counter("documents") == 2);  // the axis has both; we heard nothing
    CHECK_FALSE(f.item("d-1").relayed);
    f.mode("normal");
    f.clock.advance(10min);
    CHECK(run_sync(f.io, relay.run_once()) == 2);
    CHECK(f.item("d-1").relayed);
    CHECK(f.item("d-2").relayed);
    CHECK(relay.stats().found_already_sent == 2);
    CHECK(f.counter("calls.sendEdoc") == 2);  // the second attempt only asked
    CHECK(f.counter("documents") == 2);
    auto sent = run_sync(f.io, f.client->sent_list("")).value();
    REQUIRE(sent.size() == 2);
    CHECK((f.item("d-1").external_id == sent[0].sender_doc_id ||
           f.item("d-1").external_id == sent[1].sender_doc_id));
}

TEST_CASE("relay: dead letter after the delivery limit, or at once when unbuildable",
          "[axis_relay]") {
    RelayFixture f;
    f.outbox.add("d-gone", "envelope", 2, "G12");
    f.outbox.items.back().channel = "national";
    RelayOptions o;
    o.delivery_limit = 2;
    o.breaker_failures = 100;
    auto relay = f.make(o);
    f.mode("error");
    CHECK(run_sync(f.io, relay.run_once()) == 3);
    CHECK(f.item("d-gone").dead_at.has_value());
    CHECK_FALSE(f.item("d-1").dead_at.has_value());
    f.clock.advance(10min);
    CHECK(run_sync(f.io, relay.run_once()) == 2);
    CHECK(f.item("d-1").dead_at.has_value());
    CHECK(f.item("d-2").dead_at.has_value());
    CHECK(relay.stats().dead == 3);
    REQUIRE(f.outbox.audit.size() == 3);
    CHECK(f.outbox.audit[0].action == "national.dead_letter");
    f.clock.advance(10min);
    CHECK(run_sync(f.io, relay.run_once()) == 0);  // dead letters are never claimed
}

TEST_CASE("relay: a batch stops when the breaker opens, the lease brings the rest back",
          "[axis_relay]") {
    RelayFixture f;
    f.outbox.add("d-3", "envelope", 3, "G12");
    f.outbox.items.back().channel = "national";
    RelayOptions o;
    o.breaker_failures = 1;
    o.breaker_cooldown = 1000ms;
    o.lease = 60'000ms;
    auto relay = f.make(o);
    f.mode("down");
    CHECK(run_sync(f.io, relay.run_once()) == 3);
    CHECK(f.counter("refused_down") == 1);  // one call, not three
    CHECK(f.item("d-2").last_error.empty());
    f.mode("normal");
    f.clock.advance(61'000ms);
    CHECK(run_sync(f.io, relay.run_once()) == 1);  // half-open: one item first
    CHECK(run_sync(f.io, relay.run_once()) == 2);
    CHECK(f.item("d-1").relayed);
    CHECK(f.item("d-2").relayed);
    CHECK(f.item("d-3").relayed);
    CHECK(f.counter("documents") == 3);
}
