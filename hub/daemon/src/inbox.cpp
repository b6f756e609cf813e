// GET /v1/inbox and POST /v1/inbox/{id}/ack (api.md; ).

#include "hub/http/message.h"
#include "lienthong/v1/api.pb.h"

#include <charconv>

#include "api_common.h"
#include "blocking.h"
#include "endpoints.h"

namespace hub {
namespace v1 = lienthong::v1;

namespace {

// A query number within [low, high]; absent -> fallback; above high -> high.
Result<long> query_number(
    const http::Request& request, const std::string& name, long fallback, long low, long high) {
    auto it = request.query.find(name);
    if (it == request.query.end() || it->second.empty()) {
        return fallback;
    }
    long value = 0;
    const auto& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < low) {
        return fail(errc::malformed, name,
                    name + " must be a whole number from " + std::to_string(low) + " to " +
                        std::to_string(high));
    }
    return std::min(value, high);
}

// The SignedEnvelope as the sender posted it, attachments read back from the blob store.
Result<v1::SignedEnvelope> rebuild(const BlobStore& blobs, const EnvelopeRecord& record) {
    v1::SignedEnvelope envelope;
    envelope.set_header(record.header);
    envelope.set_signature(record.signature);
    for (const auto& attachment : record.attachments) {
        auto* out = envelope.add_attachments();
        out->set_content_id(attachment.content_id);
        if (attachment.inline_content) {
            out->set_content(attachment.content);
            continue;
        }
        auto bytes = blobs.read(attachment.sha256);
        if (!bytes) {
            return bytes.error();
        }
        out->set_content(std::move(*bytes));
    }
    return envelope;
}

boost::asio::awaitable<Result<v1::InboxItem>> to_item(Services& services,
                                                      const QueueMessage& message) {
    v1::InboxItem item;
    item.set_delivery_id(message.id);
    item.set_enqueued_at(format_instant(message.enqueued_at));
    item.set_attempt(message.attempt);
    if (message.kind == "status") {
        if (!item.mutable_status()->ParseFromString(message.payload)) {
            co_return fail(errc::internal, "", "unreadable status notice " + message.id);
        }
        item.set_envelope_id(item.status().envelope_id());
        item.set_from(item.status().from());
        co_return item;
    }
    auto record = co_await services.ledger.load_envelope(std::stoll(message.payload));
    if (!record) {
        co_return record.error();
    }
    if (!*record) {
        co_return fail(errc::internal, "", "queued delivery " + message.id + " has no envelope");
    }
    auto read_blobs = [&] { return rebuild(services.blobs, **record); };
    auto envelope = co_await run_blocking(services.blocking, read_blobs);
    if (!envelope) {
        co_return envelope.error();
    }
    *item.mutable_envelope() = std::move(*envelope);
    item.set_envelope_id((*record)->envelope_id);
    item.set_from((*record)->from_given);
    co_return item;
}

// The 01 status the hub sends for the recipient when it takes the document.
v1::StatusNotice arrival_notice(const StatusRecord& status,
                                const EnvelopeRecord& envelope,
                                const DeliveryRecord& delivery,
                                Instant official,
                                Instant deadline) {
    v1::StatusNotice notice;
    notice.set_status_id(status.status_id);
    notice.set_document_id(envelope.document_id);
    notice.set_envelope_id(envelope.envelope_id);
    notice.set_from(delivery.recipient_given);
    notice.set_to(envelope.from_given);
    notice.set_code("01");
    notice.set_timestamp(format_instant(status.recorded_at));
    notice.set_recorded_at(format_instant(status.recorded_at));
    notice.set_official_received_at(format_instant(official));
    notice.set_handling_deadline(format_instant(deadline));
    return notice;
}

}  // namespace

boost::asio::awaitable<http::Response> get_inbox(Services& services, http::Request request) {
    auto caller = authenticate(services, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    auto max = query_number(request, "max", 10, 1, 100);
    auto wait = query_number(request, "wait", 0, 0, 30);
    if (!max || !wait) {
        co_return http::error_response(!max ? max.error() : wait.error(), request);
    }
    auto messages = co_await services.queue.take(caller->org->code, static_cast<std::size_t>(*max),
                                                 std::chrono::seconds(*wait));
    if (!messages) {
        co_return http::error_response(messages.error(), request);
    }
    v1::InboxBatch batch;
    for (const auto& message : *messages) {
        auto item = co_await to_item(services, message);
        if (!item) {
            services.log.error("inbox_item_failed",
                               "id=" + message.id + " error=" + log_value(item.error().text()));
            continue;
        }
        *batch.add_items() = std::move(*item);
    }
    co_return http::message_response(200, batch, request);
}

boost::asio::awaitable<http::Response> ack_inbox(Services& services,
                                                 http::Request request,
                                                 std::string id) {
    auto caller = authenticate(services, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    const std::string me = caller->org->code;
    if (id.rfind("d-", 0) == 0) {
        auto delivery = co_await services.ledger.get_delivery(id);
        if (!delivery) {
            co_return http::error_response(delivery.error(), request);
        }
        if (!*delivery || (*delivery)->recipient != me) {
            co_return http::error_response(fail(errc::not_found, "delivery_id"), request);
        }
        auto envelope = co_await services.ledger.load_envelope((*delivery)->envelope_seq);
        if (!envelope || !*envelope) {
            co_return http::error_response(fail(errc::internal, "", "delivery without envelope"),
                                           request);
        }
        // arrival is now; the official time and the deadline follow the calendar.
        const Instant arrived = services.clock.now();
        const Instant official = services.calendar.official_receipt(arrived);
        const Instant deadline = services.calendar.add_business(official, std::chrono::hours(2));
        StatusRecord status;
        status.status_id = new_id("s-");
        status.delivery_id = id;
        status.envelope_seq = (*delivery)->envelope_seq;
        status.from = me;
        status.to = (*envelope)->from;
        status.code = "01";
        status.reported_at = format_instant(arrived);
        status.recorded_at = arrived;
        const auto notice = arrival_notice(status, **envelope, **delivery, official, deadline);
        status.notice = notice.SerializeAsString();  // the outbox copy, re-published after a crash
        auto first =
            co_await services.ledger.record_arrival(id, arrived, official, deadline, status);
        if (!first) {
            co_return http::error_response(first.error(), request);
        }
        if (*first) {
            co_await audit(services, me, "inbox.ack", id, "OK", "request=" + request.request_id);
            co_await publish_notice(services, status);
        }
    } else if (id.rfind("s-", 0) == 0) {
        auto status = co_await services.ledger.get_status(id);
        if (!status) {
            co_return http::error_response(status.error(), request);
        }
        if (!*status || (*status)->to != me) {
            co_return http::error_response(fail(errc::not_found, "delivery_id"), request);
        }
        if (auto marked = co_await services.ledger.mark_notified(id); !marked) {
            co_return http::error_response(marked.error(), request);
        }
    } else {
        co_return http::error_response(fail(errc::not_found, "delivery_id"), request);
    }
    auto acked = co_await services.queue.ack(me, id);
    if (!acked) {
        co_return http::error_response(acked.error(), request);
    }
    co_return http::Response{204, "", "", {}};
}

}  // namespace hub
