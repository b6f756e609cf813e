#pragma once
/// The single-node ledger: one SQLite file in WAL mode with synchronous=FULL. Writes go
/// through group commit (one writer thread, one fsync per batch); reads use read-only
/// connections on their own threads.

#include "hub/core/logger.h"
#include "hub/store/ledger.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hub {

namespace sqlite {
class GroupCommitWriter;
class ReaderPool;
}  // namespace sqlite

struct SqliteLedgerOptions {
    std::string path;                              ///< e.g. /var/lib/lienthong/ledger.db
    std::size_t max_batch = 256;                   ///< writes per transaction at most
    std::size_t readers = 2;                       ///< read-only connections and threads
    std::chrono::milliseconds busy_timeout{5000};  ///< waiting for another process's lock
};

class SqliteLedger final : public Ledger {
public:
    /// Opens or creates the file, applies pending schema migrations in one transaction and
    /// starts the writer and reader threads. `log` must outlive the ledger. Error:
    /// UNAVAILABLE (cannot open), INTERNAL (a migration failed, or the file's schema is
    /// newer than this program).
    static Result<std::unique_ptr<SqliteLedger>> open(SqliteLedgerOptions options, Logger& log);
    /// Finishes queued writes, then stops the threads. Awaitables still pending are a bug.
    ~SqliteLedger() override;

    /// The newest schema version this program knows.
    static int latest_schema_version();
    /// The file's schema version after open().
    int schema_version() const noexcept { return schema_version_; }
    /// Transactions committed since open (group commit makes this far below the writes).
    std::uint64_t commits() const noexcept;
    /// Writes completed since open.
    std::uint64_t writes() const noexcept;

    // RegistryStore
    boost::asio::awaitable<Result<void>> import_registry(lienthong::v1::Registry registry,
                                                         bool replace,
                                                         AuditRecord audit) override;
    boost::asio::awaitable<Result<void>> set_org_status(std::string code,
                                                        lienthong::v1::OrgStatus status,
                                                        AuditRecord audit) override;
    boost::asio::awaitable<Result<void>> add_client_cert(std::string code,
                                                         std::string sha256,
                                                         AuditRecord audit) override;
    boost::asio::awaitable<Result<bool>> revoke_client_cert(std::string sha256,
                                                            AuditRecord audit) override;
    boost::asio::awaitable<Result<void>> add_signer(std::string code,
                                                    lienthong::v1::SignerCert signer,
                                                    AuditRecord audit) override;
    boost::asio::awaitable<Result<bool>> revoke_signer(std::string code,
                                                       lienthong::v1::SignerCert signer,
                                                       AuditRecord audit) override;
    boost::asio::awaitable<Result<lienthong::v1::Registry>> load_registry() override;

    // EnvelopeStore
    boost::asio::awaitable<Result<AcceptResult>> accept_envelope(NewEnvelope envelope) override;
    boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope(
        std::string from, std::string envelope_id) override;
    boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope_for(
        std::string org, std::string envelope_id) override;
    boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> load_envelope(
        std::int64_t seq, bool with_content = true) override;
    boost::asio::awaitable<Result<std::optional<std::string>>> inline_content(
        std::string sha256) override;
    boost::asio::awaitable<Result<bool>> document_visible_to(std::string document_id,
                                                             std::string org) override;
    boost::asio::awaitable<Result<bool>> document_sent_by(std::string document_id,
                                                          std::string sender) override;
    boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_replying_to(
        std::string document_id) override;
    boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_acting_on(
        std::string document_id) override;
    boost::asio::awaitable<Result<std::optional<DeliveryRecord>>> get_delivery(
        std::string delivery_id) override;
    boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> deliveries_of(
        std::int64_t envelope_seq) override;
    boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> deliveries_for_document(
        std::string document_id, std::string recipient) override;
    boost::asio::awaitable<Result<StatusOutcome>> add_status(StatusRecord status,
                                                             StatusCheck check,
                                                             AuditRecord audit) override;
    boost::asio::awaitable<Result<std::optional<StatusRecord>>> get_status(
        std::string status_id) override;
    boost::asio::awaitable<Result<std::vector<StatusRecord>>> statuses_of(
        std::string delivery_id) override;
    boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> overdue_deliveries(
        Instant now, std::size_t limit) override;
    boost::asio::awaitable<Result<std::int64_t>> count_overdue(Instant now) override;
    boost::asio::awaitable<Result<std::vector<LateReply>>> late_replies(Instant now,
                                                                        std::size_t limit) override;

    // OutboxStore
    boost::asio::awaitable<Result<InboxClaim>> claim_inbox(
        std::string recipient,
        std::size_t max,
        std::size_t max_bytes,
        Instant now,
        std::chrono::milliseconds visibility) override;
    boost::asio::awaitable<Result<std::vector<bool>>> ack_items(std::string recipient,
                                                                std::vector<ItemAck> acks,
                                                                Instant now) override;
    boost::asio::awaitable<Result<std::vector<OutboxItem>>> list_inbox(std::string recipient,
                                                                       std::string kind,
                                                                       Instant from,
                                                                       Instant to,
                                                                       std::size_t max) override;
    boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> open_items(
        std::string channel) override;
    void on_inbox_items(std::function<void(const std::string&)> wake) override;
    boost::asio::awaitable<Result<std::vector<RelayItem>>> claim_relay(
        std::string channel,
        std::size_t max,
        Instant now,
        std::chrono::milliseconds lease) override;
    boost::asio::awaitable<Result<void>> mark_relayed(std::string item_id,
                                                      std::string external_id,
                                                      Instant now) override;
    boost::asio::awaitable<Result<void>> mark_relay_failed(std::string item_id,
                                                           std::string error,
                                                           Instant retry_at,
                                                           bool dead,
                                                           AuditRecord audit) override;
    boost::asio::awaitable<Result<std::vector<DeadLetter>>> dead_letters(
        std::string channel, std::size_t limit) override;
    boost::asio::awaitable<Result<void>> retry_dead_letter(std::string item_id,
                                                           Instant now,
                                                           AuditRecord audit) override;
    boost::asio::awaitable<Result<void>> discard_dead_letter(std::string item_id,
                                                             std::string reason,
                                                             Instant now,
                                                             AuditRecord audit) override;
    boost::asio::awaitable<Result<RelayBacklog>> relay_backlog(std::string channel) override;
    boost::asio::awaitable<Result<std::size_t>> release_leases(std::string channel,
                                                               Instant now) override;
    void on_relay_items(std::function<void(const std::string&)> wake) override;

    // AuditStore
    boost::asio::awaitable<Result<void>> append_audit(AuditRecord record) override;
    boost::asio::awaitable<Result<std::vector<AuditEntry>>> audit_entries(
        std::int64_t after_seq, std::size_t limit) override;
    boost::asio::awaitable<Result<AuditVerification>> verify_audit_chain() override;
    boost::asio::awaitable<Result<AuditHead>> audit_head() override;

    // OperatorStore
    boost::asio::awaitable<Result<void>> set_maintenance(MaintenanceState state,
                                                         AuditRecord audit) override;
    boost::asio::awaitable<Result<MaintenanceState>> maintenance() override;

    // DirectoryStore
    boost::asio::awaitable<Result<void>> replace_directory(std::vector<DirectoryEntry> entries,
                                                           Instant now,
                                                           AuditRecord audit) override;
    boost::asio::awaitable<Result<DirectorySnapshot>> load_directory() override;

    // ReportStore
    boost::asio::awaitable<Result<Report>> report(ReportPeriod period, Instant now) override;

    // Blocking variants for start-up and tools (lienthongctl); never call them from an I/O
    // thread.

    /// As import_registry.
    Result<void> import_registry_sync(const lienthong::v1::Registry& registry,
                                      bool replace,
                                      const AuditRecord& audit);
    /// As load_registry.
    Result<lienthong::v1::Registry> load_registry_sync();
    /// As append_audit.
    Result<void> append_audit_sync(const AuditRecord& record);
    /// As verify_audit_chain.
    Result<AuditVerification> verify_audit_chain_sync();
    /// As maintenance.
    Result<MaintenanceState> maintenance_sync();
    /// load_directory() for start-up, before any executor runs.
    Result<DirectorySnapshot> load_directory_sync();
    /// As audit_head.
    Result<AuditHead> audit_head_sync();

private:
    SqliteLedger(std::unique_ptr<sqlite::GroupCommitWriter> writer,
                 std::unique_ptr<sqlite::ReaderPool> readers,
                 int schema_version);

    std::unique_ptr<sqlite::GroupCommitWriter> writer_;
    std::unique_ptr<sqlite::ReaderPool> readers_;
    int schema_version_;
    std::function<void(const std::string&)> wake_;
    std::function<void(const std::string&)> relay_wake_;
};

}  // namespace hub
