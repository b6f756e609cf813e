#include "amqp_raw.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <set>
#include <stdexcept>
#include <vector>

namespace bench {

namespace {

void check(amqp_connection_state_t conn, const char* what) {
    if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) {
        throw std::runtime_error(std::string("raw confirm: ") + what + " failed");
    }
}

}  // namespace

RawConfirmResult raw_confirm(const std::string& url,
                             std::chrono::milliseconds duration,
                             std::size_t bytes,
                             std::size_t window) {
    std::vector<char> buf(url.begin(), url.end());
    buf.push_back('\0');
    amqp_connection_info info{};
    amqp_default_connection_info(&info);
    if (amqp_parse_url(buf.data(), &info) != AMQP_STATUS_OK || info.ssl != 0) {
        throw std::runtime_error("raw confirm: '" + url + "' is not an amqp:// URL");
    }
    const char* vhost = (info.vhost == nullptr || *info.vhost == '\0') ? "/" : info.vhost;
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(conn);
    if (socket == nullptr || amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) {
        amqp_destroy_connection(conn);
        throw std::runtime_error("raw confirm: cannot connect to the broker");
    }
    if (amqp_login(conn, vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 10, AMQP_SASL_METHOD_PLAIN, info.user,
                   info.password)
            .reply_type != AMQP_RESPONSE_NORMAL) {
        amqp_destroy_connection(conn);
        throw std::runtime_error("raw confirm: login refused");
    }
    amqp_channel_open(conn, 1);
    check(conn, "channel.open");
    amqp_confirm_select(conn, 1);
    check(conn, "confirm.select");
    const std::string queue = "lienthong.bench.raw." + std::to_string(::getpid());
    amqp_table_entry_t type{};
    type.key = amqp_cstring_bytes("x-queue-type");
    type.value.kind = AMQP_FIELD_KIND_UTF8;
    type.value.value.bytes = amqp_cstring_bytes("quorum");
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0,
                       amqp_table_t{1, &type});
    check(conn, "queue.declare");

    const std::string body(bytes, 'x');
    const std::string id = "d-0123456789abcdef";
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                   AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    props.message_id = amqp_cstring_bytes(id.c_str());
    props.type = amqp_cstring_bytes("envelope");
    props.content_type = amqp_cstring_bytes("application/octet-stream");
    const amqp_bytes_t payload{body.size(), const_cast<char*>(body.data())};

    std::set<std::uint64_t> unconfirmed;
    std::uint64_t tag = 0;
    RawConfirmResult result;
    // Reads one frame and settles the confirms it carries; the confirms are read by hand, as
    // rabbitmq-c 0.11 has no wait-for-confirm helper.
    auto read_one = [&] {
        amqp_frame_t frame{};
        timeval tv{10, 0};
        if (amqp_simple_wait_frame_noblock(conn, &frame, &tv) != AMQP_STATUS_OK) {
            throw std::runtime_error("raw confirm: no confirm from the broker");
        }
        if (frame.frame_type != AMQP_FRAME_METHOD) {
            return;
        }
        const auto method = frame.payload.method.id;
        if (method == AMQP_BASIC_ACK_METHOD || method == AMQP_BASIC_NACK_METHOD) {
            const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
            const std::size_t before = unconfirmed.size();
            if (ack->multiple != 0) {
                unconfirmed.erase(unconfirmed.begin(), unconfirmed.upper_bound(ack->delivery_tag));
            } else {
                unconfirmed.erase(ack->delivery_tag);
            }
            if (method == AMQP_BASIC_ACK_METHOD) {
                result.confirmed += before - unconfirmed.size();
            }
        }
    };
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + duration;
    while (std::chrono::steady_clock::now() < end) {
        if (amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0,
                               &props, payload) != AMQP_STATUS_OK) {
            throw std::runtime_error("raw confirm: publish failed");
        }
        unconfirmed.insert(++tag);
        while (unconfirmed.size() >= window) {
            read_one();
        }
    }
    while (!unconfirmed.empty()) {
        read_one();
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    amqp_maybe_release_buffers(conn);
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    return result;
}

}  // namespace bench
