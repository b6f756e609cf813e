#pragma once
// Catch2 cannot co_await: run one awaitable to completion on `io` from a test body.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <utility>

namespace hub::test {

/// Spawns `aw` on `io`, runs `io` until it has no more work, and returns the result (or
/// rethrows what the coroutine threw). Anything else already spawned on `io` runs too.
template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> aw) {
    auto future = boost::asio::co_spawn(io, std::move(aw), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

}  // namespace hub::test

using hub::test::run_sync;
