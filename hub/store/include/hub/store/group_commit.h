#pragma once
/// Group commit: one thread owns the write connection. Writes queue up; the thread runs
/// every waiting write (up to a maximum) inside ONE transaction, each in its own SAVEPOINT so
/// one write's failure rolls back only that write, then COMMITs once (one fsync) and only
/// then completes the callers. Throughput follows the number of waiting writers, not the
/// disk's fsync rate.

#include "hub/core/logger.h"
#include "hub/core/result.h"
#include "hub/store/sqlite_db.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace hub::sqlite {

/// A write: runs on the writer thread inside the batch transaction. Its failure rolls back
/// only its own SAVEPOINT. It must not BEGIN/COMMIT itself.
template <class T>
using WriteFn = std::function<Result<T>(Db&)>;

class GroupCommitWriter {
public:
    /// Takes the open read-write connection and starts the writer thread. `log` must outlive
    /// the writer. `max_batch` bounds how many writes share one transaction.
    GroupCommitWriter(Db db, Logger& log, std::size_t max_batch = 256);
    /// Runs what is queued, then stops the thread. Calls made after destruction began are
    /// a bug.
    ~GroupCommitWriter();
    GroupCommitWriter(const GroupCommitWriter&) = delete;
    GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

    /// Queues `fn` and resumes the caller on its own executor once the transaction holding
    /// it has COMMITted: the value or failure `fn` returned, or UNAVAILABLE when the commit
    /// itself failed. Keeps the caller's executor busy (outstanding work) until then.
    template <class T>
    boost::asio::awaitable<Result<T>> write(WriteFn<T> fn);

    /// Same, blocking the calling thread: for start-up and tools, never an I/O thread.
    template <class T>
    Result<T> write_sync(WriteFn<T> fn);

    /// Transactions committed so far (for tests and metrics).
    std::uint64_t commits() const noexcept { return commits_.load(); }
    /// Writes completed so far, committed or not.
    std::uint64_t writes() const noexcept { return writes_.load(); }

private:
    struct Pending {
        /// Runs the write; true when it succeeded (its SAVEPOINT is kept).
        std::function<bool(Db&)> run;
        /// Called after the COMMIT with null, or with the failure that undid the write (the
        /// COMMIT's, or its SAVEPOINT's when it never ran).
        std::function<void(const Failure*)> complete;
    };

    void enqueue(Pending p);
    void loop();
    void run_batch(std::deque<Pending>& batch);

    Db db_;
    Logger& log_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> writes_{0};
    std::thread thread_;
};

namespace detail {

/// Runs `fn`, turning an escaping exception (a bug) into INTERNAL so one bad write cannot
/// take the writer thread down.
template <class T>
Result<T> guarded(const WriteFn<T>& fn, Db& db) {
    try {
        return fn(db);
    } catch (const std::exception& e) {
        return fail(errc::internal, {}, std::string("store: ") + e.what());
    }
}

}  // namespace detail

template <class T>
boost::asio::awaitable<Result<T>> GroupCommitWriter::write(WriteFn<T> fn) {
    auto initiate = [this](auto handler, WriteFn<T> fn) {
        using Handler = decltype(handler);
        // Outstanding work keeps the caller's io_context running while the write waits on
        // another thread.
        auto work = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                        boost::asio::execution::outstanding_work.tracked);
        auto slot = std::make_shared<std::optional<Result<T>>>();
        auto shared = std::make_shared<Handler>(std::move(handler));
        enqueue(Pending{[fn = std::move(fn), slot](Db& db) {
                            slot->emplace(detail::guarded(fn, db));
                            return slot->value().has_value();
                        },
                        [slot, shared, work](const Failure* commit_failure) {
                            Result<T> result = commit_failure != nullptr
                                                   ? Result<T>(*commit_failure)
                                                   : std::move(slot->value());
                            boost::asio::post(work, [shared, result = std::move(result)]() mutable {
                                (*shared)(std::move(result));
                            });
                        }});
    };
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
        std::move(initiate), boost::asio::use_awaitable, std::move(fn));
}

template <class T>
Result<T> GroupCommitWriter::write_sync(WriteFn<T> fn) {
    auto slot = std::make_shared<std::optional<Result<T>>>();
    auto done = std::make_shared<std::promise<Result<T>>>();
    auto future = done->get_future();
    enqueue(Pending{[fn = std::move(fn), slot](Db& db) {
                        slot->emplace(detail::guarded(fn, db));
                        return slot->value().has_value();
                    },
                    [slot, done](const Failure* commit_failure) {
                        done->set_value(commit_failure != nullptr ? Result<T>(*commit_failure)
                                                                  : std::move(slot->value()));
                    }});
    return future.get();
}

}  // namespace hub::sqlite
