#pragma once
// The contract every hub::Queue implementation keeps (hub/queue/queue.h), as Catch2 test
// cases over a list of implementation traits. Each traits type provides:
//
//     static constexpr bool kDurable;  // survives destroy + construct on the same files
//     static std::unique_ptr<hub::Queue> open(queue_contract::Env& env);
//
// and the including file instantiates the suite with
//
//     LIENTHONG_QUEUE_CONTRACT_TESTS(FakeQueueImpl, SqliteQueueImpl)
//
// The AMQP implementation runs the same suite in its integration tests.

#include "fakes/run_sync.h"
#include "hub/core/clock.h"
#include "hub/core/logger.h"
#include "hub/queue/queue.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace queue_contract {

using namespace std::chrono_literals;
namespace asio = boost::asio;

inline hub::Instant start_time() {
    return hub::Instant(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + 2h;
}

/// What an implementation is opened with: a fresh directory per test case, a clock that
/// moves only when told, and the visibility timeout.
struct Env {
    std::string dir;
    hub::ManualClock clock{start_time()};
    std::chrono::milliseconds visibility = 30s;
    hub::Logger log{hub::LogLevel::warn};
};

inline std::string make_temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/queue-contract-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
}

template <class Traits>
class Fixture {
public:
    Fixture() {
        env.dir = make_temp_dir();
        queue_ = Traits::open(env);
    }
    ~Fixture() {
        queue_.reset();
        std::error_code ec;
        std::filesystem::remove_all(env.dir, ec);
    }
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;

    hub::Queue& queue() { return *queue_; }

    template <class T>
    T run(asio::awaitable<T> aw) {
        return run_sync(io, std::move(aw));
    }

    /// Simulates a crash and restart between calls.
    void reopen() {
        queue_.reset();
        queue_ = Traits::open(env);
    }

    void publish(std::vector<hub::QueueMessage> messages) {
        auto r = run(queue().publish(std::move(messages)));
        REQUIRE(r.has_value());
    }

    std::vector<hub::QueueMessage> take(const std::string& recipient,
                                        std::size_t max = 10,
                                        std::chrono::milliseconds wait = 0ms) {
        auto r = run(queue().take(recipient, max, wait));
        REQUIRE(r.has_value());
        return std::move(*r);
    }

    bool ack(const std::string& recipient, const std::string& id) {
        auto r = run(queue().ack(recipient, id));
        REQUIRE(r.has_value());
        return *r;
    }

    std::map<std::string, std::size_t> depths() {
        auto r = run(queue().depths());
        REQUIRE(r.has_value());
        return std::move(*r);
    }

    Env env;
    asio::io_context io;

private:
    std::unique_ptr<hub::Queue> queue_;
};

inline hub::QueueMessage message(std::string id,
                                 std::string recipient,
                                 std::string payload = "payload") {
    hub::QueueMessage m;
    m.id = std::move(id);
    m.recipient = std::move(recipient);
    m.kind = "envelope";
    m.payload = std::move(payload);
    return m;
}

/// Completion of spawned helpers: a failed REQUIRE inside them surfaces from io.run().
inline void rethrow(std::exception_ptr e) {
    if (e) {
        std::rethrow_exception(e);
    }
}

inline std::vector<std::string> ids(const std::vector<hub::QueueMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) {
        out.push_back(m.id);
    }
    return out;
}

// ---- the cases ----

template <class Traits>
void publish_then_take() {
    Fixture<Traits> f;
    auto m = message("d-1", "H39.05", std::string("bytes\0with nul", 14));
    m.kind = "status";
    f.publish({m});
    auto got = f.take("H39.05");
    REQUIRE(got.size() == 1);
    CHECK(got[0].id == "d-1");
    CHECK(got[0].recipient == "H39.05");
    CHECK(got[0].kind == "status");
    CHECK(got[0].payload == m.payload);
    CHECK(got[0].enqueued_at == start_time());  // stamped with the queue's clock
    CHECK(got[0].attempt == 1);
}

template <class Traits>
void order_per_recipient() {
    Fixture<Traits> f;
    f.publish({message("a", "H39"), message("b", "H39"), message("c", "H39")});
    f.publish({message("d", "H39")});
    f.publish({message("e", "H39")});
    CHECK(ids(f.take("H39")) == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

template <class Traits>
void other_recipients_not_returned() {
    Fixture<Traits> f;
    f.publish({message("a", "H39"), message("b", "G22"), message("c", "H39.05")});
    CHECK(ids(f.take("H39")) == std::vector<std::string>{"a"});
    CHECK(ids(f.take("G22")) == std::vector<std::string>{"b"});
    CHECK(f.take("H41").empty());
    CHECK_FALSE(f.ack("G22", "a"));  // not G22's to ack
}

template <class Traits>
void max_honoured() {
    Fixture<Traits> f;
    f.publish({message("1", "H39"), message("2", "H39"), message("3", "H39"), message("4", "H39"),
               message("5", "H39")});
    CHECK(ids(f.take("H39", 2)) == std::vector<std::string>{"1", "2"});
    CHECK(ids(f.take("H39", 10)) == std::vector<std::string>{"3", "4", "5"});
    CHECK(f.take("H39", 0).empty());
}

template <class Traits>
void duplicate_publish_stored_once() {
    Fixture<Traits> f;
    f.publish({message("d-1", "H39", "first"), message("d-1", "H39", "second")});
    f.publish({message("d-1", "H39", "third")});
    CHECK(f.depths() == std::map<std::string, std::size_t>{{"H39", 1}});
    auto got = f.take("H39");
    REQUIRE(got.size() == 1);
    CHECK(got[0].payload == "first");
}

template <class Traits>
void ack_true_then_false() {
    Fixture<Traits> f;
    f.publish({message("d-1", "H39")});
    REQUIRE(f.take("H39").size() == 1);
    CHECK(f.ack("H39", "d-1"));
    CHECK_FALSE(f.ack("H39", "d-1"));
    CHECK_FALSE(f.ack("H39", "never-published"));
    f.env.clock.advance(f.env.visibility + 1s);
    CHECK(f.take("H39").empty());  // acked: gone for good
}

template <class Traits>
void unacked_returns_after_visibility_timeout() {
    Fixture<Traits> f;
    f.publish({message("d-1", "H39"), message("d-2", "H39")});
    auto first = f.take("H39", 1);
    REQUIRE(ids(first) == std::vector<std::string>{"d-1"});
    CHECK(first[0].attempt == 1);
    // While d-1 is invisible, d-2 is what the next take offers.
    CHECK(ids(f.take("H39")) == std::vector<std::string>{"d-2"});
    CHECK(f.take("H39").empty());

    f.env.clock.advance(f.env.visibility - 1ms);
    CHECK(f.take("H39").empty());
    f.env.clock.advance(1ms);
    REQUIRE(f.ack("H39", "d-2"));
    auto again = f.take("H39");
    REQUIRE(ids(again) == std::vector<std::string>{"d-1"});
    CHECK(again[0].attempt == 2);
    f.env.clock.advance(f.env.visibility);
    auto third = f.take("H39");
    REQUIRE(third.size() == 1);
    CHECK(third[0].attempt == 3);
}

// Catch2 assertions cannot appear inside coroutines (GCC 12 rejects their __func__ use), so
// helpers hand their results out and the test body checks them.

inline asio::awaitable<void> publish_after(hub::Queue& queue,
                                           std::chrono::milliseconds delay,
                                           hub::QueueMessage m,
                                           bool& published) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    // A named vector: GCC 12 miscompiles an initializer list inside a co_await expression.
    std::vector<hub::QueueMessage> batch;
    batch.push_back(std::move(m));
    auto r = co_await queue.publish(std::move(batch));
    published = r.has_value();
}

template <class Traits>
void take_wakes_on_publish() {
    Fixture<Traits> f;
    // The publisher's delay only makes it likely that the take is already waiting; the
    // assertion does not depend on it.
    bool published = false;
    asio::co_spawn(f.io, publish_after(f.queue(), 100ms, message("d-1", "H39"), published),
                   rethrow);
    auto started = std::chrono::steady_clock::now();
    auto got = f.take("H39", 10, 20s);
    auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(published);
    CHECK(ids(got) == std::vector<std::string>{"d-1"});
    CHECK(elapsed < 5s);
}

template <class Traits>
void publish_for_another_recipient_does_not_satisfy_wait() {
    Fixture<Traits> f;
    bool published = false;
    asio::co_spawn(f.io, publish_after(f.queue(), 20ms, message("x", "G22"), published), rethrow);
    auto started = std::chrono::steady_clock::now();
    auto got = f.take("H39", 10, 300ms);
    auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(published);
    CHECK(got.empty());
    CHECK(elapsed >= 290ms);
}

template <class Traits>
void take_with_wait_times_out_empty() {
    Fixture<Traits> f;
    auto started = std::chrono::steady_clock::now();
    auto got = f.take("H39", 10, 200ms);
    auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(got.empty());
    CHECK(elapsed >= 190ms);
    CHECK(elapsed < 5s);
}

inline asio::awaitable<void> long_poll(hub::Queue& queue, std::string recipient, int& woken) {
    auto r = co_await queue.take(recipient, 10, 30s);
    if (r && r->size() == 1 && (*r)[0].recipient == recipient) {
        ++woken;
    }
}

inline asio::awaitable<hub::Result<void>> publish_to_all(hub::Queue& queue, int n) {
    // Lets every long-poll reach its wait first (they are queued on the same io_context).
    asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
    co_await timer.async_wait(asio::use_awaitable);
    std::vector<hub::QueueMessage> batch;
    for (int i = 0; i < n; ++i) {
        batch.push_back(message("m-" + std::to_string(i), "R" + std::to_string(i)));
    }
    co_return co_await queue.publish(std::move(batch));
}

template <class Traits>
void many_long_polls_on_one_thread() {
    Fixture<Traits> f;
    constexpr int kPolls = 300;
    int woken = 0;
    for (int i = 0; i < kPolls; ++i) {
        asio::co_spawn(f.io, long_poll(f.queue(), "R" + std::to_string(i), woken), rethrow);
    }
    auto started = std::chrono::steady_clock::now();
    auto published = f.run(publish_to_all(f.queue(), kPolls));  // runs the polls too
    INFO((published ? std::string("published") : published.error().text()));
    CHECK(published.has_value());
    CHECK(woken == kPolls);
    CHECK(std::chrono::steady_clock::now() - started < 20s);
}

template <class Traits>
void reopen_keeps_unacked() {
    if constexpr (!Traits::kDurable) {
        SUCCEED("in-memory implementation: nothing to reopen");
    } else {
        Fixture<Traits> f;
        f.publish({message("a", "H39"), message("b", "H39"), message("c", "H39")});
        REQUIRE(ids(f.take("H39", 1)) == std::vector<std::string>{"a"});
        REQUIRE(f.ack("H39", "a"));
        REQUIRE(ids(f.take("H39", 1)) == std::vector<std::string>{"b"});  // taken, not acked
        f.reopen();
        CHECK(f.depths() == std::map<std::string, std::size_t>{{"H39", 2}});
        // b is still invisible: its visibility survived the restart too.
        CHECK(ids(f.take("H39")) == std::vector<std::string>{"c"});
        f.env.clock.advance(f.env.visibility);
        auto both = f.take("H39");
        REQUIRE(ids(both) == std::vector<std::string>{"b", "c"});
        CHECK(both[0].attempt == 2);
        CHECK(both[1].attempt == 2);
        f.publish({message("a", "H39")});  // acked before the restart: a new message now
        CHECK(f.depths() == std::map<std::string, std::size_t>{{"H39", 3}});
    }
}

template <class Traits>
void depths_count_unacked() {
    Fixture<Traits> f;
    CHECK(f.depths().empty());
    f.publish({message("a", "H39"), message("b", "H39"), message("c", "G22")});
    CHECK(f.depths() == std::map<std::string, std::size_t>{{"G22", 1}, {"H39", 2}});
    REQUIRE(f.take("H39").size() == 2);  // taken still counts
    CHECK(f.depths() == std::map<std::string, std::size_t>{{"G22", 1}, {"H39", 2}});
    REQUIRE(f.ack("H39", "a"));
    REQUIRE(f.ack("G22", "c"));
    CHECK(f.depths() == std::map<std::string, std::size_t>{{"H39", 1}});
}

}  // namespace queue_contract

// One TEMPLATE_TEST_CASE per clause of the contract, over the traits types given.
#define LIENTHONG_QUEUE_CONTRACT_TESTS(...)                                                       \
    TEMPLATE_TEST_CASE("queue: publish then take returns it", "[queue][contract]", __VA_ARGS__) { \
        queue_contract::publish_then_take<TestType>();                                            \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: publish order per recipient", "[queue][contract]", __VA_ARGS__) {  \
        queue_contract::order_per_recipient<TestType>();                                          \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: other recipients' messages are not returned", "[queue][contract]", \
                       __VA_ARGS__) {                                                             \
        queue_contract::other_recipients_not_returned<TestType>();                                \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: take honours max", "[queue][contract]", __VA_ARGS__) {             \
        queue_contract::max_honoured<TestType>();                                                 \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: a message id published twice is stored once", "[queue][contract]", \
                       __VA_ARGS__) {                                                             \
        queue_contract::duplicate_publish_stored_once<TestType>();                                \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: ack is true the first time, then false", "[queue][contract]",      \
                       __VA_ARGS__) {                                                             \
        queue_contract::ack_true_then_false<TestType>();                                          \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: an unacked message returns after the visibility timeout",          \
                       "[queue][contract]", __VA_ARGS__) {                                        \
        queue_contract::unacked_returns_after_visibility_timeout<TestType>();                     \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: a waiting take returns as soon as a message is published",         \
                       "[queue][contract]", __VA_ARGS__) {                                        \
        queue_contract::take_wakes_on_publish<TestType>();                                        \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: a publish for another recipient does not end a wait",              \
                       "[queue][contract]", __VA_ARGS__) {                                        \
        queue_contract::publish_for_another_recipient_does_not_satisfy_wait<TestType>();          \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: a waiting take times out empty", "[queue][contract]",              \
                       __VA_ARGS__) {                                                             \
        queue_contract::take_with_wait_times_out_empty<TestType>();                               \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: hundreds of long-polls wait without a thread each",                \
                       "[queue][contract]", __VA_ARGS__) {                                        \
        queue_contract::many_long_polls_on_one_thread<TestType>();                                \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: unacked messages survive a reopen", "[queue][contract]",           \
                       __VA_ARGS__) {                                                             \
        queue_contract::reopen_keeps_unacked<TestType>();                                         \
    }                                                                                             \
    TEMPLATE_TEST_CASE("queue: depths count unacked messages per recipient", "[queue][contract]", \
                       __VA_ARGS__) {                                                             \
        queue_contract::depths_count_unacked<TestType>();                                         \
    }
