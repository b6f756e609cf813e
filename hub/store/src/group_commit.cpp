#include "hub/store/group_commit.h"

#include <optional>
#include <vector>

namespace hub::sqlite {

GroupCommitWriter::GroupCommitWriter(Db db, Logger& log, std::size_t max_batch)
    : db_(std::move(db)), log_(log), max_batch_(max_batch == 0 ? 1 : max_batch) {
    thread_ = std::thread([this] { loop(); });
}

GroupCommitWriter::~GroupCommitWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void GroupCommitWriter::enqueue(Pending p) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(p));
    }
    wake_.notify_one();
}

void GroupCommitWriter::loop() {
    std::deque<Pending> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;  // stopping and drained
            }
            // No waiting for more writers: whoever queued while the last COMMIT was being
            // fsync'd is the next batch, so a lone write pays no added latency.
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        run_batch(batch);
        batch.clear();
    }
}

void GroupCommitWriter::run_batch(std::deque<Pending>& batch) {
    auto finish_all = [&](const Failure* failure) {
        for (Pending& p : batch) {
            p.complete(failure);
        }
        writes_ += batch.size();
    };

    // IMMEDIATE takes the write lock now, so a second process using the file waits in
    // busy_timeout here rather than failing at COMMIT.
    if (auto r = db_.exec("BEGIN IMMEDIATE"); !r) {
        log_.error("store_begin_failed", "error=" + log_value(r.error().message));
        Failure f = fail(errc::unavailable, {}, r.error().message);
        // Nothing ran: every caller learns the store cannot take it now.
        finish_all(&f);
        return;
    }
    // A write that could not even get its SAVEPOINT did not run; it alone fails.
    std::vector<std::optional<Failure>> not_run(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto r = db_.exec("SAVEPOINT write"); !r) {
            not_run[i] = fail(errc::unavailable, {}, r.error().message);
            continue;
        }
        bool ok = batch[i].run(db_);
        db_.release_statements();
        if (!db_.in_transaction()) {
            // SQLite rolled the whole transaction back by itself (disk full, I/O error): the
            // writes before this one are gone too, and a later SAVEPOINT would open a new
            // transaction that its RELEASE commits on its own. The batch fails as one.
            log_.error("store_batch_rolled_back", "batch=" + std::to_string(batch.size()));
            Failure f = fail(errc::unavailable, {}, "the store rolled the transaction back");
            finish_all(&f);
            return;
        }
        if (!ok) {
            (void)db_.exec("ROLLBACK TO write");
        }
        (void)db_.exec("RELEASE write");
        if (!db_.in_transaction()) {
            log_.error("store_batch_rolled_back", "batch=" + std::to_string(batch.size()));
            Failure f = fail(errc::unavailable, {}, "the store rolled the transaction back");
            finish_all(&f);
            return;
        }
    }
    if (auto r = db_.exec("COMMIT"); !r) {
        log_.error("store_commit_failed", "batch=" + std::to_string(batch.size()) +
                                              " error=" + log_value(r.error().message));
        (void)db_.exec("ROLLBACK");
        Failure f = fail(errc::unavailable, {}, r.error().message);
        finish_all(&f);
        return;
    }
    ++commits_;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i].complete(not_run[i] ? &*not_run[i] : nullptr);
    }
    writes_ += batch.size();
}

}  // namespace hub::sqlite
