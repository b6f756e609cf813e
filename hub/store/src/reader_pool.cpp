#include "hub/store/reader_pool.h"

namespace hub::sqlite {

Result<std::unique_ptr<ReaderPool>> ReaderPool::open(const std::string& path,
                                                     std::size_t threads,
                                                     std::chrono::milliseconds busy_timeout) {
    if (threads == 0) {
        threads = 1;
    }
    std::unique_ptr<ReaderPool> pool(new ReaderPool(threads));
    pool->path_ = path;
    pool->busy_timeout_ = busy_timeout;
    // One connection per thread, opened now so a bad path fails at start-up.
    for (std::size_t i = 0; i < threads; ++i) {
        auto db = Db::open(path, OpenMode::read_only, busy_timeout);
        if (!db) {
            return db.error();
        }
        pool->idle_.push_back(std::make_unique<Db>(std::move(*db)));
    }
    return pool;
}

ReaderPool::~ReaderPool() { pool_.join(); }

Result<std::shared_ptr<Db>> ReaderPool::acquire() {
    std::unique_ptr<Db> db;
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            db = std::move(idle_.back());
            idle_.pop_back();
        }
    }
    if (!db) {
        // Only while a read_sync caller holds a connection: rare (start-up, tools), so a
        // short-lived extra connection is fine.
        auto opened = Db::open(path_, OpenMode::read_only, busy_timeout_);
        if (!opened) {
            return opened.error();
        }
        db = std::make_unique<Db>(std::move(*opened));
    }
    return std::shared_ptr<Db>(db.release(), [this](Db* p) {
        std::lock_guard lock(mutex_);
        idle_.emplace_back(p);
    });
}

}  // namespace hub::sqlite
