// The queue contract against the in-memory fake and the SQLite queue.

#include "unit/queue/queue_contract.h"

#include "fakes/fake_queue.h"
#include "hub/queue/sqlite_queue.h"

namespace {

struct FakeQueueImpl {
    static constexpr bool kDurable = false;
    static std::unique_ptr<hub::Queue> open(queue_contract::Env& env) {
        return std::make_unique<hub::test::FakeQueue>(env.clock, env.visibility);
    }
};

struct SqliteQueueImpl {
    static constexpr bool kDurable = true;
    static std::unique_ptr<hub::Queue> open(queue_contract::Env& env) {
        hub::SqliteQueueOptions options;
        options.path = env.dir + "/queue.db";
        options.visibility_timeout = env.visibility;
        auto q = hub::SqliteQueue::open(options, env.clock, env.log);
        REQUIRE(q.has_value());
        return std::move(*q);
    }
};

}  // namespace

LIENTHONG_QUEUE_CONTRACT_TESTS(FakeQueueImpl, SqliteQueueImpl)
