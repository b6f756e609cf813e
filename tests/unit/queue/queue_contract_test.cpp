// The queue contract against the in-memory fake (the AMQP queue joins it when it lands; the
// embedded inbox is the ledger's outbox, tested in tests/unit/queue/ledger_inbox_test.cpp).

#include "unit/queue/queue_contract.h"

#include "fakes/fake_queue.h"

namespace {

struct FakeQueueImpl {
    static constexpr bool kDurable = false;
    static std::unique_ptr<hub::Queue> open(queue_contract::Env& env) {
        return std::make_unique<hub::test::FakeQueue>(env.clock, env.visibility);
    }
};

}  // namespace

LIENTHONG_QUEUE_CONTRACT_TESTS(FakeQueueImpl)
