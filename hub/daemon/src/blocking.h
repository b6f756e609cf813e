#pragma once
// Running blocking work (file I/O with fsync, large reads) off the I/O threads while the
// calling coroutine stays linear: hop to the blocking pool, run, hop back.

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>

namespace hub {

/// Runs `work()` on `pool` and resumes the caller on its own executor with the result.
template <class Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> run_blocking(boost::asio::thread_pool& pool,
                                                                 Work work) {
    auto home = co_await boost::asio::this_coro::executor;
    co_await boost::asio::post(boost::asio::bind_executor(pool, boost::asio::use_awaitable));
    auto result = work();
    co_await boost::asio::post(boost::asio::bind_executor(home, boost::asio::use_awaitable));
    co_return result;
}

}  // namespace hub
