#pragma once
// The ledger's SQL, as plain functions over a connection. Writes run on the group-commit
// writer thread inside a SAVEPOINT; reads run on a reader connection. SqliteLedger only
// routes calls to the right thread.

#include "hub/store/ledger_schema.h"
#include "hub/store/records.h"
#include "hub/store/report.h"
#include "hub/store/sqlite_db.h"
#include "lienthong/v1/registry.pb.h"

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

// Returns the failure of a Result<void> expression from the enclosing function.
#define LEDGER_TRY(expr)                           \
    do {                                           \
        if (auto ledger_r_ = (expr); !ledger_r_) { \
            return ledger_r_.error();              \
        }                                          \
    } while (false)

namespace hub::ledger {

using sqlite::Db;
using sqlite::Statement;

inline std::int64_t to_millis(Instant t) { return t.time_since_epoch().count(); }
inline Instant from_millis(std::int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }
// An optional time is a nullable INTEGER column.
inline std::optional<std::int64_t> to_millis(const std::optional<Instant>& t) {
    if (!t) {
        return std::nullopt;
    }
    return to_millis(*t);
}
inline std::optional<Instant> optional_instant(const Statement& s, int index) {
    auto ms = s.column_optional_int64(index);
    if (!ms) {
        return std::nullopt;
    }
    return from_millis(*ms);
}

// ---- registry ----
Result<void> import_registry(Db& db, const lienthong::v1::Registry& registry, bool replace);
Result<void> add_org(Db& db, const lienthong::v1::OrgEntry& org);
Result<void> set_org_status(Db& db, const std::string& code, lienthong::v1::OrgStatus status);
Result<void> add_client_cert(Db& db, const std::string& code, const std::string& sha256);
Result<bool> revoke_client_cert(Db& db, const std::string& sha256);
Result<void> add_signer(Db& db, const std::string& code, const lienthong::v1::SignerCert& signer);
Result<bool> revoke_signer(Db& db,
                           const std::string& code,
                           const lienthong::v1::SignerCert& signer);
Result<lienthong::v1::Registry> load_registry(Db& db);

// ---- envelopes ----
Result<AcceptResult> accept_envelope(Db& db, const NewEnvelope& envelope);
Result<std::optional<EnvelopeRecord>> find_envelope(Db& db,
                                                    const std::string& from,
                                                    const std::string& envelope_id);
Result<std::optional<EnvelopeRecord>> find_envelope_for(Db& db,
                                                        const std::string& org,
                                                        const std::string& envelope_id);
Result<std::optional<EnvelopeRecord>> load_envelope(Db& db, std::int64_t seq, bool with_content);
Result<std::optional<std::string>> inline_content(Db& db, const std::string& sha256);
Result<bool> document_visible_to(Db& db, const std::string& document_id, const std::string& org);
Result<bool> document_sent_by(Db& db, const std::string& document_id, const std::string& sender);
Result<std::vector<EnvelopeRecord>> envelopes_replying_to(Db& db, const std::string& document_id);
Result<std::vector<EnvelopeRecord>> envelopes_acting_on(Db& db, const std::string& document_id);

// ---- deliveries and statuses ----
Result<std::optional<DeliveryRecord>> get_delivery(Db& db, const std::string& delivery_id);
Result<std::vector<DeliveryRecord>> deliveries_of(Db& db, std::int64_t envelope_seq);
Result<std::vector<DeliveryRecord>> deliveries_for_document(Db& db,
                                                            const std::string& document_id,
                                                            const std::string& recipient);
Result<StatusOutcome> add_status(Db& db,
                                 StatusRecord status,
                                 const StatusCheck& check,
                                 const std::vector<AuditRecord>& audit);
Result<std::optional<StatusRecord>> get_status(Db& db, const std::string& status_id);
Result<std::vector<StatusRecord>> statuses_of(Db& db, const std::string& delivery_id);
Result<std::vector<DeliveryRecord>> overdue_deliveries(Db& db, Instant now, std::size_t limit);
Result<std::int64_t> count_overdue(Db& db, Instant now);

// ---- outbox and the embedded inbox ----
Result<void> add_outbox_item(Db& db, const OutboxItem& item, const std::string& channel);
Result<InboxClaim> claim_inbox(Db& db,
                               const std::string& recipient,
                               std::size_t max,
                               std::size_t max_bytes,
                               Instant now,
                               std::chrono::milliseconds visibility);
Result<bool> ack_item(Db& db,
                      const std::string& recipient,
                      const std::string& item_id,
                      Instant now,
                      const std::optional<Arrival>& arrival,
                      const AuditRecord& audit);
Result<std::vector<OutboxItem>> list_inbox(Db& db,
                                           const std::string& recipient,
                                           const std::string& kind,
                                           Instant from,
                                           Instant to,
                                           std::size_t max);
Result<std::map<std::string, std::int64_t>> open_items(Db& db, const std::string& channel);
Result<std::vector<RelayItem>> claim_relay(Db& db,
                                           const std::string& channel,
                                           std::size_t max,
                                           Instant now,
                                           std::chrono::milliseconds lease);
Result<void> mark_relayed(Db& db,
                          const std::string& item_id,
                          const std::string& external_id,
                          Instant now);
Result<void> mark_relay_failed(Db& db,
                               const std::string& item_id,
                               const std::string& error,
                               Instant retry_at,
                               bool dead,
                               const AuditRecord& audit);
Result<std::vector<DeadLetter>> dead_letters(Db& db, const std::string& channel, std::size_t limit);
/// Returns the dead letter's channel, for its relay's wake-up.
Result<std::string> retry_dead_letter(Db& db,
                                      const std::string& item_id,
                                      Instant now,
                                      const AuditRecord& audit);
Result<void> discard_dead_letter(Db& db,
                                 const std::string& item_id,
                                 const std::string& reason,
                                 Instant now,
                                 const AuditRecord& audit);
Result<RelayBacklog> relay_backlog(Db& db, const std::string& channel);
Result<std::size_t> release_leases(Db& db, const std::string& channel, Instant now);

// ---- late replies (R-13) ----
Result<std::vector<LateReply>> late_replies(Db& db, Instant now, std::size_t limit);
/// R-13's rule as SQL over `e` (the envelope asking) and `d` (one of its deliveries): true
/// when d's recipient sent an envelope naming e's document, after e and by its deadline.
extern const char* const kReplyInTime;

// ---- period reports (R-18, R-19) ----
Result<Report> report(Db& db, const ReportPeriod& period, Instant now);

// ---- audit ----
Result<void> append_audit(Db& db, const AuditRecord& record);
Result<void> append_audits(Db& db, const std::vector<AuditRecord>& records);
Result<std::vector<AuditEntry>> audit_entries(Db& db, std::int64_t after_seq, std::size_t limit);
Result<AuditVerification> verify_audit_chain(Db& db, const AuditCheck& check = {});
Result<AuditHead> audit_head(Db& db);
/// The chain hash of one row: SHA-256 over prev_hash and the length-prefixed fields.
std::string audit_hash(const std::string& prev_hash, std::int64_t seq, const AuditRecord& record);

// ---- operator decisions ----
Result<void> set_maintenance(Db& db, const MaintenanceState& state);
Result<MaintenanceState> maintenance(Db& db);

// ---- the national directory ----
Result<void> replace_directory(Db& db, const std::vector<DirectoryEntry>& entries, Instant now);
Result<DirectorySnapshot> load_directory(Db& db);

}  // namespace hub::ledger
