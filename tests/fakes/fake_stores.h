#pragma once
// In-memory stores for unit tests of the daemon's handlers: the same contracts as the ledger
// (hub/store/include/hub/store/ledger.h) for what a test sets up, with no file and no thread.
// Not thread-safe; awaitables complete at once.

#include "hub/store/ledger.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hub::test {

/// The first row `pred` accepts, if any.
template <class Row, class Pred>
std::optional<Row> first_of(const std::vector<Row>& rows, Pred pred) {
    for (const auto& row : rows) {
        if (pred(row)) {
            return row;
        }
    }
    return std::nullopt;
}

/// Every row `pred` accepts, in order.
template <class Row, class Pred>
std::vector<Row> all_of(const std::vector<Row>& rows, Pred pred) {
    std::vector<Row> out;
    std::copy_if(rows.begin(), rows.end(), std::back_inserter(out), pred);
    return out;
}

class FakeAuditStore final : public AuditStore {
public:
    std::vector<AuditRecord> records;

    boost::asio::awaitable<Result<void>> append_audit(AuditRecord record) override {
        records.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<std::vector<AuditEntry>>> audit_entries(std::int64_t,
                                                                          std::size_t) override {
        std::vector<AuditEntry> out;
        for (std::size_t i = 0; i < records.size(); ++i) {
            out.push_back(AuditEntry{static_cast<std::int64_t>(i + 1), records[i], {}, {}});
        }
        co_return out;
    }
    boost::asio::awaitable<Result<AuditVerification>> verify_audit_chain() override {
        AuditVerification v;
        v.entries = static_cast<std::int64_t>(records.size());
        co_return v;
    }
    boost::asio::awaitable<Result<AuditHead>> audit_head() override {
        co_return AuditHead{static_cast<std::int64_t>(records.size()), std::string(64, '0')};
    }
};

class FakeOperatorStore final : public OperatorStore {
public:
    MaintenanceState state;
    std::vector<AuditRecord> audit;

    boost::asio::awaitable<Result<void>> set_maintenance(MaintenanceState s,
                                                         AuditRecord a) override {
        state = std::move(s);
        audit.push_back(std::move(a));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<MaintenanceState>> maintenance() override { co_return state; }
};

class FakeEnvelopeStore final : public EnvelopeStore {
public:
    std::vector<EnvelopeRecord> envelopes;
    std::vector<DeliveryRecord> deliveries;
    std::vector<StatusRecord> statuses;
    std::map<std::string, std::string> inline_bytes;  // sha256 -> bytes
    std::vector<AuditRecord> audit;                   // what committed with an effect

    /// Adds an envelope and its deliveries as accept_envelope would; returns its seq.
    std::int64_t add(EnvelopeRecord e, const std::vector<NewDelivery>& to) {
        e.seq = static_cast<std::int64_t>(envelopes.size()) + 1;
        for (const auto& d : to) {
            DeliveryRecord r;
            r.delivery_id = d.delivery_id;
            r.envelope_seq = e.seq;
            r.recipient = d.recipient;
            r.recipient_given = d.recipient_given;
            r.route = d.route;
            r.created_at = e.accepted_at;
            deliveries.push_back(r);
        }
        envelopes.push_back(std::move(e));
        return envelopes.back().seq;
    }

    boost::asio::awaitable<Result<AcceptResult>> accept_envelope(NewEnvelope n) override {
        for (const auto& e : envelopes) {
            if (e.from == n.from && e.envelope_id == n.envelope_id) {
                AcceptResult r;
                r.outcome = e.content_digest == n.content_digest ? AcceptResult::duplicate_same
                                                                 : AcceptResult::duplicate_conflict;
                r.envelope_seq = e.seq;
                r.receipt_bytes = e.receipt;
                co_return r;
            }
        }
        EnvelopeRecord e;
        e.from = n.from;
        e.from_given = n.from_given;
        e.envelope_id = n.envelope_id;
        e.document_id = n.document_id;
        e.business_type = n.business_type;
        e.header = n.header;
        e.signature = n.signature;
        e.content_digest = n.content_digest;
        e.receipt = n.receipt;
        e.accepted_at = n.accepted_at;
        e.replaces = n.replaces;
        e.in_reply_to = n.in_reply_to;
        e.attachments = n.attachments;
        AcceptResult r;
        r.envelope_seq = add(std::move(e), n.deliveries);
        r.receipt_bytes = n.receipt;
        audit.insert(audit.end(), n.audit.begin(), n.audit.end());
        co_return r;
    }
    boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope(
        std::string from, std::string envelope_id) override {
        co_return first([&](const EnvelopeRecord& e) {
            return e.from == from && e.envelope_id == envelope_id;
        });
    }
    boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> find_envelope_for(
        std::string org, std::string envelope_id) override {
        co_return first(
            [&](const EnvelopeRecord& e) { return e.envelope_id == envelope_id && party(e, org); });
    }
    boost::asio::awaitable<Result<std::optional<EnvelopeRecord>>> load_envelope(
        std::int64_t seq, bool with_content) override {
        auto found = first([&](const EnvelopeRecord& e) { return e.seq == seq; });
        if (found && !with_content) {
            for (auto& a : found->attachments) {
                a.content.clear();
            }
        }
        co_return found;
    }
    boost::asio::awaitable<Result<std::optional<std::string>>> inline_content(
        std::string sha256) override {
        auto it = inline_bytes.find(sha256);
        co_return it == inline_bytes.end() ? std::optional<std::string>()
                                           : std::optional<std::string>(it->second);
    }
    boost::asio::awaitable<Result<bool>> document_visible_to(std::string document_id,
                                                             std::string org) override {
        co_return std::any_of(envelopes.begin(), envelopes.end(), [&](const EnvelopeRecord& e) {
            return e.document_id == document_id && party(e, org);
        });
    }
    boost::asio::awaitable<Result<bool>> document_sent_by(std::string document_id,
                                                          std::string sender) override {
        co_return std::any_of(envelopes.begin(), envelopes.end(), [&](const EnvelopeRecord& e) {
            return e.document_id == document_id && e.from == sender;
        });
    }
    boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_replying_to(
        std::string document_id) override {
        co_return all([&](const EnvelopeRecord& e) {
            return std::find(e.in_reply_to.begin(), e.in_reply_to.end(), document_id) !=
                   e.in_reply_to.end();
        });
    }
    boost::asio::awaitable<Result<std::vector<EnvelopeRecord>>> envelopes_acting_on(
        std::string document_id) override {
        co_return all([&](const EnvelopeRecord& e) {
            return !e.replaces.empty() && e.replaces == document_id;
        });
    }
    boost::asio::awaitable<Result<std::optional<DeliveryRecord>>> get_delivery(
        std::string delivery_id) override {
        co_return first_of(deliveries,
                           [&](const DeliveryRecord& d) { return d.delivery_id == delivery_id; });
    }
    boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> deliveries_of(
        std::int64_t envelope_seq) override {
        co_return all_of(deliveries,
                         [&](const DeliveryRecord& d) { return d.envelope_seq == envelope_seq; });
    }
    boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> deliveries_for_document(
        std::string document_id, std::string recipient) override {
        co_return all_of(deliveries, [&](const DeliveryRecord& d) {
            const auto& e = envelopes.at(static_cast<std::size_t>(d.envelope_seq - 1));
            return e.document_id == document_id && d.recipient == recipient;
        });
    }
    boost::asio::awaitable<Result<StatusOutcome>> add_status(StatusRecord status,
                                                             StatusCheck check,
                                                             AuditRecord record) override {
        for (const auto& s : statuses) {
            if (!status.request_digest.empty() && s.from == status.from &&
                s.request_digest == status.request_digest) {
                co_return StatusOutcome{s, false};
            }
        }
        std::vector<std::string> codes;
        for (const auto& s : statuses) {
            if (s.delivery_id == status.delivery_id) {
                codes.push_back(s.code);
            }
        }
        if (check) {
            if (auto ok = check(codes); !ok) {
                co_return ok.error();
            }
        }
        status.seq = static_cast<std::int64_t>(statuses.size()) + 1;
        for (auto& d : deliveries) {
            if (d.delivery_id == status.delivery_id) {
                d.state = status.code;
            }
        }
        statuses.push_back(status);
        audit.push_back(std::move(record));
        co_return StatusOutcome{status, true};
    }
    boost::asio::awaitable<Result<std::optional<StatusRecord>>> get_status(
        std::string status_id) override {
        co_return first_of(statuses,
                           [&](const StatusRecord& s) { return s.status_id == status_id; });
    }
    boost::asio::awaitable<Result<std::vector<StatusRecord>>> statuses_of(
        std::string delivery_id) override {
        co_return all_of(statuses,
                         [&](const StatusRecord& s) { return s.delivery_id == delivery_id; });
    }
    boost::asio::awaitable<Result<std::vector<DeliveryRecord>>> overdue_deliveries(
        Instant, std::size_t) override {
        co_return std::vector<DeliveryRecord>{};
    }
    boost::asio::awaitable<Result<std::int64_t>> count_overdue(Instant) override { co_return 0; }
    boost::asio::awaitable<Result<std::vector<LateReply>>> late_replies(Instant,
                                                                        std::size_t) override {
        co_return std::vector<LateReply>{};
    }

private:
    bool party(const EnvelopeRecord& e, const std::string& org) const {
        return e.from == org ||
               std::any_of(deliveries.begin(), deliveries.end(), [&](const DeliveryRecord& d) {
                   return d.envelope_seq == e.seq && d.recipient == org;
               });
    }
    template <class Pred>
    std::optional<EnvelopeRecord> first(Pred pred) const {
        return first_of(envelopes, pred);
    }
    template <class Pred>
    std::vector<EnvelopeRecord> all(Pred pred) const {
        return all_of(envelopes, pred);
    }
};

}  // namespace hub::test

namespace hub::test {

/// The outbox as a list, in acceptance order; `envelopes` (if set) records arrivals as the
/// ledger's ack_item does.
class FakeOutboxStore final : public OutboxStore {
public:
    struct Item {
        OutboxItem item;
        std::string channel = "inbox";
        Instant visible_at{};
        std::int64_t bytes = 0;  ///< header, signature or notice bytes
        bool done = false;
        bool relayed = false;
        std::optional<Instant> dead_at;
        std::string external_id;
        std::string last_error;
    };
    std::vector<Item> items;
    std::vector<AuditRecord> audit;
    FakeEnvelopeStore* envelopes = nullptr;

    void add(std::string id,
             std::string kind,
             std::int64_t ref,
             std::string recipient,
             std::int64_t bytes = 10) {
        Item i;
        i.item = OutboxItem{static_cast<std::int64_t>(items.size()) + 1,
                            std::move(id),
                            std::move(kind),
                            ref,
                            std::move(recipient),
                            Instant{},
                            0};
        i.bytes = bytes;
        items.push_back(std::move(i));
        if (wake_) {
            wake_(items.back().item.recipient);
        }
        if (relay_wake_) {
            relay_wake_(items.back().channel);
        }
    }

    boost::asio::awaitable<Result<InboxClaim>> claim_inbox(
        std::string recipient,
        std::size_t max,
        std::size_t max_bytes,
        Instant now,
        std::chrono::milliseconds visibility) override {
        InboxClaim claim;
        auto budget = static_cast<std::int64_t>(max_bytes);
        for (auto& i : items) {
            if (i.done || i.channel != "inbox" || i.item.recipient != recipient) {
                continue;
            }
            if (i.visible_at > now) {
                if (!claim.next_visible_at || i.visible_at < *claim.next_visible_at) {
                    claim.next_visible_at = i.visible_at;
                }
                continue;
            }
            if (claim.items.size() == max || (!claim.items.empty() && i.bytes > budget)) {
                break;
            }
            budget -= i.bytes;
            i.visible_at = now + visibility;
            i.item.attempt += 1;
            claim.items.push_back(i.item);
        }
        co_return claim;
    }
    boost::asio::awaitable<Result<std::vector<bool>>> ack_items(std::string recipient,
                                                                std::vector<ItemAck> acks,
                                                                Instant) override {
        // Checked whole before anything changes: all or none, as in one transaction.
        std::vector<Item*> found;
        for (const auto& ack : acks) {
            Item* match = nullptr;
            for (auto& i : items) {
                if (i.item.item_id == ack.item_id && i.item.recipient == recipient &&
                    i.channel == "inbox") {
                    match = &i;
                }
            }
            if (match == nullptr) {
                co_return fail(errc::not_found, "delivery_id",
                               "no such item in this inbox: " + ack.item_id);
            }
            if (!match->done && match->item.kind == "envelope" && !ack.arrival) {
                co_return fail(errc::malformed, "delivery_id",
                               "a delivery is acked with its arrival");
            }
            found.push_back(match);
        }
        std::vector<bool> first;
        for (std::size_t n = 0; n < acks.size(); ++n) {
            Item& i = *found[n];
            if (i.done) {
                first.push_back(false);
                continue;
            }
            const auto& arrival = acks[n].arrival;
            if (arrival && envelopes != nullptr) {
                for (auto& d : envelopes->deliveries) {
                    if (d.delivery_id == i.item.item_id && !d.arrived_at) {
                        d.arrived_at = arrival->arrived_at;
                        d.official_received_at = arrival->official_received_at;
                        d.handling_deadline = arrival->handling_deadline;
                        d.state = "01";
                        envelopes->statuses.push_back(arrival->status);
                    }
                }
            }
            i.done = true;
            audit.push_back(std::move(acks[n].audit));
            first.push_back(true);
        }
        co_return first;
    }
    boost::asio::awaitable<Result<std::vector<OutboxItem>>> list_inbox(std::string recipient,
                                                                       std::string kind,
                                                                       Instant from,
                                                                       Instant to,
                                                                       std::size_t max) override {
        std::vector<OutboxItem> out;
        for (const auto& i : items) {
            if (out.size() < max && !i.done && !i.dead_at && i.channel == "inbox" &&
                i.item.recipient == recipient && i.item.kind == kind && i.item.created_at >= from &&
                i.item.created_at <= to) {
                out.push_back(i.item);
            }
        }
        co_return out;
    }
    boost::asio::awaitable<Result<std::map<std::string, std::int64_t>>> open_items(
        std::string channel) override {
        std::map<std::string, std::int64_t> out;
        for (const auto& i : items) {
            if (!i.done && i.channel == channel) {
                ++out[i.item.recipient];
            }
        }
        co_return out;
    }
    void on_inbox_items(std::function<void(const std::string&)> wake) override {
        wake_ = std::move(wake);
    }

    boost::asio::awaitable<Result<std::vector<RelayItem>>> claim_relay(
        std::string channel,
        std::size_t max,
        Instant now,
        std::chrono::milliseconds lease) override {
        std::vector<RelayItem> out;
        for (auto& i : items) {
            if (out.size() == max) {
                break;
            }
            if (i.channel == channel && relayable(i) && i.visible_at <= now) {
                i.visible_at = now + lease;
                i.item.attempt += 1;
                out.push_back(RelayItem{i.item, i.last_error});
            }
        }
        co_return out;
    }
    boost::asio::awaitable<Result<void>> mark_relayed(std::string item_id,
                                                      std::string external_id,
                                                      Instant) override {
        Item* i = find(item_id);
        if (i == nullptr) {
            co_return fail(errc::not_found, "item_id", "no outbox item " + item_id);
        }
        if (!i->relayed) {
            i->relayed = true;
            i->external_id = std::move(external_id);
            i->done = i->done || i->channel == "national";
        }
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<void>> mark_relay_failed(std::string item_id,
                                                           std::string error,
                                                           Instant retry_at,
                                                           bool dead,
                                                           AuditRecord record) override {
        Item* i = find(item_id);
        if (i == nullptr || !relayable(*i)) {
            co_return fail(errc::not_found, "item_id", "no open outbox item " + item_id);
        }
        i->last_error = std::move(error);
        i->visible_at = retry_at;
        if (dead) {
            i->dead_at = retry_at;
            audit.push_back(std::move(record));
        }
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<std::vector<DeadLetter>>> dead_letters(
        std::string channel, std::size_t limit) override {
        std::vector<DeadLetter> out;
        for (const auto& i : items) {
            if (out.size() < limit && i.dead_at && !i.done &&
                (channel.empty() || i.channel == channel)) {
                out.push_back(DeadLetter{i.item, i.channel, i.last_error, *i.dead_at});
            }
        }
        co_return out;
    }
    boost::asio::awaitable<Result<void>> retry_dead_letter(std::string item_id,
                                                           Instant now,
                                                           AuditRecord record) override {
        Item* i = find(item_id);
        if (i == nullptr || !i->dead_at || i->done) {
            co_return fail(errc::not_found, "item_id", "no dead letter " + item_id);
        }
        i->dead_at.reset();
        i->item.attempt = 0;
        i->visible_at = now;
        audit.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<void>> discard_dead_letter(std::string item_id,
                                                             std::string reason,
                                                             Instant,
                                                             AuditRecord record) override {
        Item* i = find(item_id);
        if (i == nullptr || !i->dead_at || i->done) {
            co_return fail(errc::not_found, "item_id", "no dead letter " + item_id);
        }
        i->done = true;
        i->last_error = std::move(reason);
        audit.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<RelayBacklog>> relay_backlog(std::string channel) override {
        RelayBacklog backlog;
        for (const auto& i : items) {
            if (i.channel == channel && relayable(i)) {
                ++backlog.count;
                if (!backlog.oldest || i.item.created_at < *backlog.oldest) {
                    backlog.oldest = i.item.created_at;
                }
            }
        }
        co_return backlog;
    }
    boost::asio::awaitable<Result<std::size_t>> release_leases(std::string channel,
                                                               Instant now) override {
        std::size_t moved = 0;
        for (auto& i : items) {
            if (i.channel == channel && relayable(i) && i.visible_at > now) {
                i.visible_at = now;
                ++moved;
            }
        }
        co_return moved;
    }
    void on_relay_items(std::function<void(const std::string&)> wake) override {
        relay_wake_ = std::move(wake);
    }

private:
    static bool relayable(const Item& i) { return !i.done && !i.relayed && !i.dead_at; }
    Item* find(const std::string& item_id) {
        for (auto& i : items) {
            if (i.item.item_id == item_id) {
                return &i;
            }
        }
        return nullptr;
    }

    std::function<void(const std::string&)> wake_;
    std::function<void(const std::string&)> relay_wake_;
};

/// The registry as one message; every change appends its audit record with it.
class FakeRegistryStore final : public RegistryStore {
public:
    lienthong::v1::Registry registry;
    std::vector<AuditRecord> audit;

    boost::asio::awaitable<Result<void>> import_registry(lienthong::v1::Registry r,
                                                         bool,
                                                         AuditRecord record) override {
        for (const auto& org : r.organizations()) {
            *registry.add_organizations() = org;
        }
        audit.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<void>> set_org_status(std::string code,
                                                        lienthong::v1::OrgStatus status,
                                                        AuditRecord record) override {
        auto* org = find(code);
        if (org == nullptr) {
            co_return fail(errc::not_found, "code", "organization not registered: " + code);
        }
        org->set_status(status);
        audit.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<void>> add_client_cert(std::string code,
                                                         std::string sha256,
                                                         AuditRecord record) override {
        auto* org = find(code);
        if (org == nullptr) {
            co_return fail(errc::not_found, "code", "organization not registered: " + code);
        }
        org->add_client_cert_sha256(sha256);
        audit.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<bool>> revoke_client_cert(std::string sha256,
                                                            AuditRecord record) override {
        for (auto& org : *registry.mutable_organizations()) {
            auto* certs = org.mutable_client_cert_sha256();
            auto it = std::find(certs->begin(), certs->end(), sha256);
            if (it != certs->end()) {
                certs->erase(it);
                audit.push_back(std::move(record));
                co_return true;
            }
        }
        co_return fail(errc::not_found, "sha256", "certificate not registered");
    }
    boost::asio::awaitable<Result<void>> add_signer(std::string code,
                                                    lienthong::v1::SignerCert signer,
                                                    AuditRecord record) override {
        auto* org = find(code);
        if (org == nullptr) {
            co_return fail(errc::not_found, "code", "organization not registered: " + code);
        }
        *org->add_signers() = std::move(signer);
        audit.push_back(std::move(record));
        co_return Result<void>{};
    }
    boost::asio::awaitable<Result<bool>> revoke_signer(std::string code,
                                                       lienthong::v1::SignerCert signer,
                                                       AuditRecord record) override {
        auto* org = find(code);
        if (org == nullptr) {
            co_return fail(errc::not_found, "code", "organization not registered: " + code);
        }
        *org->add_revoked_signers() = std::move(signer);
        audit.push_back(std::move(record));
        co_return true;
    }
    boost::asio::awaitable<Result<lienthong::v1::Registry>> load_registry() override {
        co_return registry;
    }

private:
    lienthong::v1::OrgEntry* find(const std::string& code) {
        for (auto& org : *registry.mutable_organizations()) {
            if (org.code() == code) {
                return &org;
            }
        }
        return nullptr;
    }
};

}  // namespace hub::test
