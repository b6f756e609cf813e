// The wake-up list under long-polls: no lost wake-ups, deadlines honoured.

#include "hub/queue/recipient_waiters.h"

#include "fakes/run_sync.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using std::chrono::steady_clock;

TEST_CASE("waiters: a notify between ticket and wait ends the wait at once", "[queue][waiters]") {
    hub::RecipientWaiters waiters;
    boost::asio::io_context io;
    auto ticket = waiters.ticket("H39");
    waiters.notify("H39");
    auto started = steady_clock::now();
    run_sync(io, waiters.wait("H39", ticket, steady_clock::now() + 10s));
    CHECK(steady_clock::now() - started < 5s);
    CHECK(waiters.waiting() == 0);
}

TEST_CASE("waiters: a wait ends at its deadline without a notify", "[queue][waiters]") {
    hub::RecipientWaiters waiters;
    boost::asio::io_context io;
    auto started = steady_clock::now();
    run_sync(io, waiters.wait("H39", waiters.ticket("H39"), steady_clock::now() + 100ms));
    CHECK(steady_clock::now() - started >= 100ms);
}

namespace {

boost::asio::awaitable<void> wait_for(hub::RecipientWaiters& waiters, std::string who, bool& done) {
    co_await waiters.wait(who, waiters.ticket(who), steady_clock::now() + 1s);
    done = true;
}

void rethrow(std::exception_ptr e) {
    if (e) {
        std::rethrow_exception(e);
    }
}

}  // namespace

TEST_CASE("waiters: notify wakes only its recipient's waiters", "[queue][waiters]") {
    hub::RecipientWaiters waiters;
    boost::asio::io_context io;
    bool h39_done = false;
    bool g22_done = false;
    auto started = steady_clock::now();
    boost::asio::co_spawn(io, wait_for(waiters, "H39", h39_done), rethrow);
    boost::asio::co_spawn(io, wait_for(waiters, "G22", g22_done), rethrow);
    // Both coroutines reach their wait before this posted handler runs.
    boost::asio::post(io, [&] {
        CHECK(waiters.waiting() == 2);
        waiters.notify("H39");
    });
    io.run_for(300ms);
    CHECK(h39_done);
    CHECK_FALSE(g22_done);
    CHECK(steady_clock::now() - started < 1s);
    io.restart();
    io.run();  // G22 ends at its deadline
    CHECK(g22_done);
}
