#pragma once
/// The ledger: the durable record of the registry, accepted envelopes, deliveries, status
/// events and the audit log. Every write is on disk (fsync'd) before its awaitable resumes,
/// which is what lets the API answer 2xx (api.md "Durable before acknowledged").
///
/// All calls may be made from any executor and resume the caller on its own executor; none
/// blocks the calling thread. Failures: UNAVAILABLE when the store cannot take the request
/// now (busy, disk full, I/O error), INTERNAL for bugs; other codes as each call says.
/// Lookups answer "absent" with an empty optional, never with a failure.

#include "hub/core/result.h"
#include "hub/core/time.h"
#include "hub/store/records.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hub {

class Ledger {
public:
    virtual ~Ledger() = default;

    // ---- registry (R-03, R-04) ----

    /// Upserts every organization of `registry` (by canonical code) with its aliases,
    /// client certificates and signers. With `replace`, organizations and certificates
    /// absent from `registry` are deleted. A revoked certificate stays revoked when listed
    /// again. Error: INVALID_ORG_CODE (field "organizations[i].code").
    virtual boost::asio::awaitable<Result<void>> import_registry(lienthong::v1::Registry registry,
                                                                 bool replace) = 0;
    /// Adds one organization. Error: DUPLICATE_CONFLICT when its code is registered,
    /// INVALID_ORG_CODE.
    virtual boost::asio::awaitable<Result<void>> add_org(lienthong::v1::OrgEntry org) = 0;
    /// Suspends or re-activates an organization (either code form). Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<void>> set_org_status(
        std::string code, lienthong::v1::OrgStatus status) = 0;
    /// Registers a client (mutual TLS) certificate fingerprint for an organization.
    /// Idempotent for the same organization. Error: NOT_FOUND (org), DUPLICATE_CONFLICT
    /// (registered to another organization, or revoked).
    virtual boost::asio::awaitable<Result<void>> add_client_cert(std::string code,
                                                                 std::string sha256) = 0;
    /// Revokes a client certificate; true when it was active. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<bool>> revoke_client_cert(std::string sha256) = 0;
    /// Registers a signer (fingerprint and/or subject UID). Idempotent. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<void>> add_signer(std::string code,
                                                            lienthong::v1::SignerCert signer) = 0;
    /// Revokes the organization's signer entries matching the non-empty sha256 or uid; true
    /// when one was active. Error: NOT_FOUND (org or signer).
    virtual boost::asio::awaitable<Result<bool>> revoke_signer(
        std::string code, lienthong::v1::SignerCert signer) = 0;
    /// The whole registry as registered (codes as given), without revoked certificates:
    /// the source of the router's in-memory snapshot.
    virtual boost::asio::awaitable<Result<lienthong::v1::Registry>> load_registry() = 0;

    // ---- envelopes ----

    /// Stores a new envelope with its attachments, deliveries, receipt and audit records in
    /// one transaction; or, when (from, envelope_id) exists, reports duplicate_same (same
    /// content digest: the stored receipt and deliveries) or duplicate_conflict, storing
    /// nothing but the audit records. Attachments marked inline_content are stored with the
    /// envelope, in the same transaction (their sha256 filled in when empty). Error:
    /// DUPLICATE_CONFLICT when a delivery id is taken, ATTACHMENT_DIGEST when inline content
    /// does not match its sha256.
    virtual boost::asio::awaitable<Result<AcceptResult>> accept_envelope(NewEnvelope envelope) = 0;
    /// By the idempotency key (canonical sender code, envelope id). Every envelope read
    /// returns inline attachments with their bytes in `content`, BlobStore ones without.
    virtual boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope(
        std::string from, std::string envelope_id) = 0;
    /// By id alone (ids are UUIDs); the first accepted when two senders chose the same id.
    virtual boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope_by_id(
        std::string envelope_id) = 0;
    /// By acceptance sequence number (DeliveryRecord::envelope_seq): header, signature and
    /// attachment refs to rebuild the SignedEnvelope for an inbox.
    virtual boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> load_envelope(
        std::int64_t seq) = 0;
    /// True when an accepted envelope carries this document id.
    virtual boost::asio::awaitable<Result<bool>> document_known(std::string document_id) = 0;
    /// Envelopes whose in_reply_to names `document_id`, in acceptance order.
    virtual boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_replying_to(
        std::string document_id) = 0;
    /// RECALL / UPDATE / REPLACE envelopes acting on `document_id`, in acceptance order.
    virtual boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_acting_on(
        std::string document_id) = 0;

    // ---- deliveries and statuses ----

    /// One delivery with its arrival times and state.
    virtual boost::asio::awaitable<Result<std::optional<DeliveryRecord>>> get_delivery(
        std::string delivery_id) = 0;
    /// The deliveries of an envelope, in the order the header listed the recipients.
    virtual boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> deliveries_of(
        std::int64_t envelope_seq) = 0;
    /// Deliveries to `recipient` of envelopes carrying `document_id`, in acceptance order
    /// (to find what a StatusUpdate is about).
    virtual boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> deliveries_for_document(
        std::string document_id, std::string recipient) = 0;
    /// Deliveries not yet arrived, by envelope seq after `after_seq`: what must still be in
    /// the queue (re-published at start-up).
    virtual boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> unarrived_deliveries(
        std::int64_t after_seq, std::size_t limit) = 0;
    /// Records the first arrival and, only then, `status_if_first` (the 01
    /// notice) in the same transaction. True the first time; later calls change nothing.
    /// Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<bool>> record_arrival(
        std::string delivery_id,
        Instant arrived_at,
        Instant official_received_at,
        Instant handling_deadline,
        std::optional<StatusRecord> status_if_first) = 0;
    /// Records a status event and makes its code the delivery's state. `check` (may be
    /// empty) sees the codes recorded so far and may refuse. Error: NOT_FOUND (delivery),
    /// DUPLICATE_CONFLICT (status id taken), whatever `check` returns.
    virtual boost::asio::awaitable<Result<void>> add_status(StatusRecord status,
                                                            StatusCheck check) = 0;
    /// One status event by its id.
    virtual boost::asio::awaitable<Result<std::optional<StatusRecord>>> get_status(
        std::string status_id) = 0;
    /// The status events of a delivery, oldest first.
    virtual boost::asio::awaitable<Result<std::vector<StatusRecord>>> statuses_of(
        std::string delivery_id) = 0;
    /// Deliveries past their handling deadline at `now` without a 02 or 03, oldest
    /// deadline first.
    virtual boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> overdue_deliveries(
        Instant now, std::size_t limit) = 0;
    /// Marks a status's notice as acked by the other party, so it is not re-published. True
    /// the first time; later calls change nothing. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<bool>> mark_notified(std::string status_id) = 0;
    /// Statuses with a non-empty notice not yet marked notified, with seq > `after_seq`, in
    /// recording order (StatusRecord::seq): the outbox re-published at start-up.
    virtual boost::asio::awaitable<Result<std::vector<StatusRecord>>> unnotified_statuses(
        std::int64_t after_seq, std::size_t limit) = 0;
    /// For envelopes with reply_requested and a reply_deadline before `now`, each delivery
    /// (any route) whose recipient sent no envelope with in_reply_to naming the document,
    /// accepted after it and at or before the deadline. Oldest deadline first, then
    /// acceptance order, then header order.
    virtual boost::asio::awaitable<Result<std::vector<LateReply>>> late_replies(
        Instant now, std::size_t limit) = 0;

    // ---- audit (R-22) ----

    /// Appends to the hash chain.
    virtual boost::asio::awaitable<Result<void>> append_audit(AuditRecord record) = 0;
    /// Entries with seq > after_seq, oldest first.
    virtual boost::asio::awaitable<Result<std::vector<AuditEntry>>> audit_entries(
        std::int64_t after_seq, std::size_t limit) = 0;
    /// Recomputes every hash; reports the first row that does not chain.
    virtual boost::asio::awaitable<Result<AuditVerification>> verify_audit_chain() = 0;
};

}  // namespace hub
