// Status lookup and the outbox: a notice's outbox item is written with its status, and the
// embedded inbox serves envelopes and notices in acceptance order, each until its recipient
// acks it, across restarts.

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

hub::StatusRecord with_notice(hub::StatusRecord s) {
    lienthong::v1::StatusNotice notice;
    notice.set_status_id(s.status_id);
    notice.set_code(s.code);
    s.notice = notice.SerializeAsString();
    return s;
}

std::vector<std::string> ids_of(const hub::InboxClaim& claim) {
    std::vector<std::string> ids;
    for (const auto& item : claim.items) {
        ids.push_back(item.item_id);
    }
    return ids;
}

}  // namespace

TEST_CASE("ledger: a status is found by its id, and an unknown id is absent", "[store][notice]") {
    LedgerFixture f;
    auto accepted = f.ok(f.ledger().accept_envelope(envelope("e-1")));
    f.ok(f.ledger().add_status(with_notice(status("s-01", "d-e-1-0", "01")), {}, {}));

    auto found = f.ok(f.ledger().get_status("s-01"));
    REQUIRE(found.has_value());
    CHECK(found->status_id == "s-01");
    CHECK(found->delivery_id == "d-e-1-0");
    CHECK(found->envelope_seq == accepted.envelope_seq);
    CHECK(found->from == "H39.07");
    CHECK(found->to == "H39.05");
    CHECK(found->code == "01");
    CHECK(found->reported_at == "2026-11-25T09:10:00.000+07:00");
    CHECK(found->recorded_at == t0() + 10min);
    CHECK(found->seq > 0);
    CHECK_FALSE(found->notified);
    lienthong::v1::StatusNotice notice;
    REQUIRE(notice.ParseFromString(found->notice));
    CHECK(notice.status_id() == "s-01");

    CHECK_FALSE(f.ok(f.ledger().get_status("s-nope")).has_value());
}

TEST_CASE("R-12 ledger: the inbox offers envelopes and notices in acceptance order",
          "[store][notice][outbox]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1", {"H39.07"})));
    f.ok(f.ledger().add_status(with_notice(status("s-1", "d-e-1-0", "01")), {}, {}));
    auto back = envelope("e-2", {"H39.05"});
    back.from = "H39.07";
    back.deliveries[0].delivery_id = "d-back";
    f.ok(f.ledger().accept_envelope(back));
    f.ok(f.ledger().add_status(with_notice(status("s-2", "d-e-1-0", "03")), {}, {}));

    // H39.05 is owed the 01, the envelope from H39.07 and the 03, in that order.
    auto claim = f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0(), 1min));
    CHECK(ids_of(claim) == std::vector<std::string>{"s-1", "d-back", "s-2"});
    CHECK(claim.items[0].kind == "status");
    CHECK(claim.items[1].kind == "envelope");
    CHECK(claim.items[0].attempt == 1);
    // Claimed items are invisible until the visibility timeout, then offered again.
    CHECK(f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0() + 30s, 1min)).items.empty());
    auto again = f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0() + 61s, 1min));
    CHECK(ids_of(again) == std::vector<std::string>{"s-1", "d-back", "s-2"});
    CHECK(again.items[0].attempt == 2);
}

TEST_CASE("ledger: a claim stops at its byte budget but returns at least one item",
          "[store][outbox]") {
    LedgerFixture f;
    for (int i = 0; i < 5; ++i) {
        auto e = envelope("e-" + std::to_string(i), {"H39.07"});
        e.header.assign(1000, 'h');
        f.ok(f.ledger().accept_envelope(e));
    }
    auto small = f.ok(f.ledger().claim_inbox("H39.07", 10, 10, t0(), 1min));
    CHECK(small.items.size() == 1);
    auto some = f.ok(f.ledger().claim_inbox("H39.07", 10, 2500, t0(), 1min));
    CHECK(some.items.size() == 2);
    REQUIRE(some.next_visible_at.has_value());
    CHECK(*some.next_visible_at == t0() + 1min);
}

TEST_CASE("ledger: an ack closes an item once, and survives a restart", "[store][outbox]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1", {"H39.07"})));
    f.ok(f.ledger().add_status(with_notice(status("s-1", "d-e-1-0", "01")), {}, {}));
    f.ok(f.ledger().add_status(with_notice(status("s-2", "d-e-1-0", "03")), {}, {}));

    CHECK(f.ok(f.ledger().ack_item("H39.05", "s-1", t0(), {}, f.audit_record("ack", "s-1"))));
    CHECK_FALSE(f.ok(f.ledger().ack_item("H39.05", "s-1", t0(), {}, f.audit_record("ack", "s-1"))));
    // Not the acker's item: the same answer as an unknown one.
    CHECK(f.failure(f.ledger().ack_item("H39.07", "s-2", t0(), {}, f.audit_record("ack", "s-2")))
              .code == hub::errc::not_found);
    CHECK(f.failure(f.ledger().ack_item("H39.05", "s-no", t0(), {}, f.audit_record("ack", "x")))
              .code == hub::errc::not_found);
    CHECK(f.ok(f.ledger().get_status("s-1"))->notified);

    f.reopen();
    auto claim = f.ok(f.ledger().claim_inbox("H39.05", 10, 1 << 20, t0(), 1min));
    CHECK(ids_of(claim) == std::vector<std::string>{"s-2"});
    // Two statuses, then only the first ack was audited, with its effect.
    auto entries = f.ok(f.ledger().audit_entries(0, 10));
    REQUIRE(entries.size() == 3);
    CHECK(entries[2].record.action == "ack");
    CHECK(entries[2].record.target == "s-1");
}

TEST_CASE("R-12 ledger: a repeated report returns the first status", "[store][notice]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto first = with_notice(status("s-1", "d-e-1-0", "01"));
    first.request_digest = "same";
    auto added = f.ok(f.ledger().add_status(first, {}, f.audit_record("status", "s-1")));
    CHECK(added.created);
    auto retry = with_notice(status("s-1b", "d-e-1-0", "01"));
    retry.request_digest = "same";
    auto repeated = f.ok(f.ledger().add_status(retry, {}, f.audit_record("status", "s-1b")));
    CHECK_FALSE(repeated.created);
    CHECK(repeated.record.status_id == "s-1");
    CHECK(f.ok(f.ledger().statuses_of("d-e-1-0")).size() == 1);
    CHECK(f.ok(f.ledger().audit_entries(0, 10)).size() == 1);
}
