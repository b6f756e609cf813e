#pragma once
/// Read-only connections on their own threads, so reads never wait behind the writer's
/// fsync (WAL lets readers see the last COMMIT while a write transaction is open).

#include "hub/core/result.h"
#include "hub/store/sqlite_db.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hub::sqlite {

/// A read: runs on a reader thread with a connection of its own, outside any write.
template <class T>
using ReadFn = std::function<Result<T>(Db&)>;

class ReaderPool {
public:
    /// Opens `threads` read-only connections to `path` (which must exist) and as many
    /// threads. Error: UNAVAILABLE.
    static Result<std::unique_ptr<ReaderPool>> open(const std::string& path,
                                                    std::size_t threads,
                                                    std::chrono::milliseconds busy_timeout);
    /// Joins the threads after the queued reads ran.
    ~ReaderPool();
    ReaderPool(const ReaderPool&) = delete;
    ReaderPool& operator=(const ReaderPool&) = delete;

    /// Runs `fn` on a reader thread and resumes the caller on its own executor.
    template <class T>
    boost::asio::awaitable<Result<T>> read(ReadFn<T> fn) {
        return boost::asio::co_spawn(pool_.get_executor(), run(*this, std::move(fn)),
                                     boost::asio::use_awaitable);
    }

    /// Same, blocking the calling thread: for start-up and tools.
    template <class T>
    Result<T> read_sync(ReadFn<T> fn) {
        auto db = acquire();
        if (!db) {
            return db.error();
        }
        return guarded(fn, **db);
    }

private:
    explicit ReaderPool(std::size_t threads) : pool_(threads) {}

    /// A connection for the duration of one read; returned to the pool when released.
    Result<std::shared_ptr<Db>> acquire();

    // A plain coroutine, not a lambda: its frame owns its arguments (STYLE example C).
    template <class T>
    static boost::asio::awaitable<Result<T>> run(ReaderPool& pool, ReadFn<T> fn) {
        auto db = pool.acquire();
        if (!db) {
            co_return db.error();
        }
        co_return guarded(fn, **db);
    }

    template <class T>
    static Result<T> guarded(const ReadFn<T>& fn, Db& db) {
        try {
            auto result = fn(db);
            db.release_statements();
            return result;
        } catch (const std::exception& e) {
            db.release_statements();
            return fail(errc::internal, {}, std::string("store: ") + e.what());
        }
    }

    boost::asio::thread_pool pool_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Db>> idle_;
    std::string path_;
    std::chrono::milliseconds busy_timeout_{};
};

}  // namespace hub::sqlite
