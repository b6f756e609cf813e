#include "national_wiring.h"

#include "hub/core/digest.h"
#include "hub/core/document_id.h"
#include "hub/core/org_code.h"
#include "hub/core/time.h"
#include "hub/national/axis_wire_vdxp.h"
#include "hub/national/edxml.h"
#include "hub/national/edxml_mapping.h"
#include "lienthong/v1/api.pb.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <set>

#include "blocking.h"
#include "xml_signature.h"

namespace hub {
namespace v1 = lienthong::v1;
namespace asio = boost::asio;
using national::OutgoingPackage;

namespace {

const std::string kActor = "national";

// The bytes of one stored attachment: inline in the ledger row, or a blob (file I/O on the
// blocking pool).
asio::awaitable<Result<std::string>> attachment_bytes(NationalDeps& deps,
                                                      const AttachmentRecord& attachment) {
    if (attachment.inline_content) {
        if (!attachment.content.empty() || attachment.size == 0) {
            co_return attachment.content;
        }
        auto bytes = co_await deps.envelopes.inline_content(attachment.sha256);
        if (!bytes) {
            co_return bytes.error();
        }
        if (!*bytes) {
            co_return fail(errc::not_found, "attachments", "inline content missing");
        }
        co_return std::move(**bytes);
    }
    auto read = [&] { return deps.blobs.read(attachment.sha256); };
    co_return co_await run_blocking(deps.blocking, read);
}

// Who sent the package, as the axis' `from` parameter: the canonical code (the simulator and
// the axis read the package's own From when it does not match a system they know).
std::string axis_from(const std::string& canonical) { return canonical; }

// A package from the axis is signed for its From or not signed at all: a signature must verify
// and chain like an agency's (weak algorithms flagged, not refused: the SDK signs rsa-sha1), and
// a signer certificate naming an organization (its UID) must name the sender. What the trace
// should say comes back.
Result<std::vector<std::string>> axis_signature_warnings(const std::string& package,
                                                         const std::string& from_canonical,
                                                         const crypto::TrustStore& trust,
                                                         Instant now,
                                                         const national::CodeLookup& lookup) {
    auto signer = check_xml_signature(package, trust, now, crypto::SignatureSource::national_axis);
    if (!signer) {
        return signer.error();
    }
    if (!*signer) {
        return std::vector<std::string>{kUnsignedEdxmlWarning};
    }
    const std::string& uid = (*signer)->uid;
    if (!uid.empty()) {
        const auto forms = national::code_forms(uid, lookup);
        if (!forms || canonical_org_code(forms->canonical) != from_canonical) {
            return fail(errc::signer_mismatch, "Signature",
                        "the signer certificate belongs to " + uid + ", not to " + from_canonical);
        }
    }
    return std::move((*signer)->warnings);
}

asio::awaitable<Result<std::vector<std::string>>> check_axis_signature(
    NationalDeps& deps,
    const std::string& package,
    const std::string& from_canonical,
    const national::CodeLookup& lookup) {
    const auto trust = deps.trust.get();
    const Instant now = deps.clock.now();
    auto check = [&] {
        return axis_signature_warnings(package, from_canonical, *trust, now, lookup);
    };
    co_return co_await run_blocking(deps.blocking, check);
}

}  // namespace

asio::awaitable<Result<OutgoingPackage>> LedgerPackageSource::package_for(OutboxItem item) {
    std::string from;
    national::MessageType type = national::MessageType::edoc;
    auto bytes = co_await build(item, from, type);
    if (!bytes) {
        co_return bytes.error();
    }
    if (signer_ != nullptr) {
        auto signed_bytes = signer_->sign(*bytes);
        if (!signed_bytes) {
            co_return signed_bytes.error();
        }
        bytes = std::move(*signed_bytes);
    }
    co_return OutgoingPackage{std::move(*bytes), type, axis_from(from)};
}

asio::awaitable<Result<std::string>> LedgerPackageSource::build(const OutboxItem& item,
                                                                std::string& from,
                                                                national::MessageType& type) {
    const auto lookup = national::registry_lookup(deps_.registry.get());
    if (item.kind == "status") {
        auto status = co_await deps_.envelopes.get_status(item.item_id);
        if (!status) {
            co_return status.error();
        }
        v1::StatusNotice notice;
        if (!*status || !notice.ParseFromString((*status)->notice)) {
            co_return fail(errc::not_found, "status", "no status notice " + item.item_id);
        }
        auto package = national::from_status_notice(notice, lookup);
        if (!package) {
            co_return package.error();
        }
        from = (*status)->from;
        type = national::MessageType::status;
        co_return national::encode_status_package(*package);
    }
    if (item.kind != "envelope") {
        co_return fail(errc::malformed, "kind", "no edXML form for an item of kind " + item.kind);
    }
    auto record = co_await deps_.envelopes.load_envelope(item.ref, true);
    if (!record) {
        co_return record.error();
    }
    if (!*record) {
        co_return fail(errc::not_found, "envelope", "no envelope " + std::to_string(item.ref));
    }
    v1::SignedEnvelope envelope;
    envelope.set_header((*record)->header);
    envelope.set_signature((*record)->signature);
    for (const auto& attachment : (*record)->attachments) {
        auto bytes = co_await attachment_bytes(deps_, attachment);
        if (!bytes) {
            co_return bytes.error();
        }
        auto* out = envelope.add_attachments();
        out->set_content_id(attachment.content_id);
        out->set_content(std::move(*bytes));
    }
    auto package = national::from_signed_envelope(envelope, lookup);
    if (!package) {
        co_return package.error();
    }
    from = (*record)->from;
    type = national::MessageType::edoc;
    co_return national::encode_envelope_package(*package);
}

// The axis' list entry says little we trust: the package itself says what it is and who sent it.
asio::awaitable<Result<void>> LedgerInboundSink::take(national::ReceivedItem /*item*/,
                                                      std::string package) {
    auto kind = national::package_kind(package);
    if (!kind) {
        co_return kind.error();
    }
    if (*kind == national::PackageKind::status) {
        co_return co_await take_status(package);
    }
    co_return co_await take_envelope(package);
}

asio::awaitable<Result<void>> LedgerInboundSink::take_envelope(const std::string& package) {
    national::DecodeOptions options;
    options.mode = national::DecodeMode::lenient;
    auto decoded = national::decode_envelope_package(package, options);
    if (!decoded) {
        co_return decoded.error();
    }
    const auto registry = deps_.registry.get();
    const auto lookup = national::registry_lookup(registry);
    auto mapped =
        national::to_signed_envelope(*decoded, package, lookup, national::DecodeMode::lenient);
    if (!mapped) {
        co_return mapped.error();
    }
    const v1::EnvelopeHeader& header = mapped->header;
    const std::string from = canonical_org_code(header.from().code());
    auto signature_warnings = co_await check_axis_signature(deps_, package, from, lookup);
    if (!signature_warnings) {
        co_return signature_warnings.error();
    }

    // Only this province's organizations get a delivery; the others were the axis' business.
    std::vector<NewDelivery> deliveries;
    std::set<std::string> seen;
    for (int i = 0; i < header.to_size(); ++i) {
        auto code = parse_org_code(header.to(i));
        if (!code) {
            continue;
        }
        auto decision = registry->route(*code, deps_.province, true);
        if (decision.kind != RouteKind::local || !seen.insert(decision.code).second) {
            continue;
        }
        deliveries.push_back(NewDelivery{new_id("d-"), decision.code, header.to(i), v1::LOCAL});
    }
    if (deliveries.empty()) {
        co_return fail(errc::unknown_recipient, "To",
                       "no recipient of this package is in " + deps_.province);
    }

    // The same package taken again (its `done` was lost) is the same envelope: nothing new.
    const std::string package_sha256 = sha256_hex(package);
    auto earlier = co_await deps_.envelopes.find_envelope(from, header.envelope_id());
    if (!earlier) {
        co_return earlier.error();
    }
    if (*earlier) {
        co_return Result<void>{};
    }

    std::vector<AttachmentRecord> attachments;
    for (int i = 0; i < header.attachments_size(); ++i) {
        const auto& ref = header.attachments(i);
        const std::string* content = nullptr;
        for (const auto& a : mapped->envelope.attachments()) {
            if (a.content_id() == ref.content_id()) {
                content = &a.content();
            }
        }
        if (content == nullptr) {
            co_return fail(errc::attachment_digest, "attachments", "missing " + ref.content_id());
        }
        AttachmentRecord record;
        record.content_id = ref.content_id();
        record.name = ref.name();
        record.media_type = ref.media_type();
        record.size = content->size();
        record.sha256 = sha256_hex(*content);
        record.role = ref.role();
        record.description = ref.description();
        if (content->size() <= deps_.inline_max_bytes) {
            record.inline_content = true;
            record.content = *content;
        } else {
            auto put = [&] { return deps_.blobs.put(*content); };
            auto stored = co_await run_blocking(deps_.blocking, put);
            if (!stored) {
                co_return stored.error();
            }
        }
        attachments.push_back(std::move(record));
    }

    const Instant accepted_at = deps_.clock.now();
    const std::string header_sha256 = sha256_hex(mapped->envelope.header());
    v1::Receipt receipt;
    receipt.set_envelope_id(header.envelope_id());
    receipt.set_document_id(header.document_id());
    receipt.set_from(header.from().code());
    receipt.set_header_sha256(header_sha256);
    receipt.set_accepted_at(format_instant(accepted_at));
    receipt.set_sent_at(receipt.accepted_at());
    for (const auto& delivery : deliveries) {
        auto* recipient = receipt.add_recipients();
        recipient->set_code(delivery.recipient_given);
        recipient->set_route(delivery.route);
        recipient->set_delivery_id(delivery.delivery_id);
    }
    const std::string signed_bytes = receipt.SerializeAsString();
    auto signature = deps_.receipt_signer.sign_detached(signed_bytes);
    if (!signature) {
        co_return signature.error();
    }
    receipt.mutable_signed_()->set_receipt(signed_bytes);
    receipt.mutable_signed_()->set_signature(*signature);

    NewEnvelope record;
    record.from = from;
    record.from_given = header.from().code();
    record.envelope_id = header.envelope_id();
    record.document_id = header.document_id();
    record.business_type = header.business_type();
    record.header = mapped->envelope.header();
    record.signature = mapped->envelope.signature();
    record.header_sha256 = header_sha256;
    record.content_digest = package_sha256;
    record.receipt = receipt.SerializeAsString();
    record.accepted_at = accepted_at;
    record.reply_requested = header.reply_requested();
    record.reply_due = header.reply_due();
    if (header.business_type() != v1::NEW) {
        record.replaces = header.replaces().document_id();
    }
    record.in_reply_to.assign(header.in_reply_to().begin(), header.in_reply_to().end());
    record.attachments = std::move(attachments);
    record.deliveries = deliveries;
    // The lenient decode's flags and the signature's travel with the document (its trace
    // shows them).
    record.warnings = mapped->flags;
    record.warnings.insert(record.warnings.end(), signature_warnings->begin(),
                           signature_warnings->end());
    record.audit.push_back(AuditRecord{accepted_at, kActor, "national.receive",
                                       header.envelope_id(), "OK",
                                       "doc=" + log_value(header.document_id()) +
                                           " recipients=" + std::to_string(deliveries.size())});
    auto accepted = co_await deps_.envelopes.accept_envelope(std::move(record));
    if (!accepted) {
        co_return accepted.error();
    }
    if (accepted->outcome == AcceptResult::duplicate_conflict) {
        co_return fail(
            errc::duplicate_conflict, "DocumentId",
            "envelope " + header.envelope_id() + " was received before with other content");
    }
    deps_.log.info("national_received", "envelope=" + header.envelope_id() + " from=" + from +
                                            " doc=" + log_value(header.document_id()));
    co_return Result<void>{};
}

asio::awaitable<Result<void>> LedgerInboundSink::take_status(const std::string& package) {
    national::DecodeOptions options;
    options.mode = national::DecodeMode::lenient;
    auto decoded = national::decode_status_package(package, options);
    if (!decoded) {
        co_return decoded.error();
    }
    const auto lookup = national::registry_lookup(deps_.registry.get());
    auto mapped = national::to_status_update(*decoded, lookup, national::DecodeMode::lenient);
    if (!mapped) {
        co_return mapped.error();
    }
    const v1::StatusUpdate& update = mapped->update;
    const std::string reporter = canonical_org_code(mapped->from);
    // A status carries no trace of its own: a signature it has must hold, nothing more.
    if (auto signature = co_await check_axis_signature(deps_, package, reporter, lookup);
        !signature) {
        co_return signature.error();
    }
    const std::string sender = canonical_org_code(update.to());
    // The delivery it is about: the document to the reporter from our local sender. The
    // package names the document with its issuer in the edXML form we sent it in; the ledger
    // keeps the id as the sender wrote it, in either form, so each form is looked up.
    std::vector<std::string> ids{update.document_id()};
    if (auto id = parse_document_id(update.document_id())) {
        if (auto forms = national::code_forms(id->issuer, lookup)) {
            for (const std::string& issuer : {forms->canonical, forms->edxml}) {
                if (!issuer.empty() && issuer != id->issuer) {
                    DocumentId other = *id;
                    other.issuer = issuer;
                    ids.push_back(format_document_id(other));
                }
            }
        }
    }
    std::vector<DeliveryRecord> found;
    for (const auto& id : ids) {
        auto deliveries = co_await deps_.envelopes.deliveries_for_document(id, reporter);
        if (!deliveries) {
            co_return deliveries.error();
        }
        found.insert(found.end(), deliveries->begin(), deliveries->end());
    }
    std::optional<DeliveryRecord> target;
    std::optional<EnvelopeRecord> envelope;
    for (const auto& delivery : found) {
        auto loaded = co_await deps_.envelopes.load_envelope(delivery.envelope_seq, false);
        if (!loaded) {
            co_return loaded.error();
        }
        if (*loaded && (*loaded)->from == sender) {
            target = delivery;
            envelope = std::move(**loaded);
        }
    }
    if (!target) {
        co_return fail(
            errc::not_found, "ResponseFor",
            "no document " + update.document_id() + " from " + sender + " to " + reporter);
    }
    const Instant now = deps_.clock.now();
    StatusRecord record;
    record.status_id = new_id("s-");
    record.delivery_id = target->delivery_id;
    record.envelope_seq = target->envelope_seq;
    record.from = reporter;
    record.to = sender;
    record.code = update.code();
    record.description = update.description();
    record.staff = update.staff().SerializeAsString();
    record.reported_at = update.timestamp();
    record.recorded_at = now;
    // The same package polled again is the same report.
    record.request_digest = sha256_hex(reporter + '\n' + package);
    v1::StatusNotice notice;
    notice.set_status_id(record.status_id);
    notice.set_document_id(envelope->document_id);
    notice.set_envelope_id(envelope->envelope_id);
    notice.set_from(target->recipient_given);
    notice.set_to(envelope->from_given);
    notice.set_code(record.code);
    notice.set_description(record.description);
    *notice.mutable_staff() = update.staff();
    notice.set_timestamp(update.timestamp());
    notice.set_recorded_at(format_instant(now));
    record.notice = notice.SerializeAsString();
    record.notice_channel = "inbox";
    // Named, not built inside the co_await: GCC 12 destroys such temporaries twice.
    AuditRecord audit{now,
                      kActor,
                      "national.status",
                      update.document_id(),
                      "OK",
                      "code=" + update.code() + " from=" + reporter};
    StatusCheck no_check;
    auto added = co_await deps_.envelopes.add_status(std::move(record), no_check, std::move(audit));
    if (!added) {
        co_return added.error();
    }
    co_return Result<void>{};
}

// ---- the adapter ----

struct NationalAdapter::Parts {
    NationalDeps deps;
    std::unique_ptr<national::HttpAxisClient> axis;
    std::unique_ptr<LedgerPackageSource> packages;
    std::unique_ptr<LedgerInboundSink> sink;
    std::unique_ptr<national::OutboundRelay> relay;
    std::unique_ptr<national::InboundPoller> poller;
    asio::any_io_executor executor;
    std::chrono::milliseconds poll_interval{60'000};
    std::optional<national::PackageSigner> signer;
    std::unique_ptr<DirectorySync> directory;
};

Result<std::unique_ptr<NationalAdapter>> NationalAdapter::create(const v1::NationalConfig& config,
                                                                 asio::any_io_executor executor,
                                                                 NationalDeps deps,
                                                                 const DirectorySnapshot& cached) {
    std::unique_ptr<NationalAdapter> adapter(new NationalAdapter());
    adapter->p_.reset(new Parts{std::move(deps),
                                nullptr,
                                nullptr,
                                nullptr,
                                nullptr,
                                nullptr,
                                executor,
                                {},
                                std::nullopt,
                                nullptr});
    Parts& p = *adapter->p_;
    p.poll_interval = std::chrono::milliseconds(config.poll_interval_ms());
    if (!config.signing_key_file().empty()) {
        auto signer =
            national::PackageSigner::load(config.signing_key_file(), config.signing_cert_file());
        if (!signer) {
            return fail(errc::malformed, "national.signing_key_file",
                        "config: national.signing_key_file: " + signer.error().text());
        }
        p.signer.emplace(std::move(*signer));
    }
    std::string secret;
    try {
        secret = national::read_secret_file(config.secret_file());
    } catch (const std::exception& e) {
        return fail(errc::malformed, "national.secret_file",
                    std::string("config: national.secret_file: ") + e.what());
    }
    national::AxisHttpOptions http;
    http.endpoint = config.endpoint();
    http.ca_file = config.ca_file();
    http.timeout = std::chrono::milliseconds(config.timeout_ms());
    try {
        p.axis = std::make_unique<national::HttpAxisClient>(
            executor, http,
            std::make_unique<national::VdxpWire>(
                national::VdxpCredentials{config.system_id(), std::move(secret)}));
    } catch (const std::exception& e) {
        return fail(errc::malformed, "national.endpoint",
                    std::string("config: national.endpoint/ca_file: ") + e.what());
    }
    p.packages = std::make_unique<LedgerPackageSource>(p.deps, p.signer ? &*p.signer : nullptr);
    p.sink = std::make_unique<LedgerInboundSink>(p.deps);
    national::RelayOptions relay;
    relay.delivery_limit = config.delivery_limit();
    relay.retry_base = std::chrono::milliseconds(config.retry_base_ms());
    relay.retry_max = std::chrono::milliseconds(config.retry_max_ms());
    relay.breaker_failures = config.breaker_failures();
    relay.breaker_cooldown = std::chrono::milliseconds(config.breaker_cooldown_ms());
    p.relay = std::make_unique<national::OutboundRelay>(
        executor, p.deps.outbox, *p.axis, *p.packages, p.deps.clock, p.deps.log, relay);
    p.poller = std::make_unique<national::InboundPoller>(
        executor, *p.axis, *p.sink, p.deps.clock, p.deps.log,
        national::InboundOptions{std::chrono::milliseconds(config.poll_interval_ms())});
    p.directory = std::make_unique<DirectorySync>(
        executor, *p.axis, p.deps.directory_store, p.deps.directory, cached, p.deps.clock,
        p.deps.log,
        DirectorySync::Options{std::chrono::seconds(config.directory_sync_s()),
                               std::max(std::chrono::milliseconds(config.retry_max_ms()),
                                        std::chrono::milliseconds(config.poll_interval_ms()))});
    // Set before the listeners serve (the ledger takes it once): a commit adding a national
    // item wakes the relay instead of waiting for its idle poll.
    national::OutboundRelay& woken = *p.relay;
    p.deps.outbox.on_relay_items([&woken](const std::string& channel) {
        if (channel == "national") {
            woken.wake();
        }
    });
    return adapter;
}

NationalAdapter::~NationalAdapter() = default;

void NationalAdapter::start() {
    Parts& p = *p_;
    Logger& log = p.deps.log;
    auto crashed = [&log](const char* what) {
        return [&log, what](std::exception_ptr e) {
            if (!e) {
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& error) {
                log.error(what, "error=" + log_value(error.what()));
            }
        };
    };
    asio::co_spawn(p.executor, p.relay->run(), crashed("national_relay_crashed"));
    asio::co_spawn(p.executor, p.poller->run(), crashed("national_poller_crashed"));
    asio::co_spawn(p.executor, p.directory->run(), crashed("national_directory_crashed"));
    log.info("national_started", std::string("signs_packages=") + (p.signer ? "1" : "0"));
}

void NationalAdapter::stop() {
    p_->relay->stop();
    p_->poller->stop();
    p_->directory->stop();
}

asio::awaitable<Result<DirectorySyncOutcome>> NationalAdapter::sync_directory(std::string actor) {
    co_return co_await p_->directory->sync_now(std::move(actor));
}

asio::awaitable<Result<NationalHealth>> NationalAdapter::health() {
    Parts& p = *p_;
    NationalHealth h;
    h.enabled = true;
    h.relay = p.relay->stats();
    h.inbound = p.poller->stats();
    h.breaker = std::string(national::breaker_state_name(p.relay->breaker().state()));
    h.last_poll = h.inbound.last_poll;
    h.directory = p.directory->state();
    h.signs_packages = p.signer.has_value();
    // Reachable: a poll got both lists within the last three poll intervals, and the breaker
    // is not holding sends back.
    const Instant now = p.deps.clock.now();
    const bool polled = h.last_poll && now - *h.last_poll < 3 * p.poll_interval;
    h.reachable = polled && p.relay->breaker().state() != national::Breaker::State::open;
    auto backlog = co_await p.deps.outbox.relay_backlog("national");
    if (!backlog) {
        co_return backlog.error();
    }
    h.outbox_depth = backlog->count;
    if (backlog->oldest) {
        h.oldest_age_s =
            std::chrono::duration_cast<std::chrono::seconds>(now - *backlog->oldest).count();
    }
    co_return h;
}

}  // namespace hub
