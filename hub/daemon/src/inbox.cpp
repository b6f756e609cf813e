// GET /v1/inbox, POST /v1/inbox/{id}/ack, POST /v1/inbox/ack and GET
// /v1/attachments/{delivery_id}/{content_id} (api.md; ).
//
// An inbox answer is bounded by bytes (limits.inbox_max_bytes): attachments travel inline
// while they fit (and are at most limits.inbox_inline_max_bytes each), the others by
// reference, downloaded from the attachments endpoint in a stream.

#include "hub/http/message.h"
#include "hub/http/range.h"
#include "lienthong/v1/api.pb.h"

#include <charconv>
#include <set>
#include <vector>

#include "api_common.h"
#include "blocking.h"
#include "endpoints.h"
#include "inbox_items.h"
#include "xml_answers.h"

namespace hub {
namespace v1 = lienthong::v1;

namespace {

// As many as one inbox answer can hold (GET /v1/inbox?max=100).
constexpr int kMaxAcksPerRequest = 100;

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

std::string download_path(const std::string& delivery_id, const std::string& content_id) {
    return "/v1/attachments/" + delivery_id + "/" + http::percent_encode(content_id);
}

// The bytes of one attachment that travels inline.
boost::asio::awaitable<Result<std::string>> attachment_bytes(InboxDeps& deps,
                                                             const AttachmentRecord& attachment) {
    if (attachment.inline_content) {
        auto bytes = co_await deps.envelopes.inline_content(attachment.sha256);
        if (!bytes) {
            co_return bytes.error();
        }
        if (!*bytes) {
            co_return fail(errc::internal, "", "inline content missing for " + attachment.sha256);
        }
        co_return std::move(**bytes);
    }
    auto read = [&] { return deps.blobs.read(attachment.sha256); };
    co_return co_await run_blocking(deps.blocking, read);
}

// The SignedEnvelope as the sender posted it; attachments inline while `budget` lasts.
boost::asio::awaitable<Result<v1::SignedEnvelope>> rebuild(InboxDeps& deps,
                                                           const EnvelopeRecord& record,
                                                           const std::string& delivery_id,
                                                           std::int64_t& budget) {
    const auto inline_max = static_cast<std::int64_t>(deps.options.inline_max_bytes);
    v1::SignedEnvelope envelope;
    envelope.set_header(record.header);
    envelope.set_signature(record.signature);
    envelope.set_edxml_package(record.edxml_package);
    budget -= static_cast<std::int64_t>(record.header.size() + record.signature.size() +
                                        record.edxml_package.size());
    for (const auto& attachment : record.attachments) {
        auto* out = envelope.add_attachments();
        out->set_content_id(attachment.content_id);
        const auto size = static_cast<std::int64_t>(attachment.size);
        if (size > inline_max || size > budget) {
            out->set_download_path(download_path(delivery_id, attachment.content_id));
            continue;
        }
        auto bytes = co_await attachment_bytes(deps, attachment);
        if (!bytes) {
            co_return bytes.error();
        }
        budget -= static_cast<std::int64_t>(bytes->size());
        out->set_content(std::move(*bytes));
    }
    co_return envelope;
}

}  // namespace

boost::asio::awaitable<Result<v1::InboxItem>> inbox_item(InboxDeps& deps,
                                                         const QueueMessage& message,
                                                         std::int64_t& budget) {
    v1::InboxItem item;
    item.set_delivery_id(message.id);
    item.set_enqueued_at(format_instant(message.enqueued_at));
    item.set_attempt(message.attempt);
    if (message.kind == "status") {
        auto status = co_await deps.envelopes.get_status(message.id);
        if (!status) {
            co_return status.error();
        }
        if (!*status || !item.mutable_status()->ParseFromString((*status)->notice)) {
            co_return fail(errc::internal, "", "unreadable status notice " + message.id);
        }
        budget -= static_cast<std::int64_t>((*status)->notice.size());
        item.set_envelope_id(item.status().envelope_id());
        item.set_from(item.status().from());
        co_return item;
    }
    auto delivery = co_await deps.envelopes.get_delivery(message.id);
    if (!delivery) {
        co_return delivery.error();
    }
    if (!*delivery) {
        co_return fail(errc::internal, "", "offered delivery " + message.id + " is unknown");
    }
    auto record = co_await deps.envelopes.load_envelope((*delivery)->envelope_seq, false);
    if (!record) {
        co_return record.error();
    }
    if (!*record) {
        co_return fail(errc::internal, "", "offered delivery " + message.id + " has no envelope");
    }
    auto envelope = co_await rebuild(deps, **record, message.id, budget);
    if (!envelope) {
        co_return envelope.error();
    }
    *item.mutable_envelope() = std::move(*envelope);
    item.set_envelope_id((*record)->envelope_id);
    item.set_from((*record)->from_given);
    co_return item;
}

namespace {

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

// The arrival an ack of a delivery records, with its 01 notice for the sender. Empty for an
// item that is not a delivery of the caller's.
boost::asio::awaitable<Result<std::optional<Arrival>>> arrival_for(InboxDeps& deps,
                                                                   const std::string& me,
                                                                   const std::string& id) {
    auto delivery = co_await deps.envelopes.get_delivery(id);
    if (!delivery) {
        co_return delivery.error();
    }
    if (!*delivery || (*delivery)->recipient != me) {
        co_return std::optional<Arrival>();
    }
    auto envelope = co_await deps.envelopes.load_envelope((*delivery)->envelope_seq, false);
    if (!envelope) {
        co_return envelope.error();
    }
    if (!*envelope) {
        co_return fail(errc::internal, "", "delivery without envelope");
    }
    // arrival is now; the official time and the deadline follow the calendar.
    Arrival arrival;
    arrival.arrived_at = deps.context.clock.now();
    arrival.official_received_at = deps.calendar.official_receipt(arrival.arrived_at);
    arrival.handling_deadline =
        deps.calendar.add_business(arrival.official_received_at, std::chrono::hours(2));
    StatusRecord& status = arrival.status;
    status.status_id = new_id("s-");
    status.delivery_id = id;
    status.envelope_seq = (*delivery)->envelope_seq;
    status.from = me;
    status.to = (*envelope)->from;
    status.code = "01";
    status.reported_at = format_instant(arrival.arrived_at);
    status.recorded_at = arrival.arrived_at;
    // The 01 of a document that came from the national axis goes back out through it.
    status.notice_channel = notice_channel_for(*deps.context.registry.get(), status.to);
    status.notice = arrival_notice(status, **envelope, **delivery, arrival.official_received_at,
                                   arrival.handling_deadline)
                        .SerializeAsString();
    co_return std::optional<Arrival>(std::move(arrival));
}

}  // namespace

boost::asio::awaitable<http::Response> acknowledge_items(InboxDeps& deps,
                                                         const http::Request& request,
                                                         const std::string& me,
                                                         std::vector<std::string> ids) {
    std::vector<ItemAck> acks;
    acks.reserve(ids.size());
    for (const auto& id : ids) {
        ItemAck ack;
        if (id.rfind("d-", 0) == 0) {
            auto found = co_await arrival_for(deps, me, id);
            if (!found) {
                co_return http::error_response(found.error(), request);
            }
            if (!*found) {
                co_return http::error_response(
                    fail(errc::not_found, "delivery_id", "no such item in this inbox: " + id),
                    request);
            }
            ack.arrival = std::move(*found);
        }
        ack.audit = AuditRecord{deps.context.clock.now(),       me, "inbox.ack", id, "OK",
                                "request=" + request.request_id};
        ack.item_id = id;
        acks.push_back(std::move(ack));
    }
    auto acked = co_await deps.outbox.ack_items(me, std::move(acks), deps.context.clock.now());
    if (!acked) {
        co_return http::error_response(acked.error(), request);
    }
    // Only now, with the acks durable in the ledger, may a broker forget its copies.
    for (const auto& id : ids) {
        co_await deps.inbox.settled(me, id);
    }
    co_return http::Response{204, "", "", {}, {}};
}

boost::asio::awaitable<http::Response> get_inbox(InboxDeps& deps, http::Request request) {
    auto caller = authenticate(deps.context, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    auto max = query_number(request, "max", 10, 1, 100);
    auto wait = query_number(request, "wait", 0, 0, 30);
    if (!max || !wait) {
        co_return http::error_response(!max ? max.error() : wait.error(), request);
    }
    const auto max_bytes = deps.options.max_bytes;
    auto messages = co_await deps.inbox.take(caller->org->code, static_cast<std::size_t>(*max),
                                             max_bytes, std::chrono::seconds(*wait));
    if (!messages) {
        co_return http::error_response(messages.error(), request);
    }
    v1::InboxBatch batch;
    std::int64_t budget = static_cast<std::int64_t>(max_bytes);
    for (const auto& message : *messages) {
        auto item = co_await inbox_item(deps, message, budget);
        if (!item) {
            deps.context.log.error("inbox_item_failed",
                                   "id=" + message.id + " error=" + log_value(item.error().text()));
            continue;
        }
        *batch.add_items() = std::move(*item);
    }
    if (wants_xml(request)) {
        // Items with no edXML form stay unacked and reach the caller through the JSON inbox.
        std::vector<std::string> skipped;
        auto answer = xml_inbox(batch, national::registry_lookup(caller->registry), skipped);
        for (const auto& item : skipped) {
            deps.context.log.warn("inbox_item_not_edxml", "item=" + log_value(item));
        }
        co_return answer;
    }
    co_return http::message_response(200, batch, request);
}

boost::asio::awaitable<http::Response> ack_inbox(InboxDeps& deps,
                                                 http::Request request,
                                                 std::string id) {
    auto caller = authenticate(deps.context, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    std::vector<std::string> ids;
    ids.push_back(std::move(id));
    co_return co_await acknowledge_items(deps, request, caller->org->code, std::move(ids));
}

boost::asio::awaitable<http::Response> ack_inbox_batch(InboxDeps& deps, http::Request request) {
    auto caller = authenticate(deps.context, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    v1::AckRequest ack;
    if (auto parsed = http::parse_message(request, ack); !parsed) {
        co_return http::error_response(parsed.error(), request);
    }
    if (ack.delivery_ids_size() == 0 || ack.delivery_ids_size() > kMaxAcksPerRequest) {
        co_return http::error_response(
            fail(errc::malformed, "delivery_ids",
                 "from 1 to " + std::to_string(kMaxAcksPerRequest) + " delivery ids"),
            request);
    }
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (const auto& id : ack.delivery_ids()) {
        if (seen.insert(id).second) {
            ids.push_back(id);  // a list naming an item twice acks it once
        }
    }
    co_return co_await acknowledge_items(deps, request, caller->org->code, std::move(ids));
}

boost::asio::awaitable<http::Response> get_attachment(InboxDeps& deps,
                                                      http::Request request,
                                                      std::string delivery_id,
                                                      std::string content_id) {
    auto caller = authenticate(deps.context, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    const Failure not_found = fail(errc::not_found, "content_id", "no such attachment");
    auto delivery = co_await deps.envelopes.get_delivery(delivery_id);
    if (!delivery) {
        co_return http::error_response(delivery.error(), request);
    }
    // Only the delivery's recipient: for anyone else the attachment does not exist.
    if (!*delivery || (*delivery)->recipient != caller->org->code) {
        co_return http::error_response(not_found, request);
    }
    auto record = co_await deps.envelopes.load_envelope((*delivery)->envelope_seq, false);
    if (!record) {
        co_return http::error_response(record.error(), request);
    }
    if (!*record) {
        co_return http::error_response(not_found, request);
    }
    const AttachmentRecord* attachment = nullptr;
    for (const auto& a : (*record)->attachments) {
        if (a.content_id == content_id) {
            attachment = &a;
        }
    }
    if (attachment == nullptr) {
        co_return http::error_response(not_found, request);
    }
    const auto range = http::parse_range(request.header("range"), attachment->size);
    if (range.kind == http::RangeRequest::Kind::unsatisfiable) {
        http::Response refused{416, "", "", {}, {}};
        refused.headers.emplace_back("Content-Range",
                                     http::unsatisfied_content_range(attachment->size));
        co_return refused;
    }
    const bool partial = range.kind == http::RangeRequest::Kind::partial;
    http::Response response{
        partial ? 206u : 200u,
        attachment->media_type.empty() ? "application/octet-stream" : attachment->media_type,
        "",
        {},
        {}};
    response.headers.emplace_back("Accept-Ranges", "bytes");
    response.headers.emplace_back("ETag", "\"" + attachment->sha256 + "\"");
    if (partial) {
        response.headers.emplace_back("Content-Range",
                                      http::content_range(range, attachment->size));
    }
    if (attachment->inline_content) {
        auto bytes = co_await attachment_bytes(deps, *attachment);
        if (!bytes) {
            co_return http::error_response(bytes.error(), request);
        }
        response.body = bytes->substr(range.offset, range.length);
        co_return response;
    }
    response.file =
        http::FileRange{deps.blobs.path_of(attachment->sha256), range.offset, range.length};
    co_return response;
}

}  // namespace hub
