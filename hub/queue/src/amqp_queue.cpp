#include "hub/queue/amqp_queue.h"

#include "hub/queue/recipient_waiters.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "amqp_connection.h"

namespace hub {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr amqp_channel_t kChannel = 1;
// A long poll looks at the broker again this often, for messages another process published
// (this process wakes its own polls when it publishes).
constexpr auto kRecheck = 1000ms;
/// Past the connection's first reconnect backoff (100 ms).
constexpr auto kRetryAfterDrop = 150ms;
constexpr auto kKeepalive = 1000ms;
constexpr int kPublishRounds = 5;
constexpr auto kRefusedPause = 100ms;
constexpr const char* kEnqueuedHeader = "lienthong-enqueued-ms";

std::int64_t millis(Instant t) { return t.time_since_epoch().count(); }

amqp_bytes_t bytes(const std::string& s) {
    return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

timeval to_timeval(std::chrono::milliseconds d) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
    return tv;
}

/// An integer header of any AMQP integer kind.
std::optional<std::int64_t> int_header(const amqp_table_t& headers, const char* key) {
    for (int i = 0; i < headers.num_entries; ++i) {
        const auto& e = headers.entries[i];
        if (text(e.key) != key) {
            continue;
        }
        switch (e.value.kind) {
            case AMQP_FIELD_KIND_I8:
                return e.value.value.i8;
            case AMQP_FIELD_KIND_U8:
                return e.value.value.u8;
            case AMQP_FIELD_KIND_I16:
                return e.value.value.i16;
            case AMQP_FIELD_KIND_U16:
                return e.value.value.u16;
            case AMQP_FIELD_KIND_I32:
                return e.value.value.i32;
            case AMQP_FIELD_KIND_U32:
                return e.value.value.u32;
            case AMQP_FIELD_KIND_I64:
                return e.value.value.i64;
            case AMQP_FIELD_KIND_U64:
                return static_cast<std::int64_t>(e.value.value.u64);
            default:
                return std::nullopt;
        }
    }
    return std::nullopt;
}

/// A message this object took from the broker and has not settled: unacked on the consumer
/// connection of generation `generation`.
struct Held {
    QueueMessage message;
    std::uint64_t generation = 0;
    std::uint64_t tag = 0;
    std::int64_t visible_at = 0;  // hub-clock milliseconds; 0 = not offered yet
};

}  // namespace

struct AmqpQueue::State {
    State(AmqpOptions o, const Clock& c, Logger& l)
        : options(std::move(o)),
          clock(c),
          log(l),
          publisher(options, log, "publish", true),
          consumer(options, log, "consume", false) {}

    std::string queue_name(const std::string& recipient) const {
        return options.queue_prefix + recipient;
    }

    AmqpOptions options;
    const Clock& clock;
    Logger& log;
    // Each connection is used only by the one thread of its pool.
    amqp::Connection publisher;
    amqp::Connection consumer;
    // Pointers so shutdown() can destroy what they abandoned (coroutines their callers wait
    // on) while the callers' io_context is still there.
    std::unique_ptr<asio::thread_pool> publish_thread = std::make_unique<asio::thread_pool>(1);
    std::unique_ptr<asio::thread_pool> consume_thread = std::make_unique<asio::thread_pool>(1);

    mutable std::mutex mutex;
    std::map<std::string, std::vector<Held>> held;  // per recipient, in the order taken
    std::set<std::string> outstanding;              // published here, not acked yet
    std::set<std::string> recipients;               // queues this object knows
    RecipientWaiters waiters;
    std::atomic<bool> interrupted{false};
    std::atomic<bool> stopping{false};
};

namespace {

using State = AmqpQueue::State;

// ---- publisher thread ----

/// Publisher confirms of one round: delivery tag -> message id, and the ids the broker refused.
struct Confirms {
    std::map<std::uint64_t, std::string> unconfirmed;
    std::set<std::string> refused;
    bool awaiting_return_header = false;
};

/// Reads one frame of the publisher channel and settles the confirms it carries.
Result<void> read_confirm(amqp::Connection& c,
                          Confirms& confirms,
                          std::chrono::milliseconds timeout) {
    amqp_frame_t frame{};
    timeval tv = to_timeval(timeout);
    int st = amqp_simple_wait_frame_noblock(c.raw(), &frame, &tv);
    if (st != AMQP_STATUS_OK) {
        return c.failed("confirm wait", st);
    }
    if (frame.frame_type == AMQP_FRAME_HEADER && confirms.awaiting_return_header) {
        // The properties of a returned message name it; its body frames are skipped.
        confirms.awaiting_return_header = false;
        const auto* props =
            static_cast<const amqp_basic_properties_t*>(frame.payload.properties.decoded);
        if (props != nullptr && (props->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0) {
            confirms.refused.insert(text(props->message_id));
        }
        return {};
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) {
        return {};
    }
    auto settle = [&](std::uint64_t tag, bool multiple, bool refused) {
        auto first = multiple ? confirms.unconfirmed.begin() : confirms.unconfirmed.find(tag);
        auto last = multiple ? confirms.unconfirmed.upper_bound(tag)
                             : (first == confirms.unconfirmed.end() ? first : std::next(first));
        for (auto it = first; refused && it != last; ++it) {
            confirms.refused.insert(it->second);
        }
        confirms.unconfirmed.erase(first, last);
    };
    switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
            settle(ack->delivery_tag, ack->multiple != 0, false);
            return {};
        }
        case AMQP_BASIC_NACK_METHOD: {
            const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
            settle(nack->delivery_tag, nack->multiple != 0, true);
            return {};
        }
        case AMQP_BASIC_RETURN_METHOD:
            // Unroutable (its queue is gone): the ack that follows does not make it stored.
            confirms.awaiting_return_header = true;
            return {};
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD: {
            amqp_rpc_reply_t reply{};
            reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
            reply.reply = frame.payload.method;
            return c.failed("publish", reply);
        }
        default:
            return {};
    }
}

/// Publishes `todo` with confirms in a window; answers the messages the broker refused.
Result<std::vector<const QueueMessage*>> publish_round(
    State& s, const std::vector<const QueueMessage*>& todo) {
    auto& c = s.publisher;
    const auto now = millis(s.clock.now());
    Confirms confirms;
    for (const QueueMessage* m : todo) {
        const std::string queue = s.queue_name(m->recipient);
        if (auto d = c.declare_queue(queue); !d) {
            return d.error();
        }
        amqp_table_entry_t header{};
        header.key = amqp_cstring_bytes(kEnqueuedHeader);
        header.value.kind = AMQP_FIELD_KIND_I64;
        header.value.value.i64 = m->enqueued_at == Instant{} ? now : millis(m->enqueued_at);
        amqp_basic_properties_t props{};
        props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                       AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG |
                       AMQP_BASIC_CONTENT_TYPE_FLAG;
        props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
        props.message_id = bytes(m->id);
        props.type = bytes(m->kind);
        props.content_type = amqp_cstring_bytes("application/octet-stream");
        props.headers = amqp_table_t{1, &header};
        int st = amqp_basic_publish(c.raw(), kChannel, bytes(s.options.exchange), bytes(queue), 1,
                                    0, &props, bytes(m->payload));
        if (st != AMQP_STATUS_OK) {
            return c.failed("publish", st);
        }
        confirms.unconfirmed.emplace(++c.next_tag, m->id);
        while (confirms.unconfirmed.size() >= std::max<std::size_t>(1, s.options.confirm_window)) {
            if (auto r = read_confirm(c, confirms, s.options.timeout); !r) {
                return r.error();
            }
        }
    }
    while (!confirms.unconfirmed.empty() || confirms.awaiting_return_header) {
        if (auto r = read_confirm(c, confirms, s.options.timeout); !r) {
            return r.error();
        }
    }
    amqp_maybe_release_buffers(c.raw());
    std::vector<const QueueMessage*> refused;
    for (const QueueMessage* m : todo) {
        if (confirms.refused.contains(m->id)) {
            refused.push_back(m);
        }
    }
    return refused;
}

// Plain coroutines, not lambdas: they run on a connection's thread and block it.
asio::awaitable<Result<void>> publish_on(State& s, std::vector<QueueMessage> messages) {
    auto& c = s.publisher;
    if (auto r = c.ensure(); !r) {
        co_return r;
    }
    std::vector<const QueueMessage*> todo;
    {
        std::set<std::string> batch;
        std::lock_guard lock(s.mutex);
        for (auto& m : messages) {
            if (s.outstanding.contains(m.id) || !batch.insert(m.id).second) {
                continue;
            }
            todo.push_back(&m);
            s.recipients.insert(m.recipient);
        }
    }
    // A quorum queue declared a moment ago may nack until its leader runs: those messages are
    // published again after a pause, a few times, before the caller hears UNAVAILABLE.
    std::vector<const QueueMessage*> pending = todo;
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (int round = 1; !pending.empty(); ++round) {
        auto refused = publish_round(s, pending);
        if (!refused) {
            co_return refused.error();
        }
        if (!refused->empty() && round == kPublishRounds) {
            co_return fail(errc::unavailable, {},
                           "broker refused " + std::to_string(refused->size()) + " message(s)");
        }
        if (!refused->empty()) {
            pause.expires_after(kRefusedPause * round);
            co_await pause.async_wait(asio::use_awaitable);
        }
        pending = std::move(*refused);
    }
    std::set<std::string> woken;
    {
        std::lock_guard lock(s.mutex);
        for (const QueueMessage* m : todo) {
            s.outstanding.insert(m->id);
            woken.insert(m->recipient);
        }
    }
    for (const auto& r : woken) {
        s.waiters.notify(r);
    }
    co_return Result<void>{};
}

asio::awaitable<Result<std::map<std::string, std::size_t>>> count_on(
    State& s, std::vector<std::string> recipients) {
    auto& c = s.publisher;
    if (auto r = c.ensure(); !r) {
        co_return r.error();
    }
    std::map<std::string, std::size_t> out;
    for (const auto& r : recipients) {
        auto n = c.declare_queue(s.queue_name(r), true);
        if (!n) {
            co_return n.error();
        }
        out[r] = *n;
    }
    co_return out;
}

// ---- consumer thread ----

/// Opens the consumer connection if needed; a new connection means the broker took back
/// every message the old one held, so they are forgotten here and come again.
Result<void> consumer_ready(State& s) {
    const auto before = s.consumer.generation();
    if (auto r = s.consumer.ensure(); !r) {
        return r;
    }
    if (s.consumer.generation() != before) {
        std::lock_guard lock(s.mutex);
        for (auto& [recipient, items] : s.held) {
            std::erase_if(items,
                          [&](const Held& h) { return h.generation != s.consumer.generation(); });
        }
    }
    return {};
}

void settle_now(State& s, std::uint64_t generation, std::uint64_t tag, bool dead) {
    auto& c = s.consumer;
    if (!c.is_open() || c.generation() != generation) {
        return;  // that connection is gone: the broker has it back already
    }
    int st = dead ? amqp_basic_reject(c.raw(), kChannel, tag, 0)
                  : amqp_basic_ack(c.raw(), kChannel, tag, 0);
    if (st != AMQP_STATUS_OK) {
        c.failed(dead ? "reject" : "ack", st);
    }
}

/// Takes up to `n` more messages of `recipient` from the broker into `held`.
asio::awaitable<Result<void>> fetch_on(State& s, std::string recipient, std::size_t n) {
    if (auto r = consumer_ready(s); !r) {
        co_return r;
    }
    auto& c = s.consumer;
    const std::string queue = s.queue_name(recipient);
    // The declare answers how many are ready, so an empty queue costs no basic.get: a quorum
    // queue declared a moment ago can close the connection on one (RabbitMQ 3.10, "noproc").
    auto ready = c.declare_queue(queue, true);
    if (!ready) {
        co_return ready.error();
    }
    {
        std::lock_guard lock(s.mutex);
        s.recipients.insert(recipient);
    }
    for (std::size_t got = 0, asked = 0; got < n && asked < *ready; ++asked) {
        auto reply = amqp_basic_get(c.raw(), kChannel, bytes(queue), 0);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            co_return c.failed("basic.get", reply);
        }
        if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
            break;
        }
        const auto tag = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded)->delivery_tag;
        amqp_message_t msg{};
        auto read = amqp_read_message(c.raw(), kChannel, &msg, 0);
        if (read.reply_type != AMQP_RESPONSE_NORMAL) {
            co_return c.failed("read message", read);
        }
        Held h;
        h.generation = c.generation();
        h.tag = tag;
        h.message.recipient = recipient;
        h.message.payload = text(msg.body);
        const auto& p = msg.properties;
        if ((p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0) {
            h.message.id = text(p.message_id);
        }
        if ((p._flags & AMQP_BASIC_TYPE_FLAG) != 0) {
            h.message.kind = text(p.type);
        }
        if ((p._flags & AMQP_BASIC_HEADERS_FLAG) != 0) {
            if (auto at = int_header(p.headers, kEnqueuedHeader)) {
                h.message.enqueued_at = Instant(std::chrono::milliseconds(*at));
            }
            // Quorum queues count how often the broker handed a message out before.
            if (auto count = int_header(p.headers, "x-delivery-count")) {
                h.message.attempt = static_cast<std::uint32_t>(std::max<std::int64_t>(0, *count));
            }
        }
        amqp_destroy_message(&msg);
        bool duplicate = false;
        {
            std::lock_guard lock(s.mutex);
            auto& items = s.held[recipient];
            duplicate = h.message.id.empty() ||
                        std::any_of(items.begin(), items.end(), [&](const Held& other) {
                            return other.message.id == h.message.id;
                        });
            if (!duplicate) {
                items.push_back(std::move(h));
                ++got;
            }
        }
        if (duplicate) {
            // A second copy of a message held here (published again before its ack).
            settle_now(s, c.generation(), tag, false);
            if (!c.is_open()) {
                co_return fail(errc::unavailable, {}, "broker connection lost");
            }
        }
    }
    amqp_maybe_release_buffers(c.raw());
    co_return Result<void>{};
}

asio::awaitable<void> settle_on(State& s, std::uint64_t generation, std::uint64_t tag, bool dead) {
    settle_now(s, generation, tag, dead);
    co_return;
}

/// Heartbeats while idle, and reconnection on its own after the broker returns.
asio::awaitable<void> keepalive(State& s, bool consumer) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!s.stopping) {
        timer.expires_after(kKeepalive);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (s.stopping) {
            break;
        }
        auto& c = consumer ? s.consumer : s.publisher;
        if (!c.is_open()) {
            if (consumer) {
                (void)consumer_ready(s);
            } else {
                (void)c.ensure();
            }
            continue;
        }
        c.keepalive();
    }
}

void log_exception(Logger& log, std::exception_ptr e) {
    if (!e) {
        return;
    }
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log.error("amqp_task_failed", std::string("error=\"") + ex.what() + "\"");
    }
}

}  // namespace

Result<void> check_amqp_url(const std::string& url) {
    AmqpOptions o;
    o.url = url;
    auto e = amqp::parse_endpoint(o);
    if (!e) {
        return e.error();
    }
    return {};
}

AmqpQueue::AmqpQueue(AmqpOptions options, const Clock& clock, Logger& log)
    : state_(std::make_unique<State>(std::move(options), clock, log)) {
    auto& s = *state_;
    asio::co_spawn(*s.publish_thread, keepalive(s, false),
                   [&log](std::exception_ptr e) { log_exception(log, e); });
    asio::co_spawn(*s.consume_thread, keepalive(s, true),
                   [&log](std::exception_ptr e) { log_exception(log, e); });
}

AmqpQueue::~AmqpQueue() { shutdown(); }

void AmqpQueue::shutdown() {
    auto& s = *state_;
    if (s.stopping.exchange(true)) {
        return;
    }
    interrupt_waits();
    // Abandons the keepalive timers; the connections are closed here once no thread uses them.
    s.publish_thread->stop();
    s.consume_thread->stop();
    s.publish_thread->join();
    s.consume_thread->join();
    s.publish_thread.reset();
    s.consume_thread.reset();
    s.publisher.close();
    s.consumer.close();
}

asio::awaitable<Result<void>> AmqpQueue::publish(std::vector<QueueMessage> messages) {
    if (messages.empty()) {
        co_return Result<void>{};
    }
    co_return co_await asio::co_spawn(
        *state_->publish_thread, publish_on(*state_, std::move(messages)), asio::use_awaitable);
}

asio::awaitable<Result<std::vector<QueueMessage>>> AmqpQueue::take(std::string recipient,
                                                                   std::size_t max,
                                                                   std::chrono::milliseconds wait) {
    using std::chrono::steady_clock;
    auto& s = *state_;
    if (max == 0) {
        co_return std::vector<QueueMessage>{};
    }
    const auto deadline = steady_clock::now() + wait;
    bool retried = false;
    // Offers what `held` has visible for `recipient`, oldest first; dead-letters what was
    // offered delivery_limit times.
    auto offer = [&s, &recipient](std::size_t limit, std::vector<QueueMessage>& out,
                                  std::optional<std::int64_t>& next_visible) {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> dead;
        {
            std::lock_guard lock(s.mutex);
            auto& items = s.held[recipient];
            const std::int64_t now = millis(s.clock.now());
            for (auto it = items.begin(); it != items.end() && out.size() < limit;) {
                if (it->visible_at > now) {
                    next_visible = std::min(next_visible.value_or(it->visible_at), it->visible_at);
                    ++it;
                    continue;
                }
                if (s.options.delivery_limit > 0 &&
                    it->message.attempt >= s.options.delivery_limit) {
                    dead.emplace_back(it->generation, it->tag);
                    s.outstanding.erase(it->message.id);
                    s.log.warn("amqp_dead_letter", "id=" + it->message.id + " attempts=" +
                                                       std::to_string(it->message.attempt));
                    it = items.erase(it);
                    continue;
                }
                ++it->message.attempt;
                it->visible_at = now + s.options.visibility.count();
                out.push_back(it->message);
                ++it;
            }
        }
        for (auto [generation, tag] : dead) {
            asio::co_spawn(*s.consume_thread, settle_on(s, generation, tag, true),
                           [&log = s.log](std::exception_ptr e) { log_exception(log, e); });
        }
    };
    for (;;) {
        // Before looking, so a publish between the look and the wait is not missed.
        const std::uint64_t ticket = s.waiters.ticket(recipient);
        std::vector<QueueMessage> out;
        std::optional<std::int64_t> next_visible;
        offer(max, out, next_visible);
        std::size_t room = 0;
        {
            std::lock_guard lock(s.mutex);
            const std::size_t held = s.held[recipient].size();
            room = held < s.options.prefetch ? s.options.prefetch - held : 0;
        }
        if (out.size() < max && room > 0) {
            auto fetched = co_await asio::co_spawn(
                *s.consume_thread, fetch_on(s, recipient, std::min(room, max - out.size())),
                asio::use_awaitable);
            if (!fetched && out.empty()) {
                // A broker that closed the connection (a queue process that was not up yet,
                // say) is usually back at the first reconnect: a long poll answers UNAVAILABLE
                // only when the fetch after that fails too.
                if (retried || steady_clock::now() + kRetryAfterDrop >= deadline) {
                    co_return fetched.error();
                }
                retried = true;
                asio::steady_timer pause(co_await asio::this_coro::executor, kRetryAfterDrop);
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            // Another drop later in a long wait gets its own retry.
            retried = retried && !fetched;
            offer(max, out, next_visible);
        }
        if (!out.empty()) {
            co_return out;
        }
        const auto wall = steady_clock::now();
        if (wall >= deadline || s.interrupted) {
            co_return out;
        }
        auto until = std::min(deadline, wall + kRecheck);
        if (next_visible) {
            const auto in = std::chrono::milliseconds(
                std::max<std::int64_t>(1, *next_visible - millis(s.clock.now())));
            until = std::min(until, wall + in);
        }
        co_await s.waiters.wait(recipient, ticket, until);
    }
}

asio::awaitable<Result<bool>> AmqpQueue::ack(std::string recipient, std::string id) {
    auto& s = *state_;
    std::uint64_t generation = 0;
    std::uint64_t tag = 0;
    // Removes `id` from what is held; false when it is not held.
    auto remove = [&]() {
        std::lock_guard lock(s.mutex);
        auto& items = s.held[recipient];
        auto it = std::find_if(items.begin(), items.end(),
                               [&](const Held& h) { return h.message.id == id; });
        if (it == items.end()) {
            return false;
        }
        generation = it->generation;
        tag = it->tag;
        items.erase(it);
        s.outstanding.erase(id);
        return true;
    };
    if (!remove()) {
        bool published_here = false;
        std::size_t room = 0;
        {
            std::lock_guard lock(s.mutex);
            published_here = s.outstanding.contains(id);
            const std::size_t held = s.held[recipient].size();
            room = held < s.options.prefetch ? s.options.prefetch - held : 0;
        }
        // Acked before anyone took it: it is still on the broker, ahead of or among the
        // next messages of this recipient. AMQP removes a message only once delivered.
        if (!published_here || room == 0) {
            co_return false;
        }
        auto fetched = co_await asio::co_spawn(*s.consume_thread, fetch_on(s, recipient, room),
                                               asio::use_awaitable);
        if (!fetched) {
            co_return fetched.error();
        }
        if (!remove()) {
            co_return false;
        }
    }
    co_await asio::co_spawn(*s.consume_thread, settle_on(s, generation, tag, false),
                            asio::use_awaitable);
    co_return true;
}

void AmqpQueue::release(const std::string& recipient, const std::vector<std::string>& ids) {
    auto& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        for (auto& held : s.held[recipient]) {
            if (std::find(ids.begin(), ids.end(), held.message.id) != ids.end() &&
                held.message.attempt > 0) {
                --held.message.attempt;
                held.visible_at = 0;
            }
        }
    }
    s.waiters.notify(recipient);
}

void AmqpQueue::interrupt_waits() {
    state_->interrupted = true;
    state_->waiters.notify_all();
}

asio::awaitable<Result<std::map<std::string, std::size_t>>> AmqpQueue::depths() {
    auto& s = *state_;
    std::vector<std::string> recipients;
    {
        std::lock_guard lock(s.mutex);
        recipients.assign(s.recipients.begin(), s.recipients.end());
    }
    auto ready = co_await asio::co_spawn(*s.publish_thread, count_on(s, std::move(recipients)),
                                         asio::use_awaitable);
    if (!ready) {
        co_return ready.error();
    }
    std::map<std::string, std::size_t> out;
    std::lock_guard lock(s.mutex);
    for (auto& [recipient, n] : *ready) {
        auto it = s.held.find(recipient);
        const std::size_t total = n + (it == s.held.end() ? 0 : it->second.size());
        if (total > 0) {
            out[recipient] = total;
        }
    }
    co_return out;
}

bool AmqpQueue::connected() const { return state_->publisher.up() && state_->consumer.up(); }

void AmqpQueue::notify(const std::string& recipient) { state_->waiters.notify(recipient); }

}  // namespace hub
