// GET /v1/envelopes/{id} (api.md; ).

#include "hub/http/message.h"
#include "hub/routing/status_rules.h"
#include "lienthong/v1/api.pb.h"

#include "api_common.h"
#include "endpoints.h"

namespace hub {
namespace v1 = lienthong::v1;

namespace {

const char* business_name(v1::BusinessType type) {
    switch (type) {
        case v1::RECALL:
            return "RECALL";
        case v1::UPDATE:
            return "UPDATE";
        case v1::REPLACE:
            return "REPLACE";
        default:
            return "NEW";
    }
}

}  // namespace

boost::asio::awaitable<http::Response> get_trace(TraceDeps& deps,
                                                 http::Request request,
                                                 std::string envelope_id) {
    auto caller = authenticate(deps.context, request);
    if (!caller) {
        co_return http::error_response(caller.error(), request);
    }
    const std::string me = caller->org->code;
    // Two senders may pick the same envelope id: each party sees the one it is party to.
    auto found = co_await deps.envelopes.find_envelope_for(me, envelope_id);
    if (!found) {
        co_return http::error_response(found.error(), request);
    }
    const Failure not_found = fail(errc::not_found, "envelope_id", "no such envelope");
    if (!*found) {
        co_return http::error_response(not_found, request);
    }
    const EnvelopeRecord& envelope = **found;
    auto deliveries = co_await deps.envelopes.deliveries_of(envelope.seq);
    if (!deliveries) {
        co_return http::error_response(deliveries.error(), request);
    }
    // The sender sees every recipient; a recipient sees its own delivery and the sender's
    // side only, never its co-recipients' answers (rejection reasons included).
    const bool is_sender = envelope.from == me;
    const bool visible =
        is_sender || std::any_of(deliveries->begin(), deliveries->end(),
                                 [&](const DeliveryRecord& d) { return d.recipient == me; });
    if (!visible) {
        co_return http::error_response(not_found, request);  // others must not learn it exists
    }

    auto replies = co_await deps.envelopes.envelopes_replying_to(envelope.document_id);
    auto acting = co_await deps.envelopes.envelopes_acting_on(envelope.document_id);
    if (!replies || !acting) {
        co_return http::error_response(!replies ? replies.error() : acting.error(), request);
    }
    const Instant now = deps.context.clock.now();
    const std::optional<Instant> due = envelope.reply_deadline;

    v1::Trace trace;
    trace.set_envelope_id(envelope.envelope_id);
    trace.set_document_id(envelope.document_id);
    trace.set_from(envelope.from_given);
    trace.set_business_type(envelope.business_type);
    trace.set_accepted_at(format_instant(envelope.accepted_at));
    trace.set_reply_due(envelope.reply_due);
    for (const auto& id : envelope.in_reply_to) {
        trace.add_in_reply_to(id);
    }
    trace.set_replaces(envelope.replaces);
    for (const auto& warning : envelope.warnings) {
        trace.add_warnings(warning);
    }
    for (const auto& delivery : *deliveries) {
        if (!is_sender && delivery.recipient != me) {
            continue;
        }
        auto* out = trace.add_recipients();
        out->set_code(delivery.recipient_given);
        out->set_route(delivery.route);
        out->set_delivery_id(delivery.delivery_id);
        out->set_state(delivery.state);
        if (delivery.arrived_at) {
            out->set_arrived_at(format_instant(*delivery.arrived_at));
        }
        if (delivery.official_received_at) {
            out->set_official_received_at(format_instant(*delivery.official_received_at));
        }
        auto statuses = co_await deps.envelopes.statuses_of(delivery.delivery_id);
        if (!statuses) {
            co_return http::error_response(statuses.error(), request);
        }
        std::vector<std::string> codes;
        for (const auto& status : *statuses) {
            codes.push_back(status.code);
            auto* event = out->add_events();
            event->set_at(format_instant(status.recorded_at));
            event->set_code(status.code);
            event->set_description(status.description);
            event->set_by(status.from);
        }
        if (delivery.handling_deadline) {
            out->set_handling_deadline(format_instant(*delivery.handling_deadline));
            // overdue when neither 02 nor 03 came by the deadline.
            bool handled_in_time = false;
            for (const auto& status : *statuses) {
                if ((status.code == "02" || status.code == "03") &&
                    status.recorded_at <= *delivery.handling_deadline) {
                    handled_in_time = true;
                }
            }
            out->set_overdue(!handled_in_time &&
                             (*delivery.handling_deadline < now || !awaiting_handling(codes)));
        }
        // a reply from this recipient naming the document, in time.
        const EnvelopeRecord* reply = nullptr;
        for (const auto& candidate : *replies) {
            if (candidate.from == delivery.recipient && candidate.seq > envelope.seq) {
                reply = &candidate;
                break;
            }
        }
        if (reply != nullptr) {
            out->set_replied_by(reply->document_id);
        }
        if (due) {
            out->set_reply_late(reply ? reply->accepted_at > *due : now > *due);
        }
    }
    for (const auto& reply : *replies) {
        if (!is_sender && reply.from != me && reply.from != envelope.from) {
            continue;  // a co-recipient's reply is between it and the sender
        }
        auto* link = trace.add_links();
        link->set_at(format_instant(reply.accepted_at));
        link->set_code("REPLY");
        link->set_by(reply.from_given);
        link->set_ref(reply.document_id);
    }
    for (const auto& act : *acting) {
        if (act.from != envelope.from) {
            continue;  // only the sender acts on its document (intake refuses the others)
        }
        auto* link = trace.add_links();
        link->set_at(format_instant(act.accepted_at));
        link->set_code(business_name(act.business_type));
        link->set_by(act.from_given);
        link->set_ref(act.envelope_id);
    }
    co_return http::message_response(200, trace, request);
}

}  // namespace hub
