#include "hub/queue/outbox_relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>

namespace hub {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr auto kMaxBackoff = 10s;
}

/// Shared with the wake-up callback, which the ledger's writer thread may call late.
struct OutboxRelay::Loop : std::enable_shared_from_this<OutboxRelay::Loop> {
    Loop(OutboxStore& o, Queue& q, const Clock& c, Logger& l, OutboxRelayOptions opt)
        : outbox(o), queue(q), clock(c), log(l), options(std::move(opt)) {}

    OutboxStore& outbox;
    Queue& queue;
    const Clock& clock;
    Logger& log;
    OutboxRelayOptions options;
    std::atomic<std::int64_t> backlog{0};
    std::atomic<bool> publishing{false};
    std::atomic<std::uint64_t> relayed{0};
    std::mutex mutex;
    std::optional<asio::strand<asio::any_io_executor>> strand;
    std::optional<asio::steady_timer> timer;
    std::atomic<bool> dirty{true};
    std::atomic<bool> stopping{false};

    /// From any thread: cut the current wait short.
    void wake() {
        dirty = true;
        std::lock_guard lock(mutex);
        if (strand) {
            asio::post(*strand, [self = shared_from_this()] {
                if (self->timer) {
                    self->timer->cancel();
                }
            });
        }
    }

    /// Until `d` has passed or, when `wakeable`, a commit added items.
    asio::awaitable<void> pause(std::chrono::milliseconds d, bool wakeable = true) {
        if (wakeable) {
            timer->expires_after(d);
            co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        // A backoff: commits arriving meanwhile must not shorten it.
        asio::steady_timer backoff(co_await asio::this_coro::executor, d);
        co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    }
};

namespace {

using Loop = OutboxRelay::Loop;

// Marks every item of a published batch at once, so the ledger's group commit makes them
// one transaction instead of one fsync each.
asio::awaitable<void> mark_one(Loop& loop,
                               std::string item_id,
                               Instant now,
                               std::shared_ptr<std::size_t> left,
                               std::shared_ptr<asio::steady_timer> done) {
    auto marked = co_await loop.outbox.mark_relayed(item_id, "", now);
    if (!marked) {
        // The row stays claimable: it is published again when its lease ends (a copy the
        // inbox drops).
        loop.log.warn("relay_mark_failed",
                      "id=" + item_id + " error=\"" + marked.error().text() + "\"");
    }
    if (--*left == 0) {
        done->cancel();
    }
}

asio::awaitable<void> mark_all(Loop& loop, std::vector<RelayItem> items, Instant now) {
    auto executor = co_await asio::this_coro::executor;
    auto left = std::make_shared<std::size_t>(items.size());
    auto done =
        std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    for (auto& item : items) {
        asio::co_spawn(executor, mark_one(loop, std::move(item.item.item_id), now, left, done),
                       [&log = loop.log](std::exception_ptr e) {
                           if (e) {
                               log.error("relay_mark_crashed");
                           }
                       });
    }
    if (*left > 0) {
        co_await done->async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> fail_all(Loop& loop,
                               const std::vector<RelayItem>& items,
                               std::string error,
                               Instant retry_at) {
    for (const auto& item : items) {
        AuditRecord audit{loop.clock.now(),  "hub",         "relay.dead",
                          item.item.item_id, "UNAVAILABLE", "channel=" + loop.options.channel};
        auto r = co_await loop.outbox.mark_relay_failed(item.item.item_id, error, retry_at, false,
                                                        std::move(audit));
        if (!r) {
            loop.log.warn("relay_mark_failed", "id=" + item.item.item_id);
        }
    }
}

asio::awaitable<void> run(std::shared_ptr<Loop> self) {
    Loop& loop = *self;
    loop.timer.emplace(co_await asio::this_coro::executor);
    // What the previous process had claimed comes back at once, ahead of newer items:
    // acceptance order survives the restart, whatever the clock did meanwhile.
    while (!loop.stopping) {
        auto released = co_await loop.outbox.release_leases(loop.options.channel, loop.clock.now());
        if (released) {
            break;
        }
        loop.log.warn("relay_release_failed", "error=\"" + released.error().text() + "\"");
        co_await loop.pause(loop.options.retry, false);
    }
    auto backoff = loop.options.retry;
    while (!loop.stopping) {
        if (auto backlog = co_await loop.outbox.relay_backlog(loop.options.channel)) {
            loop.backlog = backlog->count;
        }
        loop.dirty = false;
        // While the broker is away, one item probes it: claiming a whole batch only to mark
        // it failed again would cost a ledger write per item per attempt.
        const std::size_t batch = loop.publishing ? loop.options.batch : 1;
        auto claim = co_await loop.outbox.claim_relay(loop.options.channel, batch, loop.clock.now(),
                                                      loop.options.lease);
        if (!claim) {
            loop.log.warn("relay_claim_failed", "error=\"" + claim.error().text() + "\"");
            co_await loop.pause(backoff, false);
            continue;
        }
        if (claim->empty()) {
            if (!loop.dirty) {
                co_await loop.pause(loop.options.poll);
            }
            continue;
        }
        std::vector<QueueMessage> messages;
        messages.reserve(claim->size());
        for (const auto& c : *claim) {
            messages.push_back(QueueMessage{c.item.item_id, c.item.recipient, c.item.kind,
                                            std::to_string(c.item.seq), c.item.created_at, 0});
        }
        const std::size_t n = messages.size();
        auto published = co_await loop.queue.publish(std::move(messages));
        if (!published) {
            if (loop.publishing.exchange(false)) {
                loop.log.warn("relay_paused", "error=\"" + published.error().text() + "\"");
            }
            // Claimable again at once, so the next claim (after the backoff) takes the oldest
            // items first: acceptance order survives the outage.
            co_await fail_all(loop, *claim, published.error().text(), loop.clock.now());
            co_await loop.pause(backoff, false);
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
            continue;
        }
        if (!loop.publishing.exchange(true)) {
            loop.log.info("relay_publishing", "channel=" + loop.options.channel);
        }
        backoff = loop.options.retry;
        co_await mark_all(loop, std::move(*claim), loop.clock.now());
        loop.relayed += n;
    }
    // The timer belongs to the executor's io_context, which may be gone before the relay.
    loop.timer.reset();
}

}  // namespace

OutboxRelay::OutboxRelay(
    OutboxStore& outbox, Queue& queue, const Clock& clock, Logger& log, OutboxRelayOptions options)
    : loop_(std::make_shared<Loop>(outbox, queue, clock, log, std::move(options))) {
    std::weak_ptr<Loop> weak = loop_;
    const std::string channel = loop_->options.channel;
    outbox.on_relay_items([weak, channel](const std::string& c) {
        if (c != channel) {
            return;
        }
        if (auto loop = weak.lock()) {
            loop->wake();
        }
    });
}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::start(asio::any_io_executor executor) {
    {
        std::lock_guard lock(loop_->mutex);
        loop_->strand.emplace(asio::make_strand(executor));
    }
    asio::co_spawn(*loop_->strand, run(loop_), [&log = loop_->log](std::exception_ptr e) {
        if (!e) {
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log.error("relay_crashed", std::string("error=\"") + ex.what() + "\"");
        }
    });
}

std::int64_t OutboxRelay::backlog() const { return loop_->backlog.load(); }

bool OutboxRelay::publishing() const { return loop_->publishing.load(); }

std::uint64_t OutboxRelay::relayed() const { return loop_->relayed.load(); }

void OutboxRelay::stop() {
    loop_->stopping = true;
    loop_->wake();
}

}  // namespace hub
