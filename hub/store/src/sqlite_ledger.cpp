// SqliteLedger only decides where each call runs: writes on the group-commit writer, reads
// on the reader pool. The SQL itself is in the *_ops.cpp files.

#include "hub/store/sqlite_ledger.h"

#include "hub/core/digest.h"
#include "hub/store/group_commit.h"
#include "hub/store/reader_pool.h"

#include "ledger_ops.h"

namespace hub {

namespace v1 = lienthong::v1;
using boost::asio::awaitable;
using sqlite::Db;

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open(SqliteLedgerOptions options, Logger& log) {
    auto db = Db::open(options.path, sqlite::OpenMode::read_write_create, options.busy_timeout);
    if (!db) {
        return db.error();
    }
    auto version = sqlite::migrate(*db, ledger::schema_steps());
    if (!version) {
        log.error("ledger_migration_failed", "path=" + log_value(options.path) +
                                                 " error=" + log_value(version.error().message));
        return version.error();
    }
    // Readers open after the writer created the file and its WAL.
    auto readers = sqlite::ReaderPool::open(options.path, options.readers, options.busy_timeout);
    if (!readers) {
        return readers.error();
    }
    auto writer =
        std::make_unique<sqlite::GroupCommitWriter>(std::move(*db), log, options.max_batch);
    log.info("ledger_open", "path=" + log_value(options.path) +
                                " schema=" + std::to_string(*version) +
                                " max_batch=" + std::to_string(options.max_batch));
    return std::unique_ptr<SqliteLedger>(
        new SqliteLedger(std::move(writer), std::move(*readers), *version));
}

SqliteLedger::SqliteLedger(std::unique_ptr<sqlite::GroupCommitWriter> writer,
                           std::unique_ptr<sqlite::ReaderPool> readers,
                           int schema_version)
    : writer_(std::move(writer)), readers_(std::move(readers)), schema_version_(schema_version) {}

SqliteLedger::~SqliteLedger() = default;

int SqliteLedger::latest_schema_version() { return ledger::schema_steps().back().version; }

std::uint64_t SqliteLedger::commits() const noexcept { return writer_->commits(); }

std::uint64_t SqliteLedger::writes() const noexcept { return writer_->writes(); }

// ---- registry ----

awaitable<Result<void>> SqliteLedger::import_registry(v1::Registry registry, bool replace) {
    return writer_->write<void>([registry = std::move(registry), replace](Db& db) {
        return ledger::import_registry(db, registry, replace);
    });
}

awaitable<Result<void>> SqliteLedger::add_org(v1::OrgEntry org) {
    return writer_->write<void>(
        [org = std::move(org)](Db& db) { return ledger::add_org(db, org); });
}

awaitable<Result<void>> SqliteLedger::set_org_status(std::string code, v1::OrgStatus status) {
    return writer_->write<void>([code = std::move(code), status](Db& db) {
        return ledger::set_org_status(db, code, status);
    });
}

awaitable<Result<void>> SqliteLedger::add_client_cert(std::string code, std::string sha256) {
    return writer_->write<void>([code = std::move(code), sha256 = std::move(sha256)](Db& db) {
        return ledger::add_client_cert(db, code, sha256);
    });
}

awaitable<Result<bool>> SqliteLedger::revoke_client_cert(std::string sha256) {
    return writer_->write<bool>(
        [sha256 = std::move(sha256)](Db& db) { return ledger::revoke_client_cert(db, sha256); });
}

awaitable<Result<void>> SqliteLedger::add_signer(std::string code, v1::SignerCert signer) {
    return writer_->write<void>([code = std::move(code), signer = std::move(signer)](Db& db) {
        return ledger::add_signer(db, code, signer);
    });
}

awaitable<Result<bool>> SqliteLedger::revoke_signer(std::string code, v1::SignerCert signer) {
    return writer_->write<bool>([code = std::move(code), signer = std::move(signer)](Db& db) {
        return ledger::revoke_signer(db, code, signer);
    });
}

awaitable<Result<v1::Registry>> SqliteLedger::load_registry() {
    return readers_->read<v1::Registry>([](Db& db) { return ledger::load_registry(db); });
}

// ---- envelopes ----

namespace {

// Inline bytes are shared by digest, so a wrong digest would hand this content to every
// later envelope claiming that digest: the ledger vouches for the digest of what it stores,
// as BlobStore::put does. Hashed here, on the caller's thread, to keep the single writer
// thread free for SQL.
Result<void> digest_inline_content(NewEnvelope& envelope) {
    for (std::size_t i = 0; i < envelope.attachments.size(); ++i) {
        AttachmentRecord& a = envelope.attachments[i];
        if (!a.inline_content) {
            continue;
        }
        std::string actual = sha256_hex(a.content);
        if (a.sha256.empty()) {
            a.sha256 = std::move(actual);
        } else if (a.sha256 != actual) {
            return fail(errc::attachment_digest, "attachments[" + std::to_string(i) + "]",
                        "inline content of " + a.content_id + " does not match its sha256");
        }
    }
    return {};
}

awaitable<Result<AcceptResult>> refused(Failure failure) { co_return failure; }

}  // namespace

// Not a coroutine, like the other calls: one frame fewer per envelope, and no lambda built
// inside a co_await expression (GCC 12 destroys its captures twice; see sqlite_queue.cpp).
// So the digest check runs eagerly, when the call is made.
awaitable<Result<AcceptResult>> SqliteLedger::accept_envelope(NewEnvelope envelope) {
    if (auto checked = digest_inline_content(envelope); !checked) {
        return refused(checked.error());
    }
    return writer_->write<AcceptResult>(
        [envelope = std::move(envelope)](Db& db) { return ledger::accept_envelope(db, envelope); });
}

awaitable<Result<std::optional<EnvelopeRecord>>> SqliteLedger::find_envelope(
    std::string from, std::string envelope_id) {
    return readers_->read<std::optional<EnvelopeRecord>>(
        [from = std::move(from), envelope_id = std::move(envelope_id)](Db& db) {
            return ledger::find_envelope(db, from, envelope_id);
        });
}

awaitable<Result<std::optional<EnvelopeRecord>>> SqliteLedger::find_envelope_by_id(
    std::string envelope_id) {
    return readers_->read<std::optional<EnvelopeRecord>>(
        [envelope_id = std::move(envelope_id)](Db& db) {
            return ledger::find_envelope_by_id(db, envelope_id);
        });
}

awaitable<Result<std::optional<EnvelopeRecord>>> SqliteLedger::load_envelope(std::int64_t seq) {
    return readers_->read<std::optional<EnvelopeRecord>>(
        [seq](Db& db) { return ledger::load_envelope(db, seq); });
}

awaitable<Result<bool>> SqliteLedger::document_known(std::string document_id) {
    return readers_->read<bool>([document_id = std::move(document_id)](Db& db) {
        return ledger::document_known(db, document_id);
    });
}

awaitable<Result<std::vector<EnvelopeRecord>>> SqliteLedger::envelopes_replying_to(
    std::string document_id) {
    return readers_->read<std::vector<EnvelopeRecord>>(
        [document_id = std::move(document_id)](Db& db) {
            return ledger::envelopes_replying_to(db, document_id);
        });
}

awaitable<Result<std::vector<EnvelopeRecord>>> SqliteLedger::envelopes_acting_on(
    std::string document_id) {
    return readers_->read<std::vector<EnvelopeRecord>>(
        [document_id = std::move(document_id)](Db& db) {
            return ledger::envelopes_acting_on(db, document_id);
        });
}

// ---- deliveries and statuses ----

awaitable<Result<std::optional<DeliveryRecord>>> SqliteLedger::get_delivery(
    std::string delivery_id) {
    return readers_->read<std::optional<DeliveryRecord>>(
        [delivery_id = std::move(delivery_id)](Db& db) {
            return ledger::get_delivery(db, delivery_id);
        });
}

awaitable<Result<std::vector<DeliveryRecord>>> SqliteLedger::deliveries_of(
    std::int64_t envelope_seq) {
    return readers_->read<std::vector<DeliveryRecord>>(
        [envelope_seq](Db& db) { return ledger::deliveries_of(db, envelope_seq); });
}

awaitable<Result<std::vector<DeliveryRecord>>> SqliteLedger::deliveries_for_document(
    std::string document_id, std::string recipient) {
    return readers_->read<std::vector<DeliveryRecord>>(
        [document_id = std::move(document_id), recipient = std::move(recipient)](Db& db) {
            return ledger::deliveries_for_document(db, document_id, recipient);
        });
}

awaitable<Result<std::vector<DeliveryRecord>>> SqliteLedger::unarrived_deliveries(
    std::int64_t after_seq, std::size_t limit) {
    return readers_->read<std::vector<DeliveryRecord>>(
        [after_seq, limit](Db& db) { return ledger::unarrived_deliveries(db, after_seq, limit); });
}

awaitable<Result<bool>> SqliteLedger::record_arrival(std::string delivery_id,
                                                     Instant arrived_at,
                                                     Instant official_received_at,
                                                     Instant handling_deadline,
                                                     std::optional<StatusRecord> status_if_first) {
    return writer_->write<bool>([delivery_id = std::move(delivery_id), arrived_at,
                                 official_received_at, handling_deadline,
                                 status = std::move(status_if_first)](Db& db) {
        return ledger::record_arrival(db, delivery_id, arrived_at, official_received_at,
                                      handling_deadline, status);
    });
}

awaitable<Result<void>> SqliteLedger::add_status(StatusRecord status, StatusCheck check) {
    return writer_->write<void>([status = std::move(status), check = std::move(check)](Db& db) {
        return ledger::add_status(db, status, check);
    });
}

awaitable<Result<std::optional<StatusRecord>>> SqliteLedger::get_status(std::string status_id) {
    return readers_->read<std::optional<StatusRecord>>(
        [status_id = std::move(status_id)](Db& db) { return ledger::get_status(db, status_id); });
}

awaitable<Result<std::vector<StatusRecord>>> SqliteLedger::statuses_of(std::string delivery_id) {
    return readers_->read<std::vector<StatusRecord>>(
        [delivery_id = std::move(delivery_id)](Db& db) {
            return ledger::statuses_of(db, delivery_id);
        });
}

awaitable<Result<std::vector<DeliveryRecord>>> SqliteLedger::overdue_deliveries(Instant now,
                                                                                std::size_t limit) {
    return readers_->read<std::vector<DeliveryRecord>>(
        [now, limit](Db& db) { return ledger::overdue_deliveries(db, now, limit); });
}

awaitable<Result<bool>> SqliteLedger::mark_notified(std::string status_id) {
    return writer_->write<bool>([status_id = std::move(status_id)](Db& db) {
        return ledger::mark_notified(db, status_id);
    });
}

awaitable<Result<std::vector<StatusRecord>>> SqliteLedger::unnotified_statuses(
    std::int64_t after_seq, std::size_t limit) {
    return readers_->read<std::vector<StatusRecord>>(
        [after_seq, limit](Db& db) { return ledger::unnotified_statuses(db, after_seq, limit); });
}

awaitable<Result<std::vector<LateReply>>> SqliteLedger::late_replies(Instant now,
                                                                     std::size_t limit) {
    return readers_->read<std::vector<LateReply>>(
        [now, limit](Db& db) { return ledger::late_replies(db, now, limit); });
}

// ---- audit ----

awaitable<Result<void>> SqliteLedger::append_audit(AuditRecord record) {
    return writer_->write<void>(
        [record = std::move(record)](Db& db) { return ledger::append_audit(db, record); });
}

awaitable<Result<std::vector<AuditEntry>>> SqliteLedger::audit_entries(std::int64_t after_seq,
                                                                       std::size_t limit) {
    return readers_->read<std::vector<AuditEntry>>(
        [after_seq, limit](Db& db) { return ledger::audit_entries(db, after_seq, limit); });
}

awaitable<Result<AuditVerification>> SqliteLedger::verify_audit_chain() {
    return readers_->read<AuditVerification>([](Db& db) { return ledger::verify_audit_chain(db); });
}

// ---- blocking variants ----

Result<void> SqliteLedger::import_registry_sync(const v1::Registry& registry, bool replace) {
    return writer_->write_sync<void>(
        [&registry, replace](Db& db) { return ledger::import_registry(db, registry, replace); });
}

Result<v1::Registry> SqliteLedger::load_registry_sync() {
    return readers_->read_sync<v1::Registry>([](Db& db) { return ledger::load_registry(db); });
}

Result<void> SqliteLedger::append_audit_sync(const AuditRecord& record) {
    return writer_->write_sync<void>(
        [&record](Db& db) { return ledger::append_audit(db, record); });
}

Result<AuditVerification> SqliteLedger::verify_audit_chain_sync() {
    return readers_->read_sync<AuditVerification>(
        [](Db& db) { return ledger::verify_audit_chain(db); });
}

}  // namespace hub
