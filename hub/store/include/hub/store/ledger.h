#pragma once
/// The ledger: the one durable record of the registry, accepted envelopes, deliveries, status
/// events, what is owed to whom (the outbox) and the audit log. It is the only place delivery
/// state lives: an envelope, its deliveries, the items owed to each recipient and the audit
/// row commit in one transaction, and so do an ack or a status with their notices. Every
/// write is on disk (fsync'd) before its awaitable resumes, which is what lets the API
/// answer 2xx (api.md "Durable before acknowledged").
///
/// It is six narrow stores, each an interface of its own so a handler depends only on what
/// it uses and a unit test can fake it; SqliteLedger (and the PostgreSQL ledger to come)
/// implements all of them over one database.
///
/// All calls may be made from any executor and resume the caller on its own executor; none
/// blocks the calling thread. Failures: UNAVAILABLE when the store cannot take the request
/// now (busy, disk full, I/O error), INTERNAL for bugs; other codes as each call says.
/// Lookups answer "absent" with an empty optional, never with a failure.

#include "hub/core/result.h"
#include "hub/core/time.h"
#include "hub/store/records.h"
#include "hub/store/report.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hub {

/// Organizations and their certificates. Every change commits with its audit
/// row.
class RegistryStore {
public:
    virtual ~RegistryStore() = default;

    /// Upserts every organization of `registry` (by canonical code) with its aliases,
    /// client certificates and signers. With `replace` (a registry file), what the file no
    /// longer lists is withdrawn: its client certificates are revoked and its organizations
    /// suspended. An organization an operator suspended stays suspended. A revoked
    /// certificate stays revoked when listed again. Error: INVALID_ORG_CODE (field
    /// "organizations[i].code").
    virtual boost::asio::awaitable<Result<void>> import_registry(lienthong::v1::Registry registry,
                                                                 bool replace,
                                                                 AuditRecord audit) = 0;
    /// Suspends or re-activates an organization (either code form), as an operator decision
    /// that a registry file import does not undo. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<void>> set_org_status(std::string code,
                                                                lienthong::v1::OrgStatus status,
                                                                AuditRecord audit) = 0;
    /// Registers a client (mutual TLS) certificate fingerprint for an organization.
    /// Idempotent for the same organization. Error: NOT_FOUND (org), DUPLICATE_CONFLICT
    /// (registered to another organization, or revoked).
    virtual boost::asio::awaitable<Result<void>> add_client_cert(std::string code,
                                                                 std::string sha256,
                                                                 AuditRecord audit) = 0;
    /// Revokes a client certificate; true when it was active. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<bool>> revoke_client_cert(std::string sha256,
                                                                    AuditRecord audit) = 0;
    /// Registers a signer (fingerprint and/or subject UID). Idempotent. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<void>> add_signer(std::string code,
                                                            lienthong::v1::SignerCert signer,
                                                            AuditRecord audit) = 0;
    /// Revokes the organization's signer entries matching the non-empty sha256 or uid; true
    /// when one was active. Error: NOT_FOUND (org or signer).
    virtual boost::asio::awaitable<Result<bool>> revoke_signer(std::string code,
                                                               lienthong::v1::SignerCert signer,
                                                               AuditRecord audit) = 0;
    /// The whole registry as registered (codes as given), without revoked client
    /// certificates: the source of the router's in-memory snapshot.
    virtual boost::asio::awaitable<Result<lienthong::v1::Registry>> load_registry() = 0;
};

/// Accepted envelopes, their deliveries and status events.
class EnvelopeStore {
public:
    virtual ~EnvelopeStore() = default;

    /// Stores a new envelope with its attachments, deliveries, the outbox item owed to each
    /// recipient, its receipt and audit records in one transaction; or, when (from,
    /// envelope_id) exists, reports duplicate_same (same content digest: the stored receipt
    /// and deliveries) or duplicate_conflict, storing nothing but the audit records.
    /// Attachments marked inline_content are stored with the envelope (their sha256 filled
    /// in when empty). Error: DUPLICATE_CONFLICT when a delivery id is taken,
    /// ATTACHMENT_DIGEST when inline content does not match its sha256.
    virtual boost::asio::awaitable<Result<AcceptResult>> accept_envelope(NewEnvelope envelope) = 0;
    /// By the idempotency key (canonical sender code, envelope id). Envelope reads return
    /// inline attachments with their bytes in `content` unless they say otherwise.
    virtual boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope(
        std::string from, std::string envelope_id) = 0;
    /// The first envelope with this id that `org` sent or receives: two senders may choose
    /// the same id, and neither sees the other's.
    virtual boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope_for(
        std::string org, std::string envelope_id) = 0;
    /// By acceptance sequence number (DeliveryRecord::envelope_seq). With `with_content`
    /// false, inline attachments come without their bytes (read them with
    /// inline_content).
    virtual boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> load_envelope(
        std::int64_t seq, bool with_content = true) = 0;
    /// The bytes of an inline attachment, by digest; empty optional when none is stored.
    virtual boost::asio::awaitable<Result<std::optional<std::string>>> inline_content(
        std::string sha256) = 0;
    /// True when an accepted envelope carries this document id and `org` is its sender or
    /// one of its recipients (R-14, without telling others what exists).
    virtual boost::asio::awaitable<Result<bool>> document_visible_to(std::string document_id,
                                                                     std::string org) = 0;
    /// True when `sender` sent an envelope carrying this document id (a RECALL, UPDATE or
    /// REPLACE may only act on the sender's own documents).
    virtual boost::asio::awaitable<Result<bool>> document_sent_by(std::string document_id,
                                                                  std::string sender) = 0;
    /// Envelopes whose in_reply_to names `document_id`, in acceptance order.
    virtual boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_replying_to(
        std::string document_id) = 0;
    /// RECALL / UPDATE / REPLACE envelopes acting on `document_id`, in acceptance order.
    virtual boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_acting_on(
        std::string document_id) = 0;

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
    /// Records a status event, makes its code the delivery's state, queues its notice for
    /// the other party and appends `audit`, in one transaction. A repeat of an earlier
    /// report (same reporter and non-empty request_digest) changes nothing and returns the
    /// first record. `check` (may be empty) sees the codes recorded so far and may refuse.
    /// Error: NOT_FOUND (delivery), DUPLICATE_CONFLICT (status id taken), whatever `check`
    /// returns.
    virtual boost::asio::awaitable<Result<StatusOutcome>> add_status(StatusRecord status,
                                                                     StatusCheck check,
                                                                     AuditRecord audit) = 0;
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
    /// How many deliveries overdue_deliveries would list, without listing them.
    virtual boost::asio::awaitable<Result<std::int64_t>> count_overdue(Instant now) = 0;
    /// For envelopes with reply_requested and a reply_deadline before `now`, each delivery
    /// (any route) whose recipient sent no envelope with in_reply_to naming the document,
    /// accepted after it and at or before the deadline. Oldest deadline first, then
    /// acceptance order, then header order.
    virtual boost::asio::awaitable<Result<std::vector<LateReply>>> late_replies(
        Instant now, std::size_t limit) = 0;
};

/// The items owed to recipients (envelope deliveries and status notices), in acceptance
/// order, and the embedded inbox served from them.
class OutboxStore {
public:
    virtual ~OutboxStore() = default;

    /// Up to `max` items of `recipient`'s embedded inbox that are visible at `now`, oldest
    /// first, stopping before the header, signature or notice bytes of the items pass
    /// `max_bytes` (at least one item is returned when one is visible). Claimed items become
    /// invisible until `now + visibility` and their attempt count grows by one.
    virtual boost::asio::awaitable<Result<InboxClaim>> claim_inbox(
        std::string recipient,
        std::size_t max,
        std::size_t max_bytes,
        Instant now,
        std::chrono::milliseconds visibility) = 0;
    /// The recipient has taken items of its embedded inbox. For a delivery, the first ack
    /// records its `arrival` (times, and its 01 status with its notice for the sender); for a
    /// notice it only closes the item. Each ack's `audit` is appended with its first ack. One
    /// transaction for the whole list: every ack takes effect, or none does. One flag per
    /// ack, in order: true the first time, false for a repeat. Error: NOT_FOUND (an item that
    /// is not this recipient's), MALFORMED (a delivery acked without `arrival`).
    virtual boost::asio::awaitable<Result<std::vector<bool>>> ack_items(std::string recipient,
                                                                        std::vector<ItemAck> acks,
                                                                        Instant now) = 0;
    /// ack_items of one.
    boost::asio::awaitable<Result<bool>> ack_item(std::string recipient,
                                                  std::string item_id,
                                                  Instant now,
                                                  std::optional<Arrival> arrival,
                                                  AuditRecord audit) {
        std::vector<ItemAck> acks;
        acks.push_back(ItemAck{std::move(item_id), std::move(arrival), std::move(audit)});
        auto acked = co_await ack_items(std::move(recipient), std::move(acks), now);
        if (!acked) {
            co_return acked.error();
        }
        co_return acked->front();
    }
    /// Open items of `recipient`'s inbox of `kind` ("envelope" or "status") created within
    /// [from, to], oldest first, at most `max`: a listing that offers nothing (the provincial
    /// API's list of received packages); each item's attempt is its offers so far.
    virtual boost::asio::awaitable<Result<std::vector<OutboxItem>>> list_inbox(
        std::string recipient, std::string kind, Instant from, Instant to, std::size_t max) = 0;
    /// Items not yet done, per recipient, for one channel ("inbox" or "national").
    virtual boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> open_items(
        std::string channel) = 0;
    /// Calls `wake` with a recipient's canonical code after every commit that adds an item
    /// to its embedded inbox, from the writer thread. Set once, before serving.
    virtual void on_inbox_items(std::function<void(const std::string&)> wake) = 0;

    // ---- relays: carriers other than the embedded inbox (national axis, broker) ----

    /// Claims up to `max` items of `channel` that are neither relayed, done nor dead and are
    /// visible at `now`, oldest first; each becomes invisible until `now + lease` and its
    /// attempt count grows by one, so a relay that dies mid-send only delays the item.
    virtual boost::asio::awaitable<Result<std::vector<RelayItem>>> claim_relay(
        std::string channel, std::size_t max, Instant now, std::chrono::milliseconds lease) = 0;
    /// A relay starting up makes every open, unrelayed item of `channel` claimable at `now`
    /// and returns how many it moved. Whatever an earlier process had claimed was abandoned
    /// with it; waiting for its lease would trust a wall clock that may have been set back
    /// (or frozen by `clock.fixed`) since, and could hold the item for ever.
    virtual boost::asio::awaitable<Result<std::size_t>> release_leases(std::string channel,
                                                                       Instant now) = 0;
    /// The far side confirmed the item: records `external_id` (the axis' document id, say)
    /// and the time. A 'national' item is then done; an 'inbox' item (carried by a broker)
    /// stays open until its recipient acks it. A repeat is a no-op. Error: NOT_FOUND.
    virtual boost::asio::awaitable<Result<void>> mark_relayed(std::string item_id,
                                                              std::string external_id,
                                                              Instant now) = 0;
    /// The attempt failed: records `error`; the item is claimable again at `retry_at`, or,
    /// when `dead`, becomes a dead letter (never claimed again) and `audit` is appended in
    /// the same transaction. Error: NOT_FOUND (no open item with that id).
    virtual boost::asio::awaitable<Result<void>> mark_relay_failed(
        std::string item_id, std::string error, Instant retry_at, bool dead, AuditRecord audit) = 0;
    /// Dead letters not discarded, oldest first; an empty `channel` means every channel.
    virtual boost::asio::awaitable<Result<std::vector<DeadLetter>>> dead_letters(
        std::string channel, std::size_t limit) = 0;
    /// An operator sends a dead letter again: claimable at `now`, attempts reset; with its
    /// audit row. Error: NOT_FOUND (no such dead letter).
    virtual boost::asio::awaitable<Result<void>> retry_dead_letter(std::string item_id,
                                                                   Instant now,
                                                                   AuditRecord audit) = 0;
    /// An operator gives a dead letter up: it is closed, `reason` kept as its last error;
    /// with its audit row. Error: NOT_FOUND (no such dead letter).
    virtual boost::asio::awaitable<Result<void>> discard_dead_letter(std::string item_id,
                                                                     std::string reason,
                                                                     Instant now,
                                                                     AuditRecord audit) = 0;
    /// How many items of `channel` wait for their relay, and the oldest one's age.
    virtual boost::asio::awaitable<Result<RelayBacklog>> relay_backlog(std::string channel) = 0;
    /// Calls `wake` with the channel after every commit that adds items to it, from the
    /// writer thread, so a relay need not poll. Each call adds one callback (one per
    /// carrier), all before serving.
    virtual void on_relay_items(std::function<void(const std::string&)> wake) = 0;
};

/// The tamper-evident audit log.
class AuditStore {
public:
    virtual ~AuditStore() = default;
    /// Appends to the hash chain (for events that change nothing else, such as refusals).
    virtual boost::asio::awaitable<Result<void>> append_audit(AuditRecord record) = 0;
    /// Entries with seq > after_seq, oldest first.
    virtual boost::asio::awaitable<Result<std::vector<AuditEntry>>> audit_entries(
        std::int64_t after_seq, std::size_t limit) = 0;
    /// Recomputes every hash; reports the first row that does not chain.
    virtual boost::asio::awaitable<Result<AuditVerification>> verify_audit_chain() = 0;
    /// The last row's seq and hash (seq 0 and 64 zeros when the log is empty).
    virtual boost::asio::awaitable<Result<AuditHead>> audit_head() = 0;
};

/// What operators decide about the hub itself (maintenance mode), kept so a restart keeps it.
class OperatorStore {
public:
    virtual ~OperatorStore() = default;
    /// Replaces the maintenance state and appends `audit`, in one transaction.
    virtual boost::asio::awaitable<Result<void>> set_maintenance(MaintenanceState state,
                                                                 AuditRecord audit) = 0;
    /// The state last set; `on` false (and changed_at the epoch) when never set.
    virtual boost::asio::awaitable<Result<MaintenanceState>> maintenance() = 0;
};

/// The national directory as the adapter last synced it (issue 8).
class DirectoryStore {
public:
    virtual ~DirectoryStore() = default;
    /// Replaces the whole cached directory with `entries` (codes canonical, each once),
    /// stamped `now`, and appends `audit`, in one transaction.
    virtual boost::asio::awaitable<Result<void>> replace_directory(
        std::vector<DirectoryEntry> entries, Instant now, AuditRecord audit) = 0;
    /// The cached directory, by code.
    virtual boost::asio::awaitable<Result<DirectorySnapshot>> load_directory() = 0;
};

/// Period reports, read from one snapshot of the ledger.
class ReportStore {
public:
    virtual ~ReportStore() = default;
    /// The figures of `period` (hub/store/report.h says what each counts); `now` decides
    /// which deadlines in the period have passed. Error: MALFORMED ("to") when the period
    /// is empty.
    virtual boost::asio::awaitable<Result<Report>> report(ReportPeriod period, Instant now) = 0;
};

/// All the stores over one database.
class Ledger : public RegistryStore,
               public EnvelopeStore,
               public OutboxStore,
               public AuditStore,
               public OperatorStore,
               public DirectoryStore,
               public ReportStore {};

}  // namespace hub
