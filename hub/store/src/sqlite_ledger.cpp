// SqliteLedger only decides where each call runs: writes on the group-commit writer, reads
// on the reader pool, and wakes the embedded inbox's waiters after commits that give a
// recipient something new. The SQL itself is in the *_ops.cpp files.

#include "hub/store/sqlite_ledger.h"

#include "hub/core/digest.h"
#include "hub/store/group_commit.h"
#include "hub/store/reader_pool.h"

#include <set>

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

namespace {

// A registry change and its audit row, as one write: the audit row commits with its effect.
template <class T, class Change>
sqlite::WriteFn<T> audited(Change change, AuditRecord audit) {
    return [change = std::move(change), audit = std::move(audit)](Db& db) -> Result<T> {
        auto done = change(db);
        if (!done) {
            return done.error();
        }
        if (auto logged = ledger::append_audit(db, audit); !logged) {
            return logged.error();
        }
        return done;
    };
}

}  // namespace

awaitable<Result<void>> SqliteLedger::import_registry(v1::Registry registry,
                                                      bool replace,
                                                      AuditRecord audit) {
    return writer_->write<void>(
        audited<void>([registry = std::move(registry),
                       replace](Db& db) { return ledger::import_registry(db, registry, replace); },
                      std::move(audit)));
}

awaitable<Result<void>> SqliteLedger::set_org_status(std::string code,
                                                     v1::OrgStatus status,
                                                     AuditRecord audit) {
    return writer_->write<void>(
        audited<void>([code = std::move(code),
                       status](Db& db) { return ledger::set_org_status(db, code, status); },
                      std::move(audit)));
}

awaitable<Result<void>> SqliteLedger::add_client_cert(std::string code,
                                                      std::string sha256,
                                                      AuditRecord audit) {
    return writer_->write<void>(audited<void>(
        [code = std::move(code), sha256 = std::move(sha256)](Db& db) {
            return ledger::add_client_cert(db, code, sha256);
        },
        std::move(audit)));
}

awaitable<Result<bool>> SqliteLedger::revoke_client_cert(std::string sha256, AuditRecord audit) {
    return writer_->write<bool>(audited<bool>(
        [sha256 = std::move(sha256)](Db& db) { return ledger::revoke_client_cert(db, sha256); },
        std::move(audit)));
}

awaitable<Result<void>> SqliteLedger::add_signer(std::string code,
                                                 v1::SignerCert signer,
                                                 AuditRecord audit) {
    return writer_->write<void>(audited<void>(
        [code = std::move(code), signer = std::move(signer)](Db& db) {
            return ledger::add_signer(db, code, signer);
        },
        std::move(audit)));
}

awaitable<Result<bool>> SqliteLedger::revoke_signer(std::string code,
                                                    v1::SignerCert signer,
                                                    AuditRecord audit) {
    return writer_->write<bool>(audited<bool>(
        [code = std::move(code), signer = std::move(signer)](Db& db) {
            return ledger::revoke_signer(db, code, signer);
        },
        std::move(audit)));
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

}  // namespace

// The write functions are named before the co_await: GCC 12 destroys the captures of a lambda
// built inside a co_await expression twice.
awaitable<Result<AcceptResult>> SqliteLedger::accept_envelope(NewEnvelope envelope) {
    if (auto checked = digest_inline_content(envelope); !checked) {
        co_return checked.error();
    }
    sqlite::WriteFn<AcceptResult> write = [envelope = std::move(envelope)](Db& db) {
        return ledger::accept_envelope(db, envelope);
    };
    auto accepted = co_await writer_->write<AcceptResult>(std::move(write));
    if (accepted && accepted->outcome == AcceptResult::created) {
        for (const auto& delivery : accepted->deliveries) {
            bool national = delivery.route == v1::NATIONAL;
            if (!national && wake_) {
                wake_(delivery.recipient);
            }
            if (relay_wake_) {
                relay_wake_(national ? "national" : "inbox");
            }
        }
    }
    co_return accepted;
}

awaitable<Result<std::optional<EnvelopeRecord>>> SqliteLedger::find_envelope(
    std::string from, std::string envelope_id) {
    return readers_->read<std::optional<EnvelopeRecord>>(
        [from = std::move(from), envelope_id = std::move(envelope_id)](Db& db) {
            return ledger::find_envelope(db, from, envelope_id);
        });
}

awaitable<Result<std::optional<EnvelopeRecord>>> SqliteLedger::find_envelope_for(
    std::string org, std::string envelope_id) {
    return readers_->read<std::optional<EnvelopeRecord>>(
        [org = std::move(org), envelope_id = std::move(envelope_id)](Db& db) {
            return ledger::find_envelope_for(db, org, envelope_id);
        });
}

awaitable<Result<std::optional<EnvelopeRecord>>> SqliteLedger::load_envelope(std::int64_t seq,
                                                                             bool with_content) {
    return readers_->read<std::optional<EnvelopeRecord>>(
        [seq, with_content](Db& db) { return ledger::load_envelope(db, seq, with_content); });
}

awaitable<Result<std::optional<std::string>>> SqliteLedger::inline_content(std::string sha256) {
    return readers_->read<std::optional<std::string>>(
        [sha256 = std::move(sha256)](Db& db) { return ledger::inline_content(db, sha256); });
}

awaitable<Result<bool>> SqliteLedger::document_visible_to(std::string document_id,
                                                          std::string org) {
    return readers_->read<bool>(
        [document_id = std::move(document_id), org = std::move(org)](Db& db) {
            return ledger::document_visible_to(db, document_id, org);
        });
}

awaitable<Result<bool>> SqliteLedger::document_sent_by(std::string document_id,
                                                       std::string sender) {
    return readers_->read<bool>(
        [document_id = std::move(document_id), sender = std::move(sender)](Db& db) {
            return ledger::document_sent_by(db, document_id, sender);
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

awaitable<Result<StatusOutcome>> SqliteLedger::add_status(StatusRecord status,
                                                          StatusCheck check,
                                                          AuditRecord audit) {
    sqlite::WriteFn<StatusOutcome> write = [status = std::move(status), check = std::move(check),
                                            audit = std::move(audit)](Db& db) {
        return ledger::add_status(db, status, check, {audit});
    };
    auto added = co_await writer_->write<StatusOutcome>(std::move(write));
    if (added && added->created && !added->record.notice.empty()) {
        if (added->record.notice_channel == "inbox" && wake_) {
            wake_(added->record.to);
        }
        if (relay_wake_) {
            relay_wake_(added->record.notice_channel);
        }
    }
    co_return added;
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

awaitable<Result<std::int64_t>> SqliteLedger::count_overdue(Instant now) {
    return readers_->read<std::int64_t>([now](Db& db) { return ledger::count_overdue(db, now); });
}

awaitable<Result<std::vector<LateReply>>> SqliteLedger::late_replies(Instant now,
                                                                     std::size_t limit) {
    return readers_->read<std::vector<LateReply>>(
        [now, limit](Db& db) { return ledger::late_replies(db, now, limit); });
}

// ---- outbox ----

awaitable<Result<InboxClaim>> SqliteLedger::claim_inbox(std::string recipient,
                                                        std::size_t max,
                                                        std::size_t max_bytes,
                                                        Instant now,
                                                        std::chrono::milliseconds visibility) {
    return writer_->write<InboxClaim>(
        [recipient = std::move(recipient), max, max_bytes, now, visibility](Db& db) {
            return ledger::claim_inbox(db, recipient, max, max_bytes, now, visibility);
        });
}

awaitable<Result<std::vector<bool>>> SqliteLedger::ack_items(std::string recipient,
                                                             std::vector<ItemAck> acks,
                                                             Instant now) {
    sqlite::WriteFn<std::vector<bool>> write = [recipient, &acks, now](Db& db) {
        std::vector<bool> first;
        first.reserve(acks.size());
        for (const auto& ack : acks) {
            auto acked = ledger::ack_item(db, recipient, ack.item_id, now, ack.arrival, ack.audit);
            if (!acked) {
                return Result<std::vector<bool>>(acked.error());  // the savepoint undoes the rest
            }
            first.push_back(*acked);
        }
        return Result<std::vector<bool>>(std::move(first));
    };
    auto acked = co_await writer_->write<std::vector<bool>>(std::move(write));
    if (!acked) {
        co_return acked;
    }
    // The senders of the envelopes hear of their arrival: their inboxes gained 01 notices.
    std::set<std::string> woken_inboxes, woken_channels;
    for (std::size_t i = 0; i < acks.size(); ++i) {
        const auto& arrival = acks[i].arrival;
        if (!(*acked)[i] || !arrival || arrival->status.to.empty()) {
            continue;
        }
        if (arrival->status.notice_channel == "inbox" && wake_ &&
            woken_inboxes.insert(arrival->status.to).second) {
            wake_(arrival->status.to);
        }
        if (relay_wake_ && woken_channels.insert(arrival->status.notice_channel).second) {
            relay_wake_(arrival->status.notice_channel);
        }
    }
    co_return acked;
}

awaitable<Result<std::vector<OutboxItem>>> SqliteLedger::list_inbox(
    std::string recipient, std::string kind, Instant from, Instant to, std::size_t max) {
    return readers_->read<std::vector<OutboxItem>>(
        [recipient = std::move(recipient), kind = std::move(kind), from, to, max](Db& db) {
            return ledger::list_inbox(db, recipient, kind, from, to, max);
        });
}

awaitable<Result<std::map<std::string, std::int64_t>>> SqliteLedger::open_items(
    std::string channel) {
    return readers_->read<std::map<std::string, std::int64_t>>(
        [channel = std::move(channel)](Db& db) { return ledger::open_items(db, channel); });
}

void SqliteLedger::on_inbox_items(std::function<void(const std::string&)> wake) {
    wake_ = std::move(wake);
}

awaitable<Result<std::vector<RelayItem>>> SqliteLedger::claim_relay(
    std::string channel, std::size_t max, Instant now, std::chrono::milliseconds lease) {
    return writer_->write<std::vector<RelayItem>>(
        [channel = std::move(channel), max, now, lease](Db& db) {
            return ledger::claim_relay(db, channel, max, now, lease);
        });
}

awaitable<Result<void>> SqliteLedger::mark_relayed(std::string item_id,
                                                   std::string external_id,
                                                   Instant now) {
    return writer_->write<void>(
        [item_id = std::move(item_id), external_id = std::move(external_id), now](Db& db) {
            return ledger::mark_relayed(db, item_id, external_id, now);
        });
}

awaitable<Result<void>> SqliteLedger::mark_relay_failed(
    std::string item_id, std::string error, Instant retry_at, bool dead, AuditRecord audit) {
    return writer_->write<void>([item_id = std::move(item_id), error = std::move(error), retry_at,
                                 dead, audit = std::move(audit)](Db& db) {
        return ledger::mark_relay_failed(db, item_id, error, retry_at, dead, audit);
    });
}

awaitable<Result<std::vector<DeadLetter>>> SqliteLedger::dead_letters(std::string channel,
                                                                      std::size_t limit) {
    return readers_->read<std::vector<DeadLetter>>([channel = std::move(channel), limit](Db& db) {
        return ledger::dead_letters(db, channel, limit);
    });
}

awaitable<Result<void>> SqliteLedger::retry_dead_letter(std::string item_id,
                                                        Instant now,
                                                        AuditRecord audit) {
    sqlite::WriteFn<std::string> write = [item_id = std::move(item_id), now,
                                          audit = std::move(audit)](Db& db) {
        return ledger::retry_dead_letter(db, item_id, now, audit);
    };
    auto channel = co_await writer_->write<std::string>(std::move(write));
    if (!channel) {
        co_return channel.error();
    }
    if (relay_wake_) {
        relay_wake_(*channel);
    }
    co_return Result<void>{};
}

awaitable<Result<void>> SqliteLedger::discard_dead_letter(std::string item_id,
                                                          std::string reason,
                                                          Instant now,
                                                          AuditRecord audit) {
    return writer_->write<void>([item_id = std::move(item_id), reason = std::move(reason), now,
                                 audit = std::move(audit)](Db& db) {
        return ledger::discard_dead_letter(db, item_id, reason, now, audit);
    });
}

awaitable<Result<RelayBacklog>> SqliteLedger::relay_backlog(std::string channel) {
    return readers_->read<RelayBacklog>(
        [channel = std::move(channel)](Db& db) { return ledger::relay_backlog(db, channel); });
}

awaitable<Result<std::size_t>> SqliteLedger::release_leases(std::string channel, Instant now) {
    return writer_->write<std::size_t>([channel = std::move(channel), now](Db& db) {
        return ledger::release_leases(db, channel, now);
    });
}

void SqliteLedger::on_relay_items(std::function<void(const std::string&)> wake) {
    // Each carrier (the broker relay, the national adapter) registers its own wake-up; a
    // later one must not silence an earlier one.
    relay_wake_ = [earlier = std::move(relay_wake_), wake = std::move(wake)](const std::string& c) {
        if (earlier) {
            earlier(c);
        }
        wake(c);
    };
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

// ---- operator decisions ----

awaitable<Result<void>> SqliteLedger::set_maintenance(MaintenanceState state, AuditRecord audit) {
    return writer_->write<void>(audited<void>(
        [state = std::move(state)](Db& db) { return ledger::set_maintenance(db, state); },
        std::move(audit)));
}

awaitable<Result<MaintenanceState>> SqliteLedger::maintenance() {
    return readers_->read<MaintenanceState>([](Db& db) { return ledger::maintenance(db); });
}

// ---- the national directory ----

awaitable<Result<void>> SqliteLedger::replace_directory(std::vector<DirectoryEntry> entries,
                                                        Instant now,
                                                        AuditRecord audit) {
    return writer_->write<void>(
        audited<void>([entries = std::move(entries),
                       now](Db& db) { return ledger::replace_directory(db, entries, now); },
                      std::move(audit)));
}

awaitable<Result<DirectorySnapshot>> SqliteLedger::load_directory() {
    return readers_->read<DirectorySnapshot>([](Db& db) { return ledger::load_directory(db); });
}

awaitable<Result<Report>> SqliteLedger::report(ReportPeriod period, Instant now) {
    return readers_->read<Report>(
        [period, now](Db& db) { return ledger::report(db, period, now); });
}

awaitable<Result<AuditHead>> SqliteLedger::audit_head() {
    return readers_->read<AuditHead>([](Db& db) { return ledger::audit_head(db); });
}

// ---- blocking variants ----

Result<void> SqliteLedger::import_registry_sync(const v1::Registry& registry,
                                                bool replace,
                                                const AuditRecord& audit) {
    return writer_->write_sync<void>(audited<void>(
        [&registry, replace](Db& db) { return ledger::import_registry(db, registry, replace); },
        audit));
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

Result<AuditHead> SqliteLedger::audit_head_sync() {
    return readers_->read_sync<AuditHead>([](Db& db) { return ledger::audit_head(db); });
}

Result<DirectorySnapshot> SqliteLedger::load_directory_sync() {
    return readers_->read_sync<DirectorySnapshot>(
        [](Db& db) { return ledger::load_directory(db); });
}

Result<MaintenanceState> SqliteLedger::maintenance_sync() {
    return readers_->read_sync<MaintenanceState>([](Db& db) { return ledger::maintenance(db); });
}

}  // namespace hub
