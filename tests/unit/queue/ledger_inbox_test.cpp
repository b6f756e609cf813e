// The embedded inbox over a real ledger file: a long poll wakes on the commit that gives its
// recipient an item, items come in acceptance order, an offered item comes back after the
// visibility timeout, and shutdown ends every wait.

#include "hub/queue/ledger_inbox.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "unit/store/store_fixture.h"

using namespace store_test;
using std::chrono::steady_clock;
namespace asio = boost::asio;

namespace {

void rethrow(std::exception_ptr e) {
    if (e) {
        std::rethrow_exception(e);
    }
}

asio::awaitable<void> poll(hub::LedgerInbox& inbox,
                           std::string recipient,
                           std::chrono::milliseconds wait,
                           hub::Result<std::vector<hub::QueueMessage>>& out) {
    out = co_await inbox.take(std::move(recipient), 10, 1 << 20, wait);
}

// Accepts an envelope once `inbox` has a waiter, so the poll is already asleep.
asio::awaitable<void> accept_when_waiting(hub::LedgerInbox& inbox,
                                          hub::SqliteLedger& ledger,
                                          hub::NewEnvelope envelope) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = steady_clock::now() + 10s;
    while (inbox.waiting() == 0 && steady_clock::now() < deadline) {
        timer.expires_after(5ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    auto accepted = co_await ledger.accept_envelope(std::move(envelope));
    REQUIRE(accepted.has_value());
}

std::vector<std::string> ids(const std::vector<hub::QueueMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) {
        out.push_back(m.id);
    }
    return out;
}

}  // namespace

TEST_CASE("R-12 embedded inbox: a long poll wakes on the commit that brings an item",
          "[queue][inbox]") {
    LedgerFixture f;
    hub::ManualClock clock(t0());
    hub::LedgerInbox inbox(f.ledger(), clock, 60s);
    hub::Result<std::vector<hub::QueueMessage>> got = std::vector<hub::QueueMessage>{};
    const auto started = steady_clock::now();
    asio::co_spawn(f.io, poll(inbox, "H39.07", 20s, got), rethrow);
    asio::co_spawn(f.io, accept_when_waiting(inbox, f.ledger(), envelope("e-1", {"H39.07"})),
                   rethrow);
    f.io.restart();
    f.io.run();
    REQUIRE(got.has_value());
    CHECK(ids(*got) == std::vector<std::string>{"d-e-1-0"});
    CHECK((*got)[0].kind == "envelope");
    CHECK((*got)[0].attempt == 1);
    CHECK(steady_clock::now() - started < 10s);  // woken, not timed out
}

TEST_CASE("R-12 embedded inbox: order, visibility timeout and ack", "[queue][inbox]") {
    LedgerFixture f;
    hub::ManualClock clock(t0());
    hub::LedgerInbox inbox(f.ledger(), clock, 60s);
    for (int i = 0; i < 3; ++i) {
        f.ok(f.ledger().accept_envelope(envelope("e-" + std::to_string(i), {"H39.07"})));
    }
    auto first = run_sync(f.io, inbox.take("H39.07", 10, 1 << 20, 0ms));
    REQUIRE(first.has_value());
    CHECK(ids(*first) == std::vector<std::string>{"d-e-0-0", "d-e-1-0", "d-e-2-0"});
    CHECK(run_sync(f.io, inbox.take("H39.07", 10, 1 << 20, 0ms))->empty());  // all invisible
    CHECK(f.arrive("d-e-1-0", t0(), t0(), t0()));
    clock.advance(61s);
    auto again = run_sync(f.io, inbox.take("H39.07", 10, 1 << 20, 0ms));
    REQUIRE(again.has_value());
    CHECK(ids(*again) == std::vector<std::string>{"d-e-0-0", "d-e-2-0"});
    CHECK((*again)[0].attempt == 2);
    auto depths = run_sync(f.io, inbox.depths());
    REQUIRE(depths.has_value());
    CHECK(depths->at("H39.07") == 2);
}

TEST_CASE("embedded inbox: shutdown ends a waiting poll at once", "[queue][inbox]") {
    LedgerFixture f;
    hub::ManualClock clock(t0());
    hub::LedgerInbox inbox(f.ledger(), clock, 60s);
    hub::Result<std::vector<hub::QueueMessage>> got = std::vector<hub::QueueMessage>{};
    const auto started = steady_clock::now();
    asio::co_spawn(f.io, poll(inbox, "H39.07", 20s, got), rethrow);
    std::thread stopper([&inbox] {
        const auto deadline = steady_clock::now() + 10s;
        while (inbox.waiting() == 0 && steady_clock::now() < deadline) {
            std::this_thread::yield();
        }
        inbox.interrupt_waits();
    });
    f.io.restart();
    f.io.run();
    stopper.join();
    REQUIRE(got.has_value());
    CHECK(got->empty());
    CHECK(steady_clock::now() - started < 10s);
}
