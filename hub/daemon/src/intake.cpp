// POST /v1/envelopes (api.md; ).

#include "hub/core/digest.h"
#include "hub/core/document_id.h"
#include "hub/core/text.h"
#include "hub/core/validation.h"
#include "hub/crypto/verify.h"
#include "hub/http/message.h"
#include "lienthong/v1/api.pb.h"

#include <boost/asio/use_awaitable.hpp>

#include "api_common.h"
#include "attachments_check.h"
#include "blocking.h"
#include "endpoints.h"
#include "envelope_body.h"
#include "intake_paths.h"

namespace hub {
namespace v1 = lienthong::v1;

namespace {

struct Routed {
    std::vector<NewDelivery> deliveries;
};

Result<Routed> route_recipients(const IntakeOptions& options,
                                const Registry& registry,
                                const NationalDirectory& directory,
                                const v1::EnvelopeHeader& header) {
    Routed routed;
    std::set<std::string> seen;
    for (int i = 0; i < header.to_size(); ++i) {
        auto code = parse_org_code(header.to(i));
        const auto field = "header.to[" + std::to_string(i) + "]";
        if (!code) {
            return fail(errc::invalid_org_code, field);
        }
        auto decision =
            registry.route(*code, options.province, options.national_enabled, directory);
        if (decision.kind == RouteKind::unknown) {
            return fail(errc::unknown_recipient, field,
                        header.to(i) + " is neither registered here nor routable nationally");
        }
        if (!seen.insert(decision.code).second) {
            continue;  // the same organization written twice, perhaps in both forms
        }
        routed.deliveries.push_back(
            NewDelivery{new_id("d-"), decision.code, header.to(i),
                        decision.kind == RouteKind::local ? v1::LOCAL : v1::NATIONAL});
    }
    return routed;
}

// a reply must name a document this hub has carried when its issuer is one of ours, and
// one the caller was a party to: for anyone else the answer is the same as for a document
// that does not exist, so the check tells nobody what others exchanged.
boost::asio::awaitable<Result<void>> check_replies(IntakeDeps& deps,
                                                   const Registry& registry,
                                                   const std::string& caller,
                                                   const v1::EnvelopeHeader& header) {
    for (int i = 0; i < header.in_reply_to_size(); ++i) {
        const auto field = "header.in_reply_to[" + std::to_string(i) + "]";
        auto target = parse_document_id(header.in_reply_to(i));
        if (!target) {
            co_return fail(errc::invalid_document_id, field);
        }
        auto issuer = parse_org_code(target->issuer);
        const OrgInfo* local = registry.find(target->issuer);
        const bool ours = (local != nullptr && local->route == v1::LOCAL) ||
                          (issuer && issuer->level1() == deps.options.province);
        if (!ours) {
            continue;
        }
        auto known = co_await deps.envelopes.document_visible_to(header.in_reply_to(i), caller);
        if (!known) {
            co_return known.error();
        }
        if (!*known) {
            co_return fail(errc::reply_target_unknown, field,
                           "no document " + header.in_reply_to(i) +
                               " passed through this hub between you and its other party");
        }
    }
    co_return Result<void>{};
}

// A RECALL, UPDATE or REPLACE acts on a document its sender sent; anyone else's document is
// answered as an unknown one.
boost::asio::awaitable<Result<void>> check_replaces(IntakeDeps& deps,
                                                    const std::string& sender,
                                                    const v1::EnvelopeHeader& header) {
    if (header.business_type() == v1::NEW) {
        co_return Result<void>{};
    }
    const std::string& target = header.replaces().document_id();
    auto own = co_await deps.envelopes.document_sent_by(target, sender);
    if (!own) {
        co_return own.error();
    }
    if (!*own) {
        co_return fail(errc::reply_target_unknown, "header.replaces.document_id",
                       "you sent no document " + target + " through this hub");
    }
    co_return Result<void>{};
}

// Small attachments travel inside the ledger transaction (one fsync per batch); large ones
// become durable files in the blob store before the ledger commit that points at them.
Result<std::vector<AttachmentRecord>> store_attachments(BlobStore& blobs,
                                                        std::uint64_t inline_max,
                                                        const v1::EnvelopeHeader& header,
                                                        IncomingEnvelope& body) {
    std::vector<AttachmentRecord> records;
    for (const auto& ref : header.attachments()) {
        IncomingAttachment* content = nullptr;
        for (auto& attachment : body.attachments) {
            if (to_nfc(attachment.content_id) == ref.content_id()) {
                content = &attachment;
            }
        }
        if (content == nullptr) {
            return fail(errc::attachment_digest, "attachments", "missing " + ref.content_id());
        }
        AttachmentRecord record;
        record.content_id = ref.content_id();
        record.name = ref.name();
        record.media_type = ref.media_type();
        record.size = ref.size();
        record.sha256 = content->sha256;
        record.role = ref.role();
        record.description = ref.description();
        if (content->file.empty() && content->size <= inline_max) {
            record.inline_content = true;
            record.content = std::move(content->bytes);
        } else {
            auto stored = content->file.empty() ? blobs.put(content->bytes)
                                                : blobs.put_file(content->file, content->sha256);
            if (!stored) {
                return stored.error();
            }
        }
        records.push_back(std::move(record));
    }
    return records;
}

bool needs_blob_store(std::uint64_t inline_max, const IncomingEnvelope& body) {
    return std::any_of(
        body.attachments.begin(), body.attachments.end(),
        [&](const IncomingAttachment& a) { return !a.file.empty() || a.size > inline_max; });
}

v1::Receipt make_receipt(const v1::EnvelopeHeader& header,
                         const std::string& header_sha256,
                         Instant accepted_at,
                         const std::vector<NewDelivery>& deliveries) {
    v1::Receipt receipt;
    receipt.set_envelope_id(header.envelope_id());
    receipt.set_document_id(header.document_id());
    receipt.set_from(header.from().code());
    receipt.set_header_sha256(header_sha256);
    receipt.set_accepted_at(format_instant(accepted_at));
    // the sending time is when the hub gave the sender a successful receipt.
    receipt.set_sent_at(receipt.accepted_at());
    for (const auto& delivery : deliveries) {
        auto* recipient = receipt.add_recipients();
        recipient->set_code(delivery.recipient_given);
        recipient->set_route(delivery.route);
        recipient->set_delivery_id(delivery.delivery_id);
    }
    return receipt;
}

http::Response receipt_response(unsigned status,
                                const std::string& receipt_bytes,
                                const http::Request& request) {
    v1::Receipt receipt;
    receipt.ParseFromString(receipt_bytes);
    return http::message_response(status, receipt, request);
}

}  // namespace

boost::asio::awaitable<http::Response> post_envelope(IntakeDeps& deps, http::Request request) {
    CallerContext& context = deps.context;
    const std::string action = "envelope.post";
    auto caller = authenticate(context, request);
    if (!caller) {
        co_return co_await reject(
            context, request, caller.error(),
            "cert:" + request.client_cert_sha256.value_or("none").substr(0, 16), action, "");
    }
    const std::string actor = caller->org->code;
    // No co_await inside ?: and no lambda built inside a co_await expression: GCC 12
    // destroys such temporaries twice.
    auto read_body = [&] { return read_envelope_body(request, deps.blobs.temp_dir()); };
    Result<IncomingEnvelope> body = fail(errc::internal);
    if (request.body_file.empty()) {
        body = read_body();
    } else {
        body = co_await run_blocking(deps.blocking, read_body);
    }
    if (!body) {
        co_return co_await reject(context, request, body.error(), actor, action, "");
    }
    auto checked = validate_header(body->header);
    if (!checked) {
        co_return co_await reject(context, request, checked.error(), actor, action, "");
    }
    const auto& header = checked->header;
    const std::string envelope_id = header.envelope_id();
    if (body->signature.empty()) {
        co_return co_await reject(context, request,
                                  fail(errc::malformed, "signature", "no signature"), actor, action,
                                  envelope_id);
    }
    auto check_content = [&] { return check_attachments(header, *body); };
    Result<void> attachments_ok;
    if (request.body_file.empty()) {
        attachments_ok = check_content();
    } else {
        attachments_ok = co_await run_blocking(deps.blocking, check_content);
    }
    if (!attachments_ok) {
        co_return co_await reject(context, request, attachments_ok.error(), actor, action,
                                  envelope_id);
    }

    // the signature over the exact header bytes, then who signed.
    const auto now = context.clock.now();
    auto signer = crypto::verify_detached(body->header, body->signature, *deps.trust.get(), now);
    if (!signer) {
        co_return co_await reject(context, request, signer.error(), actor, action, envelope_id);
    }
    CheckedIntake intake;
    intake.checked = std::move(*checked);
    intake.body = std::move(*body);
    intake.signer = DocumentSigner{signer->cert_sha256, signer->uid};
    if (!signer->revocation_warning.empty()) {
        intake.warnings.push_back(signer->revocation_warning);
    }
    co_return co_await accept_checked(deps, request, *caller, action, std::move(intake));
}

boost::asio::awaitable<http::Response> accept_checked(IntakeDeps& deps,
                                                      const http::Request& request,
                                                      const Caller& caller,
                                                      std::string action,
                                                      CheckedIntake intake) {
    CallerContext& context = deps.context;
    const std::string actor = caller.org->code;
    const CheckedEnvelope* checked = &intake.checked;
    IncomingEnvelope* body = &intake.body;
    const auto& header = checked->header;
    const std::string envelope_id = header.envelope_id();
    const Registry& registry = *caller.registry;
    const OrgInfo* sender = registry.find(checked->from.canonical);
    if (sender == nullptr) {
        co_return co_await reject(context, request,
                                  fail(errc::forbidden_sender, "header.from.code",
                                       checked->from.given + " is not a registered organization"),
                                  actor, action, envelope_id);
    }
    // CERTIFICATE_REVOKED when the registry revoked it, SIGNER_MISMATCH when not its own.
    // Unsigned edXML (allowed for its sender) has no signer to check.
    if (intake.signer) {
        auto belongs =
            registry.check_signer(*sender, intake.signer->cert_sha256, intake.signer->uid);
        if (!belongs) {
            co_return co_await reject(context, request, belongs.error(), actor, action,
                                      envelope_id);
        }
    }
    if (sender != caller.org) {
        co_return co_await reject(
            context, request,
            fail(errc::forbidden_sender, "header.from.code",
                 "the caller is " + caller.org->code + ", not " + sender->code),
            actor, action, envelope_id);
    }
    auto routed = route_recipients(deps.options, registry, *deps.directory.get(), header);
    if (!routed) {
        co_return co_await reject(context, request, routed.error(), actor, action, envelope_id);
    }
    if (auto replies = co_await check_replies(deps, registry, sender->code, header); !replies) {
        co_return co_await reject(context, request, replies.error(), actor, action, envelope_id);
    }
    if (auto acted_on = co_await check_replaces(deps, sender->code, header); !acted_on) {
        co_return co_await reject(context, request, acted_on.error(), actor, action, envelope_id);
    }

    // Idempotency: a repost needs no blob writes; accept_envelope decides again under its lock.
    const std::string header_sha256 = sha256_hex(body->header);
    const std::string content_digest =
        intake.content_digest.empty() ? header_sha256 : intake.content_digest;
    auto earlier = co_await deps.envelopes.find_envelope(sender->code, envelope_id);
    if (!earlier) {
        co_return co_await reject(context, request, earlier.error(), actor, action, envelope_id);
    }
    if (*earlier) {
        if ((*earlier)->content_digest != content_digest) {
            co_return co_await reject(
                context, request,
                fail(errc::duplicate_conflict, "header.envelope_id",
                     "envelope " + envelope_id + " was sent before with other content"),
                actor, action, envelope_id);
        }
        co_await audit(context, actor, action, envelope_id, "DUPLICATE",
                       "request=" + request.request_id);
        co_return receipt_response(200, (*earlier)->receipt, request);
    }

    // A repost above still gets its receipt; a new envelope waits while the broker is behind
    // (the outbox is bounded: queue.outbox_max).
    if (deps.outbox_full && deps.outbox_full()) {
        co_return co_await reject(
            context, request,
            fail(errc::unavailable, "", "the hub's outbox is full while its broker is away"), actor,
            action, envelope_id);
    }

    const std::uint64_t inline_max = deps.options.inline_max_bytes;
    auto write_blobs = [&] { return store_attachments(deps.blobs, inline_max, header, *body); };
    Result<std::vector<AttachmentRecord>> attachments = fail(errc::internal);
    if (needs_blob_store(inline_max, *body)) {
        attachments = co_await run_blocking(deps.blocking, write_blobs);
    } else {
        attachments = write_blobs();
    }
    if (!attachments) {
        co_return co_await reject(context, request, attachments.error(), actor, action,
                                  envelope_id);
    }
    const Instant accepted_at = context.clock.now();
    auto receipt = make_receipt(header, header_sha256, accepted_at, routed->deliveries);
    const std::string signed_bytes = receipt.SerializeAsString();  // before `signed` exists
    auto signature = deps.receipt_signer.sign_detached(signed_bytes);
    if (!signature) {
        co_return co_await reject(context, request, signature.error(), actor, action, envelope_id);
    }
    receipt.mutable_signed_()->set_receipt(signed_bytes);
    receipt.mutable_signed_()->set_signature(*signature);

    NewEnvelope record;
    record.from = sender->code;
    record.from_given = header.from().code();
    record.envelope_id = envelope_id;
    record.document_id = header.document_id();
    record.business_type = header.business_type();
    record.header = body->header;
    record.signature = body->signature;
    record.header_sha256 = header_sha256;
    record.content_digest = content_digest;
    record.edxml_package = std::move(intake.edxml_package);
    record.receipt = receipt.SerializeAsString();
    record.accepted_at = accepted_at;
    record.reply_requested = header.reply_requested();
    record.reply_due = header.reply_due();
    if (header.reply_requested() && !header.reply_due().empty()) {
        if (auto deadline = parse_deadline(header.reply_due())) {
            record.reply_deadline = *deadline;
        }
    }
    if (header.business_type() != v1::NEW) {
        record.replaces = header.replaces().document_id();
    }
    record.in_reply_to.assign(header.in_reply_to().begin(), header.in_reply_to().end());
    record.attachments = std::move(*attachments);
    record.deliveries = routed->deliveries;
    record.warnings = std::move(intake.warnings);
    record.audit.push_back(AuditRecord{
        accepted_at, actor, action, envelope_id, "OK",
        "request=" + request.request_id + " doc=" + log_value(header.document_id()) +
            " recipients=" + std::to_string(routed->deliveries.size()) +
            " signer=" + (intake.signer ? intake.signer->cert_sha256.substr(0, 16) : "none")});
    auto accepted = co_await deps.envelopes.accept_envelope(std::move(record));
    if (!accepted) {
        co_return co_await reject(context, request, accepted.error(), actor, action, envelope_id);
    }
    switch (accepted->outcome) {
        case AcceptResult::duplicate_conflict:
            co_return http::error_response(
                fail(errc::duplicate_conflict, "header.envelope_id",
                     "envelope " + envelope_id + " was sent before with other content"),
                request);
        case AcceptResult::duplicate_same:
            co_return receipt_response(200, accepted->receipt_bytes, request);
        case AcceptResult::created:
            break;
    }
    context.log.info("accepted", "envelope=" + envelope_id + " from=" + sender->code +
                                     " doc=" + log_value(header.document_id()) +
                                     " request=" + request.request_id);
    co_return receipt_response(202, accepted->receipt_bytes, request);
}

}  // namespace hub
