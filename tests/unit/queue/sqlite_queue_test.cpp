// What the SQLite queue promises beyond the contract: group commit and its file.

#include "hub/queue/sqlite_queue.h"

#include "fakes/run_sync.h"

#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include "unit/queue/queue_contract.h"

using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

asio::awaitable<void> publish_one(hub::Queue& q, int i, int& ok) {
    std::vector<hub::QueueMessage> batch;
    batch.push_back(queue_contract::message("m-" + std::to_string(i), "H39"));
    auto r = co_await q.publish(std::move(batch));
    ok += r.has_value() ? 1 : 0;
}

}  // namespace

TEST_CASE("sqlite queue: concurrent publishes share commits", "[queue][sqlite]") {
    queue_contract::Env env;
    env.dir = queue_contract::make_temp_dir();
    {
        auto q = hub::SqliteQueue::open({env.dir + "/queue.db", 30s}, env.clock, env.log);
        REQUIRE(q.has_value());
        asio::io_context io;
        auto before = (*q)->commits();
        constexpr int kCalls = 200;
        int ok = 0;
        for (int i = 0; i < kCalls; ++i) {
            asio::co_spawn(io, publish_one(**q, i, ok), queue_contract::rethrow);
        }
        io.run();
        CHECK(ok == kCalls);
        auto commits = (*q)->commits() - before;
        INFO("commits=" << commits);
        CHECK(commits < kCalls / 2);
        auto depths = run_sync(io, (*q)->depths());
        REQUIRE(depths.has_value());
        CHECK(depths->at("H39") == kCalls);
    }
    std::filesystem::remove_all(env.dir);
}

TEST_CASE("sqlite queue: a file that is not a database fails to open", "[queue][sqlite]") {
    queue_contract::Env env;
    env.dir = queue_contract::make_temp_dir();
    {
        std::FILE* f = std::fopen((env.dir + "/queue.db").c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs("this is not an SQLite database, just some text long enough", f);
        std::fclose(f);
        auto q = hub::SqliteQueue::open({env.dir + "/queue.db", 30s}, env.clock, env.log);
        CHECK_FALSE(q.has_value());
    }
    std::filesystem::remove_all(env.dir);
}

namespace {

asio::awaitable<void> long_poll(hub::Queue& q, std::size_t& got, bool& done) {
    auto r = co_await q.take("H39.05", 10, 30s);
    got = r ? r->size() : 99;
    done = true;
}

}  // namespace

TEST_CASE("sqlite queue: interrupt_waits ends a long-poll at once, empty", "[queue][sqlite]") {
    queue_contract::Env env;
    env.dir = queue_contract::make_temp_dir();
    {
        auto q = hub::SqliteQueue::open({env.dir + "/queue.db", 30s}, env.clock, env.log);
        REQUIRE(q.has_value());
        asio::io_context io;
        std::size_t got = 0;
        bool done = false;
        asio::co_spawn(io, long_poll(**q, got, done), queue_contract::rethrow);
        // Let the poll find nothing and start waiting, then shut it down.
        const auto started = std::chrono::steady_clock::now();
        while (!done && std::chrono::steady_clock::now() - started < 200ms) {
            io.run_for(10ms);
        }
        REQUIRE_FALSE(done);
        (*q)->interrupt_waits();
        io.run_for(5s);
        CHECK(done);
        CHECK(got == 0);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
    }
    std::filesystem::remove_all(env.dir);
}
