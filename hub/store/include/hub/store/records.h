#pragma once
/// The values the ledger stores and returns. Organization codes are canonical (QĐ 20/2020
/// form) unless a field says "given"; times are hub Instants (stored as milliseconds).

#include "hub/core/result.h"
#include "hub/core/time.h"
#include "lienthong/v1/api.pb.h"
#include "lienthong/v1/envelope.pb.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hub {

/// One attachment of an envelope. Its bytes live either in the BlobStore under `sha256`
/// (large ones: streamed and written once), or, with `inline_content`, in the ledger itself,
/// committed in the same group-commit transaction as the envelope (small ones: no file, no
/// fsync of their own). Inline bytes are stored once per distinct sha256.
struct AttachmentRecord {
    std::string content_id;
    std::string name;
    std::string media_type;
    std::uint64_t size = 0;
    std::string sha256;  ///< lowercase hex
    lienthong::v1::AttachmentRole role = lienthong::v1::ROLE_UNSPECIFIED;
    std::string description;
    /// The bytes when `inline_content`; may hold NULs. Empty otherwise: read those from the
    /// BlobStore by sha256. Inline bytes are returned by every envelope read, so keep them
    /// small (the caller picks the threshold); anything large belongs in the BlobStore.
    std::string content;
    /// True: `content` is the attachment, stored in the ledger. For accept_envelope, an empty
    /// sha256 is filled in from `content`, and a non-empty one must match it.
    bool inline_content = false;
};

/// A tamper-evident audit entry as the caller gives it.
struct AuditRecord {
    Instant at;
    std::string actor;    ///< who: organization code, operator, "hub"
    std::string action;   ///< what: e.g. "envelope.accept", "registry.revoke"
    std::string target;   ///< on what: envelope id, delivery id, org code ...
    std::string outcome;  ///< "OK" or an error code's wire name
    std::string detail;   ///< short key=value text; never document bodies or secrets
};

/// An audit entry as stored: its place in the chain and its hash.
struct AuditEntry {
    std::int64_t seq = 0;
    AuditRecord record;
    std::string prev_hash;  ///< hex; 64 zeros for the first entry
    std::string hash;       ///< hex SHA-256 over prev_hash and the fields
};

/// Maintenance mode as an operator set it: while `on`, agencies are answered 503 MAINTENANCE
/// with `notice` and Retry-After `retry_after_s` (api.md).
struct MaintenanceState {
    bool on = false;
    std::string notice;              ///< shown to agencies and on the status page
    std::int64_t retry_after_s = 0;  ///< the Retry-After agencies get
    Instant changed_at;              ///< when an operator last changed it (epoch when never)
    std::string changed_by;          ///< that operator ("operator:<fingerprint prefix>")
};

/// How the audit chain was found broken.
enum class AuditBreak {
    none,
    changed,   ///< a row's fields or hash were edited
    inserted,  ///< a row was added inside the chain
    deleted,   ///< a row was removed inside the chain
    cut,       ///< rows are missing at the end (only a recorded head reveals this)
};

/// The chain's last row: what the hub records at start-up, every minute and in backups, so a
/// cut tail can be found later.
struct AuditHead {
    std::int64_t seq = 0;  ///< 0: the log is empty
    std::string hash;      ///< hex; 64 zeros for an empty log
};

/// Result of walking the audit chain.
struct AuditVerification {
    bool ok = true;
    std::int64_t entries = 0;        ///< rows checked
    std::int64_t first_bad_seq = 0;  ///< the first row that does not chain, when !ok
    AuditBreak kind = AuditBreak::none;
    /// The row the break is about: the changed, inserted or first deleted row, or for a cut
    /// the first missing one.
    std::int64_t culprit_seq = 0;
    std::string explanation;  ///< one line for people, when !ok
    AuditHead last;           ///< the last row checked
};

/// What to check: from which row (its prev_hash is taken on trust, so a log pruned below it
/// can still be checked), and the head recorded earlier, if any.
struct AuditCheck {
    std::int64_t from = 1;
    std::optional<AuditHead> head;
};

/// One recipient of a new envelope: the caller picks the delivery id and the route.
struct NewDelivery {
    std::string delivery_id;      ///< e.g. "d-" + 16 random hex digits
    std::string recipient;        ///< canonical code
    std::string recipient_given;  ///< as the header wrote it
    lienthong::v1::Route route = lienthong::v1::LOCAL;
};

/// Everything accept_envelope stores, in one transaction. The bytes of attachments that are
/// not `inline_content` must already be durable in the BlobStore; inline ones are stored by
/// the ledger in that same transaction.
struct NewEnvelope {
    std::string from;        ///< canonical sender code
    std::string from_given;  ///< as the header wrote it
    std::string envelope_id;
    std::string document_id;
    lienthong::v1::BusinessType business_type = lienthong::v1::NEW;
    std::string header;          ///< SignedEnvelope.header bytes
    std::string signature;       ///< SignedEnvelope.signature bytes
    std::string header_sha256;   ///< hex
    std::string content_digest;  ///< identifies "the same envelope bytes"; caller-computed
    std::string receipt;         ///< serialized, signed lienthong.v1.Receipt
    Instant accepted_at;
    bool reply_requested = false;
    std::string reply_due;  ///< as given: a date or an instant; empty when none
    /// reply_due as an instant, computed by the caller (a date means the end of that day,
    /// Vietnam time); what late_replies compares against. Empty when none.
    std::optional<Instant> reply_deadline;
    std::string replaces;  ///< document id acted on (RECALL/UPDATE/REPLACE); empty when none
    std::vector<std::string> in_reply_to;
    std::vector<AttachmentRecord> attachments;
    std::vector<NewDelivery> deliveries;
    /// What was not fully checked and accepted anyway (Trace.warnings); no commas inside.
    std::vector<std::string> warnings;
    /// The edXML package as received (POST /v1/edxml); empty for protobuf/JSON intake.
    std::string edxml_package;
    /// Appended in the same transaction, whatever the outcome (a duplicate is audited too).
    std::vector<AuditRecord> audit;
};

/// A stored envelope: enough to rebuild the SignedEnvelope (with the blobs) and a trace.
struct EnvelopeRecord {
    std::int64_t seq = 0;  ///< acceptance order
    std::string from;
    std::string from_given;
    std::string envelope_id;
    std::string document_id;
    lienthong::v1::BusinessType business_type = lienthong::v1::NEW;
    std::string header;
    std::string signature;
    std::string header_sha256;
    std::string content_digest;
    std::string receipt;
    Instant accepted_at;
    bool reply_requested = false;
    std::string reply_due;
    std::optional<Instant> reply_deadline;  ///< as NewEnvelope::reply_deadline
    std::string replaces;
    std::vector<std::string> in_reply_to;
    std::vector<AttachmentRecord> attachments;  ///< in header order
    std::vector<std::string> warnings;          ///< as NewEnvelope::warnings
    std::string edxml_package;                  ///< as NewEnvelope::edxml_package
};

/// One recipient's copy of an envelope.
struct DeliveryRecord {
    std::string delivery_id;
    std::int64_t envelope_seq = 0;
    std::string recipient;        ///< canonical
    std::string recipient_given;  ///< as the header wrote it
    lienthong::v1::Route route = lienthong::v1::LOCAL;
    Instant created_at;
    std::optional<Instant> arrived_at;            ///< set once, by the first ack (R-16)
    std::optional<Instant> official_received_at;  ///< R-16
    std::optional<Instant> handling_deadline;     ///< R-08
    std::string state = "PENDING";                ///< PENDING or the latest status code
};

/// What accept_envelope did.
struct AcceptResult {
    enum Outcome { created, duplicate_same, duplicate_conflict };
    Outcome outcome = created;
    std::int64_t envelope_seq = 0;           ///< the new or the earlier envelope; 0 for a conflict
    std::string receipt_bytes;               ///< the stored receipt (the first one for a duplicate)
    std::vector<DeliveryRecord> deliveries;  ///< empty for a conflict
};

/// A status event about one delivery (edXML status codes, envelope.md).
struct StatusRecord {
    std::string status_id;
    std::string delivery_id;
    std::int64_t envelope_seq = 0;  ///< filled in by the ledger from the delivery
    std::string from;               ///< canonical code of the reporter
    std::string to;                 ///< canonical code of the other party
    std::string code;               ///< "01".."06", "13", "15", "16"
    std::string description;
    std::string staff;        ///< serialized lienthong.v1.Staff; may be empty
    std::string reported_at;  ///< the reporter's timestamp, as sent
    Instant recorded_at;
    /// Serialized lienthong.v1.StatusNotice owed to `to`; empty when none is owed. Stored
    /// with the status, and its outbox item in the same transaction.
    std::string notice;
    /// Read back only: the notice's outbox item is done (the other party acked it).
    bool notified = false;
    /// Read back only: recording order, increasing.
    std::int64_t seq = 0;
    /// Where the notice goes: the other party's embedded inbox, or the national axis.
    std::string notice_channel = "inbox";
    /// Identifies "the same report again" (a retry whose answer was lost): a digest of the
    /// reporter and what it reported. A second add_status with the same reporter and digest
    /// returns the first record instead of adding one. Empty: no idempotency.
    std::string request_digest;
};

/// What add_status did.
struct StatusOutcome {
    StatusRecord record;  ///< the new one, or the first one for a repeated report
    bool created = true;  ///< false: a repeat (same reporter and request_digest)
};

/// One item owed to a recipient, in the ledger's outbox: a delivery of an envelope or a
/// status notice. Its channel says who carries it: "inbox" (the embedded inbox, served from
/// the ledger itself) or "national" (the national adapter drains it).
struct OutboxItem {
    std::int64_t seq = 0;   ///< acceptance order across every item of every kind
    std::string item_id;    ///< delivery id ("d-...") or status id ("s-...")
    std::string kind;       ///< "envelope" or "status"
    std::int64_t ref = 0;   ///< envelopes.seq for an envelope, status_events.seq for a status
    std::string recipient;  ///< canonical
    Instant created_at;
    std::uint32_t attempt = 0;  ///< offers so far, counting this one
};

/// An item claimed by a relay, with what the relay needs to carry it.
struct RelayItem {
    OutboxItem item;
    std::string last_error;  ///< from the previous failed attempt; empty at first
};

/// A relayed item no carrier could deliver within the delivery limit.
struct DeadLetter {
    OutboxItem item;
    std::string channel;
    std::string last_error;
    Instant dead_at;
};

/// Items of a relayed channel that the far side has not confirmed yet (dead letters aside).
struct RelayBacklog {
    std::int64_t count = 0;
    std::optional<Instant> oldest;  ///< created_at of the oldest such item
};

/// What one claim of a recipient's inbox found.
struct InboxClaim {
    std::vector<OutboxItem> items;
    /// The earliest time an item already offered becomes visible again; empty when none is
    /// waiting on its visibility timeout. Lets a long poll wake for redeliveries.
    std::optional<Instant> next_visible_at;
};

/// The first arrival of a delivery and the 01 notice it owes the sender.
struct Arrival {
    Instant arrived_at;
    Instant official_received_at;
    Instant handling_deadline;
    StatusRecord status;  ///< the 01, recorded only on the first ack
};

/// One item a recipient acks (OutboxStore::ack_items): `arrival` for a delivery.
struct ItemAck {
    std::string item_id;
    std::optional<Arrival> arrival;
    AuditRecord audit;
};

/// A delivery whose recipient has not replied in time to an envelope that asked for a reply
///
struct LateReply {
    std::string envelope_id;
    std::string document_id;
    std::string from;             ///< canonical code of the envelope's sender
    std::string recipient;        ///< canonical
    std::string recipient_given;  ///< as the header wrote it
    Instant reply_deadline;
};

/// One agency of the national directory (getAgenciesListQD20), cached in the ledger so
/// routing can tell a code the axis serves from an unknown one (envelope.md "Routing").
struct DirectoryEntry {
    std::string code;     ///< canonical (QĐ 20/2020 form)
    std::string code102;  ///< the edXML form, as the axis gave it (may be empty)
    std::string name;
    std::string axis_id;  ///< the axis' own id of the agency
};

/// The cached directory and when it was last replaced (empty: never synced).
struct DirectorySnapshot {
    std::vector<DirectoryEntry> entries;
    std::optional<Instant> synced_at;
};

/// Checks a new status against the codes already recorded for its delivery (oldest first),
/// inside the writing transaction so two concurrent reports cannot both pass.
using StatusCheck = std::function<Result<void>(const std::vector<std::string>& recorded_codes)>;

}  // namespace hub
