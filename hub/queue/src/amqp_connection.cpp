#include "amqp_connection.h"

#include "hub/http/tls_policy.h"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <sys/time.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace hub::amqp {

namespace {

using namespace std::chrono_literals;

constexpr amqp_channel_t kChannel = 1;
constexpr auto kMinBackoff = 100ms;
constexpr auto kMaxBackoff = 5000ms;

timeval to_timeval(std::chrono::milliseconds d) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
    return tv;
}

amqp_bytes_t bytes(const std::string& s) {
    return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

/// "what: reason" for a reply, with the broker's code and text when it closed on us.
std::string describe(const char* what, const amqp_rpc_reply_t& reply) {
    std::string out = what;
    switch (reply.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return out + ": ok";
        case AMQP_RESPONSE_NONE:
            return out + ": no reply";
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return out + ": " + amqp_error_string2(reply.library_error);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
                const auto* c = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
                return out + ": connection closed " + std::to_string(c->reply_code) + " " +
                       text(c->reply_text);
            }
            if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
                const auto* c = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
                return out + ": channel closed " + std::to_string(c->reply_code) + " " +
                       text(c->reply_text);
            }
            return out + ": server error";
    }
    return out;
}

}  // namespace

Result<Endpoint> parse_endpoint(const AmqpOptions& options) {
    // amqp_parse_url writes into its argument and points into it: parse a copy.
    std::vector<char> buf(options.url.begin(), options.url.end());
    buf.push_back('\0');
    amqp_connection_info info{};
    amqp_default_connection_info(&info);
    if (options.url.empty() || amqp_parse_url(buf.data(), &info) != AMQP_STATUS_OK ||
        info.host == nullptr || *info.host == '\0') {
        return fail(errc::malformed, "queue.amqp_url",
                    "expected amqp://host[:port][/vhost] or amqps://...");
    }
    Endpoint e;
    e.host = info.host;
    e.port = info.port;
    // "amqp://host:5672/" leaves an empty vhost, which RabbitMQ has no use for: the default.
    e.vhost = (info.vhost == nullptr || *info.vhost == '\0') ? "/" : info.vhost;
    e.user = info.user != nullptr ? info.user : "guest";
    e.password = info.password != nullptr ? info.password : "guest";
    e.tls = info.ssl != 0;
    if (!options.user.empty()) {
        e.user = options.user;
        e.password = options.password;
    }
    return e;
}

Connection::Connection(const AmqpOptions& options, Logger& log, std::string role, bool confirms)
    : options_(options), log_(log), role_(std::move(role)), confirms_(confirms) {}

Connection::~Connection() { close(); }

Result<void> Connection::ensure() {
    if (conn_ != nullptr) {
        return {};
    }
    const auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) {
        return fail(errc::unavailable, {}, "broker unreachable");
    }
    auto r = open();
    if (!r) {
        if (retry_at_ <= now) {  // drop() started the backoff unless the URL was bad
            backoff_ = std::clamp(backoff_ * 2, kMinBackoff, kMaxBackoff);
            retry_at_ = std::chrono::steady_clock::now() + backoff_;
        }
        if (!reported_down_) {
            reported_down_ = true;
            log_.warn("amqp_down", "role=" + role_ + " error=\"" + r.error().message + "\"");
        }
        return r;
    }
    backoff_ = 0ms;
    reported_down_ = false;
    log_.info("amqp_connected", "role=" + role_ + " generation=" + std::to_string(generation_));
    return {};
}

Result<void> Connection::open() {
    auto endpoint = parse_endpoint(options_);
    if (!endpoint) {
        return endpoint.error();
    }
    conn_ = amqp_new_connection();
    amqp_socket_t* socket = nullptr;
    if (endpoint->tls) {
        socket = amqp_ssl_socket_new(conn_);
        if (socket != nullptr) {
            auto* ctx = static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket));
            if (ctx == nullptr || !http::apply_tls_policy(ctx)) {
                return failed("tls policy", AMQP_STATUS_SSL_ERROR);
            }
            amqp_ssl_socket_set_verify_peer(socket, 1);
            amqp_ssl_socket_set_verify_hostname(socket, 1);
            if (!options_.tls.ca.empty() &&
                amqp_ssl_socket_set_cacert(socket, options_.tls.ca.c_str()) != AMQP_STATUS_OK) {
                return failed("tls ca", AMQP_STATUS_SSL_ERROR);
            }
            if (!options_.tls.cert.empty() &&
                amqp_ssl_socket_set_key(socket, options_.tls.cert.c_str(),
                                        options_.tls.key.c_str()) != AMQP_STATUS_OK) {
                return failed("tls key", AMQP_STATUS_SSL_ERROR);
            }
        }
    } else {
        socket = amqp_tcp_socket_new(conn_);
    }
    if (socket == nullptr) {
        return failed("socket", AMQP_STATUS_NO_MEMORY);
    }
    timeval tv = to_timeval(options_.timeout);
    if (int st = amqp_socket_open_noblock(socket, endpoint->host.c_str(), endpoint->port, &tv);
        st != AMQP_STATUS_OK) {
        return failed("connect", st);
    }
    amqp_set_rpc_timeout(conn_, &tv);
    auto login = amqp_login(conn_, endpoint->vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE,
                            static_cast<int>(options_.heartbeat.count()), AMQP_SASL_METHOD_PLAIN,
                            endpoint->user.c_str(), endpoint->password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
        return failed("login", login);
    }
    amqp_channel_open(conn_, kChannel);
    if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
        return failed("channel.open", r);
    }
    if (confirms_) {
        amqp_confirm_select(conn_, kChannel);
        if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
            return failed("confirm.select", r);
        }
    }
    next_tag = 0;
    declared_.clear();
    if (auto r = declare_topology(); !r) {
        return r;
    }
    ++generation_;
    up_ = true;
    return {};
}

Result<void> Connection::declare_topology() {
    amqp_exchange_declare(conn_, kChannel, bytes(options_.exchange), amqp_cstring_bytes("direct"),
                          0, 1, 0, 0, amqp_empty_table);
    if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
        return failed("exchange.declare", r);
    }
    // Fanout: a dead letter keeps its queue's routing key, and all of them go to one queue.
    amqp_exchange_declare(conn_, kChannel, bytes(options_.dead_letter_exchange),
                          amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
    if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
        return failed("exchange.declare dead-letter", r);
    }
    amqp_table_entry_t type{};
    type.key = amqp_cstring_bytes("x-queue-type");
    type.value.kind = AMQP_FIELD_KIND_UTF8;
    type.value.value.bytes = amqp_cstring_bytes("quorum");
    amqp_table_t args{1, &type};
    amqp_queue_declare(conn_, kChannel, bytes(options_.dead_letter_queue), 0, 1, 0, 0, args);
    if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
        return failed("queue.declare dead-letter", r);
    }
    amqp_queue_bind(conn_, kChannel, bytes(options_.dead_letter_queue),
                    bytes(options_.dead_letter_exchange), amqp_empty_bytes, amqp_empty_table);
    if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
        return failed("queue.bind dead-letter", r);
    }
    return {};
}

Result<std::uint32_t> Connection::declare_queue(const std::string& name, bool count) {
    if (conn_ == nullptr) {
        return fail(errc::unavailable, {}, "broker unreachable");
    }
    if (!count && declared_.contains(name)) {
        return 0U;
    }
    // The same arguments every time: RabbitMQ refuses a declare whose arguments differ.
    amqp_table_entry_t entries[3]{};
    entries[0].key = amqp_cstring_bytes("x-queue-type");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = amqp_cstring_bytes("quorum");
    entries[1].key = amqp_cstring_bytes("x-dead-letter-exchange");
    entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[1].value.value.bytes = bytes(options_.dead_letter_exchange);
    entries[2].key = amqp_cstring_bytes("x-delivery-limit");
    entries[2].value.kind = AMQP_FIELD_KIND_I64;
    entries[2].value.value.i64 = options_.delivery_limit;
    amqp_table_t args{3, entries};
    auto* ok = amqp_queue_declare(conn_, kChannel, bytes(name), 0, 1, 0, 0, args);
    if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL || ok == nullptr) {
        return failed("queue.declare", r);
    }
    const std::uint32_t ready = ok->message_count;
    if (!declared_.contains(name)) {
        amqp_queue_bind(conn_, kChannel, bytes(name), bytes(options_.exchange), bytes(name),
                        amqp_empty_table);
        if (auto r = amqp_get_rpc_reply(conn_); r.reply_type != AMQP_RESPONSE_NORMAL) {
            return failed("queue.bind", r);
        }
        declared_.insert(name);
    }
    return ready;
}

void Connection::keepalive() {
    if (conn_ == nullptr) {
        return;
    }
    amqp_frame_t beat{};
    beat.frame_type = AMQP_FRAME_HEARTBEAT;
    beat.channel = 0;
    if (int st = amqp_send_frame(conn_, &beat); st != AMQP_STATUS_OK) {
        failed("heartbeat", st);
        return;
    }
    // Nothing is expected between calls but heartbeats (which rabbitmq-c consumes) and a
    // close from the broker: read what is there without waiting.
    for (;;) {
        amqp_frame_t frame{};
        timeval zero{};
        int st = amqp_simple_wait_frame_noblock(conn_, &frame, &zero);
        if (st == AMQP_STATUS_TIMEOUT) {
            break;
        }
        if (st != AMQP_STATUS_OK) {
            failed("read", st);
            return;
        }
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
            amqp_rpc_reply_t reply{};
            reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
            reply.reply = frame.payload.method;
            failed("broker", reply);
            return;
        }
    }
    amqp_maybe_release_buffers(conn_);
}

Failure Connection::failed(const char* what, const amqp_rpc_reply_t& reply) {
    auto why = describe(what, reply);
    drop(why);
    return fail(errc::unavailable, {}, "broker: " + why);
}

Failure Connection::failed(const char* what, int status) {
    auto why = std::string(what) + ": " + amqp_error_string2(status);
    drop(why);
    return fail(errc::unavailable, {}, "broker: " + why);
}

void Connection::drop(const std::string& why) {
    if (conn_ == nullptr) {
        return;
    }
    if (up_) {
        log_.warn("amqp_down", "role=" + role_ + " error=\"" + why + "\"");
        reported_down_ = true;
    }
    up_ = false;
    amqp_destroy_connection(conn_);
    conn_ = nullptr;
    declared_.clear();
    backoff_ = std::clamp(backoff_ * 2, kMinBackoff, kMaxBackoff);
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
}

void Connection::close() {
    if (conn_ == nullptr) {
        return;
    }
    up_ = false;
    // Best effort: the broker requeues unacked messages whether or not the handshake ends.
    amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
    conn_ = nullptr;
    declared_.clear();
}

}  // namespace hub::amqp
