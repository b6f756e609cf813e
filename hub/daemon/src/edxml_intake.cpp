// POST /v1/edxml (issue 9): an edXML envelope or status package from the authenticated agency,
// mapped by the national codec and then put through exactly the checks and the accept path of
// POST /v1/envelopes and POST /v1/status (intake_paths.h). Only what edXML changes lives here:
// the hostile-XML guard, the enveloped XMLDSig as the document signature, the package bytes as
// the idempotency content.

#include "edxml_intake.h"

#include "hub/core/digest.h"
#include "hub/core/media_type.h"
#include "hub/http/message.h"
#include "hub/national/edxml.h"
#include "hub/national/edxml_mapping.h"

#include "api_common.h"
#include "attachments_check.h"
#include "blocking.h"
#include "intake_paths.h"
#include "xml_answers.h"
#include "xml_signature.h"

namespace hub {
namespace v1 = lienthong::v1;

namespace {

bool is_xml_type(const std::string& content_type) {
    const std::string type = normalize_media_type(content_type);
    return type == "application/xml" || type == "text/xml";
}

// Everything up to the registry checks for an envelope package; pure CPU and no ledger, so it
// runs on the blocking pool (xmlsec1 and the codec are synchronous).
struct PreparedEnvelope {
    CheckedIntake intake;
};
Result<PreparedEnvelope> prepare_envelope(std::string package,
                                          std::shared_ptr<const Registry> registry,
                                          bool unsigned_allowed,
                                          std::shared_ptr<const crypto::TrustStore> trust,
                                          Instant now) {
    auto decoded = national::decode_envelope_package(package);
    if (!decoded) {
        return decoded.error();
    }
    auto signer = check_xml_signature(package, *trust, now, crypto::SignatureSource::agency_edxml);
    if (!signer) {
        return signer.error();
    }
    if (!*signer && !unsigned_allowed) {
        return fail(errc::malformed, "Signature",
                    "the package has no XMLDSig signature (enveloped, in edXMLHeader)");
    }
    auto mapped = national::to_signed_envelope(*decoded, package,
                                               national::registry_lookup(std::move(registry)));
    if (!mapped) {
        return mapped.error();
    }
    PreparedEnvelope out;
    CheckedIntake& intake = out.intake;
    intake.body.header = mapped->envelope.header();
    for (const auto& attachment : mapped->envelope.attachments()) {
        IncomingAttachment in;
        in.content_id = attachment.content_id();
        in.size = attachment.content().size();
        in.sha256 = sha256_hex(attachment.content());
        in.bytes = attachment.content();
        intake.body.attachments.push_back(std::move(in));
    }
    // The mapped header goes through the same checks as a posted one.
    auto checked = validate_header(intake.body.header);
    if (!checked) {
        return checked.error();
    }
    if (auto ok = check_attachments(checked->header, intake.body); !ok) {
        return ok.error();
    }
    intake.checked = std::move(*checked);
    if (*signer) {
        intake.signer = DocumentSigner{(*signer)->cert_sha256, (*signer)->uid};
        intake.warnings = (*signer)->warnings;
    } else {
        intake.warnings.emplace_back(kUnsignedEdxmlWarning);
    }
    for (const auto& flag : mapped->flags) {
        intake.warnings.push_back(flag);
    }
    intake.content_digest = sha256_hex(package);
    intake.edxml_package = std::move(package);
    return out;
}

// A status package: the same update POST /v1/status takes. Statuses carry no document
// signature there; one that a package does carry must still verify.
struct PreparedStatus {
    v1::StatusUpdate update;
    std::string from;
};
Result<PreparedStatus> prepare_status(const std::string& package,
                                      std::shared_ptr<const Registry> registry,
                                      std::shared_ptr<const crypto::TrustStore> trust,
                                      Instant now) {
    auto decoded = national::decode_status_package(package);
    if (!decoded) {
        return decoded.error();
    }
    if (auto signer =
            check_xml_signature(package, *trust, now, crypto::SignatureSource::agency_edxml);
        !signer) {
        return signer.error();
    }
    auto mapped =
        national::to_status_update(*decoded, national::registry_lookup(std::move(registry)));
    if (!mapped) {
        return mapped.error();
    }
    return PreparedStatus{std::move(mapped->update), std::move(mapped->from)};
}

// The request, answered as protobuf/JSON per its Accept; `kind` tells what it was.
boost::asio::awaitable<http::Response> handle(EdxmlDeps& deps,
                                              const http::Request& request,
                                              national::PackageKind& kind_out) {
    CallerContext& context = deps.intake.context;
    const std::string action = "edxml.post";
    auto caller = authenticate(context, request);
    if (!caller) {
        co_return co_await reject(
            context, request, caller.error(),
            "cert:" + request.client_cert_sha256.value_or("none").substr(0, 16), action, "");
    }
    if (!is_xml_type(request.content_type)) {
        co_return co_await reject(
            context, request,
            fail(errc::unsupported_media_type, "",
                 "Content-Type " + request.content_type + " not accepted; use application/xml"),
            caller->org->code, action, "");
    }
    // edXML carries its attachments inline: the codec needs the whole document anyway.
    auto read = [&] { return http::body_bytes(request); };
    auto package = co_await run_blocking(deps.intake.blocking, read);
    if (!package) {
        co_return co_await reject(context, request, package.error(), caller->org->code, action, "");
    }
    co_return co_await accept_edxml(deps, request, *caller, std::move(*package), kind_out);
}

}  // namespace

boost::asio::awaitable<http::Response> accept_edxml(EdxmlDeps& deps,
                                                    const http::Request& request,
                                                    const Caller& caller,
                                                    std::string package,
                                                    national::PackageKind& kind_out) {
    CallerContext& context = deps.intake.context;
    std::string action = "edxml.post";
    const std::string actor = caller.org->code;
    // The guard runs first, inside package_kind: nothing else reads a hostile document.
    auto kind = national::package_kind(package);
    if (!kind) {
        co_return co_await reject(context, request, kind.error(), actor, action, "");
    }
    const Instant now = context.clock.now();
    auto trust = deps.intake.trust.get();
    kind_out = *kind;
    if (*kind == national::PackageKind::status) {
        action = "edxml.status";
        auto prepare = [&] { return prepare_status(package, caller.registry, trust, now); };
        auto status = co_await run_blocking(deps.intake.blocking, prepare);
        if (!status) {
            co_return co_await reject(context, request, status.error(), actor, action, "");
        }
        const OrgInfo* reporter = caller.registry->find(status->from);
        if (reporter != caller.org) {
            co_return co_await reject(context, request,
                                      fail(errc::forbidden_sender, "From/OrganId",
                                           "the caller is " + actor + ", not " + status->from),
                                      actor, action, status->update.document_id());
        }
        co_return co_await record_status(deps.status, request, caller, action,
                                         std::move(status->update));
    }
    const bool unsigned_allowed = caller.org->unsigned_edxml_allowed;
    auto prepare = [&] {
        return prepare_envelope(std::move(package), caller.registry, unsigned_allowed, trust, now);
    };
    auto prepared = co_await run_blocking(deps.intake.blocking, prepare);
    if (!prepared) {
        co_return co_await reject(context, request, prepared.error(), actor, action, "");
    }
    co_return co_await accept_checked(deps.intake, request, caller, action,
                                      std::move(prepared->intake));
}

boost::asio::awaitable<http::Response> post_edxml(EdxmlDeps& deps, http::Request request) {
    national::PackageKind kind = national::PackageKind::envelope;
    if (!wants_xml(request)) {
        co_return co_await handle(deps, request, kind);
    }
    // One path answers in protobuf; only the rendering differs for an XML client.
    request.accept = std::string(http::kProtobufType);
    auto answer = co_await handle(deps, request, kind);
    co_return xml_answer(answer,
                         kind == national::PackageKind::status ? "StatusReceipt" : "Receipt");
}

}  // namespace hub
