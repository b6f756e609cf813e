// POST /v1/status (api.md, envelope.md "Status codes"; ).

#include "hub/core/digest.h"
#include "hub/core/text.h"
#include "hub/http/message.h"
#include "hub/routing/status_rules.h"
#include "lienthong/v1/api.pb.h"

#include "api_common.h"
#include "endpoints.h"
#include "intake_paths.h"

namespace hub {
namespace v1 = lienthong::v1;

namespace {

Result<void> check_update(const v1::StatusUpdate& update, std::size_t description_max) {
    if (update.document_id().empty()) {
        return fail(errc::malformed, "document_id", "document_id is required");
    }
    if (update.code().empty()) {
        return fail(errc::malformed, "code", "code is required");
    }
    if (update.to().empty()) {
        return fail(errc::malformed, "to", "to is required");
    }
    if (!parse_org_code(update.to())) {
        return fail(errc::invalid_org_code, "to");
    }
    if (!update.timestamp().empty() && !parse_instant(update.timestamp())) {
        return fail(errc::invalid_time, "timestamp");
    }
    if (update.description().size() > description_max) {
        return fail(errc::malformed, "description",
                    "description is longer than " + std::to_string(description_max) + " bytes");
    }
    if (!is_known_status(update.code())) {
        return fail(errc::invalid_status, "code", "unknown status code '" + update.code() + "'");
    }
    return {};
}

struct Target {
    DeliveryRecord delivery;
    EnvelopeRecord envelope;
};

// The delivery a status is about: the latest one of the document between the two parties
// (narrowed to one envelope when the update names it).
boost::asio::awaitable<Result<Target>> find_target(StatusDeps& deps,
                                                   const v1::StatusUpdate& update,
                                                   const std::string& sender,
                                                   const std::string& recipient) {
    auto deliveries =
        co_await deps.envelopes.deliveries_for_document(update.document_id(), recipient);
    if (!deliveries) {
        co_return deliveries.error();
    }
    std::optional<Target> found;
    for (const auto& delivery : *deliveries) {
        auto envelope = co_await deps.envelopes.load_envelope(delivery.envelope_seq);
        if (!envelope) {
            co_return envelope.error();
        }
        if (!*envelope || (*envelope)->from != sender ||
            (!update.envelope_id().empty() && (*envelope)->envelope_id != update.envelope_id())) {
            continue;
        }
        found = Target{delivery, std::move(**envelope)};
    }
    if (!found) {
        co_return fail(errc::not_found, "document_id",
                       "no document " + update.document_id() + " between these organizations");
    }
    co_return std::move(*found);
}

}  // namespace

boost::asio::awaitable<http::Response> post_status(StatusDeps& deps, http::Request request) {
    CallerContext& context = deps.context;
    const std::string action = "status.post";
    auto caller = authenticate(context, request);
    if (!caller) {
        co_return co_await reject(context, request, caller.error(), "unknown", action, "");
    }
    const std::string me = caller->org->code;
    v1::StatusUpdate update;
    if (auto parsed = http::parse_message(request, update); !parsed) {
        co_return co_await reject(context, request, parsed.error(), me, action, "");
    }
    co_return co_await record_status(deps, request, *caller, action, std::move(update));
}

boost::asio::awaitable<http::Response> record_status(StatusDeps& deps,
                                                     const http::Request& request,
                                                     const Caller& caller,
                                                     std::string action,
                                                     v1::StatusUpdate update) {
    CallerContext& context = deps.context;
    const std::string me = caller.org->code;
    if (auto ok = check_update(update, deps.options.description_max_bytes); !ok) {
        co_return co_await reject(context, request, ok.error(), me, action, update.document_id());
    }
    const OrgInfo* other = caller.registry->find(update.to());
    const std::string other_code = other ? other->code : canonical_org_code(update.to());
    // The caller's role decides the party (a recipient reports 02-06, 15, 16; the sender 13),
    // so a code from the wrong side is INVALID_STATUS rather than an unknown document.
    auto target = co_await find_target(deps, update, other_code, me);
    bool from_sender = false;
    if (!target && target.error().code == errc::not_found) {
        target = co_await find_target(deps, update, me, other_code);
        from_sender = true;
    }
    if (!target) {
        co_return co_await reject(context, request, target.error(), me, action,
                                  update.document_id());
    }
    const StatusParty party = from_sender ? StatusParty::sender : StatusParty::recipient;
    const Instant now = context.clock.now();
    StatusRecord record;
    record.status_id = new_id("s-");
    record.delivery_id = target->delivery.delivery_id;
    record.envelope_seq = target->delivery.envelope_seq;
    record.from = me;
    record.to = other_code;
    record.code = update.code();
    record.description = to_nfc(update.description());
    record.staff = update.staff().SerializeAsString();
    record.reported_at = update.timestamp();
    record.recorded_at = now;
    // A retry of a report whose answer was lost carries the same fields: the same report.
    record.request_digest = sha256_hex(me + '\n' + update.SerializeAsString());
    const std::string code = update.code();
    const std::string description = record.description;
    v1::StatusNotice notice;
    notice.set_status_id(record.status_id);
    notice.set_document_id(target->envelope.document_id);
    notice.set_envelope_id(target->envelope.envelope_id);
    notice.set_from(from_sender ? target->envelope.from_given : target->delivery.recipient_given);
    notice.set_to(from_sender ? target->delivery.recipient_given : target->envelope.from_given);
    notice.set_code(code);
    notice.set_description(description);
    *notice.mutable_staff() = update.staff();
    notice.set_timestamp(update.timestamp());
    notice.set_recorded_at(format_instant(now));
    record.notice = notice.SerializeAsString();
    // A national party (a recipient, or the sender of a document that came from the axis)
    // hears of the other party's statuses through the national axis.
    record.notice_channel = from_sender
                                ? (target->delivery.route == v1::NATIONAL ? "national" : "inbox")
                                : notice_channel_for(*caller.registry, target->envelope.from);
    const bool to_national = record.notice_channel == "national";

    // Named, not built inside the co_await: GCC 12 destroys such captures twice.
    StatusCheck check = [code, description, party](const std::vector<std::string>& recorded) {
        return check_status(recorded, code, party, description);
    };
    AuditRecord audit{now,
                      me,
                      action,
                      record.status_id,
                      "OK",
                      "request=" + request.request_id + " code=" + code +
                          " delivery=" + target->delivery.delivery_id};
    auto added = co_await deps.envelopes.add_status(record, std::move(check), std::move(audit));
    if (!added) {
        co_return co_await reject(context, request, added.error(), me, action,
                                  update.document_id());
    }
    const StatusRecord& stored = added->record;

    v1::StatusReceipt receipt;
    receipt.set_status_id(stored.status_id);
    receipt.set_document_id(target->envelope.document_id);
    receipt.set_envelope_id(target->envelope.envelope_id);
    receipt.set_code(stored.code);
    receipt.set_recorded_at(format_instant(stored.recorded_at));
    receipt.set_route(to_national ? v1::NATIONAL : v1::LOCAL);
    co_return http::message_response(added->created ? 202 : 200, receipt, request);
}

}  // namespace hub
