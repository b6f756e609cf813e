// Accepting envelopes: idempotency by (from, envelope_id), lookups, links, durability.

#include "unit/store/store_fixture.h"

using namespace store_test;
using hub::AcceptResult;

TEST_CASE("ledger: a new envelope is created with its deliveries", "[store][ledger]") {
    LedgerFixture f;
    auto r = f.ok(f.ledger().accept_envelope(envelope("e-1")));
    CHECK(r.outcome == AcceptResult::created);
    CHECK(r.envelope_seq > 0);
    CHECK(r.receipt_bytes == "receipt of e-1");
    REQUIRE(r.deliveries.size() == 2);
    CHECK(r.deliveries[0].delivery_id == "d-e-1-0");
    CHECK(r.deliveries[0].recipient == "H39.07");
    CHECK(r.deliveries[0].state == "PENDING");
    CHECK(r.deliveries[0].created_at == t0());
    CHECK_FALSE(r.deliveries[0].arrived_at.has_value());

    auto stored = f.ok(f.ledger().deliveries_of(r.envelope_seq));
    REQUIRE(stored.size() == 2);
    CHECK(stored[1].delivery_id == "d-e-1-1");
    CHECK(stored[1].recipient == "G22");
}

TEST_CASE("ledger: the same envelope again is a duplicate with the first receipt",
          "[store][ledger]") {
    LedgerFixture f;
    auto first = f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto again = envelope("e-1");
    again.receipt = "a second receipt that must not replace the first";
    again.deliveries[0].delivery_id = "d-other";  // the caller's fresh ids are ignored
    auto second = f.ok(f.ledger().accept_envelope(again));
    CHECK(second.outcome == AcceptResult::duplicate_same);
    CHECK(second.envelope_seq == first.envelope_seq);
    CHECK(second.receipt_bytes == "receipt of e-1");
    REQUIRE(second.deliveries.size() == 2);
    CHECK(second.deliveries[0].delivery_id == "d-e-1-0");
    CHECK_FALSE(f.ok(f.ledger().get_delivery("d-other")).has_value());
}

TEST_CASE("ledger: the same envelope id with other content is a conflict", "[store][ledger]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto r = f.ok(f.ledger().accept_envelope(envelope("e-1", {"H39.07"}, "digest-2")));
    CHECK(r.outcome == AcceptResult::duplicate_conflict);
    CHECK(r.receipt_bytes.empty());
    CHECK(r.deliveries.empty());
    auto e = f.ok(f.ledger().find_envelope("H39.05", "e-1"));
    REQUIRE(e.has_value());
    CHECK(e->content_digest == "digest-1");
}

TEST_CASE("ledger: another sender may use the same envelope id", "[store][ledger]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto other = envelope("e-1");
    other.from = "H39.08";
    for (auto& d : other.deliveries) {
        d.delivery_id += "-h3908";
    }
    auto r = f.ok(f.ledger().accept_envelope(other));
    CHECK(r.outcome == AcceptResult::created);
    // Each party finds the envelope it is party to, never the other sender's.
    auto mine = f.ok(f.ledger().find_envelope_for("H39.05", "e-1"));
    REQUIRE(mine.has_value());
    CHECK(mine->from == "H39.05");
    auto theirs = f.ok(f.ledger().find_envelope_for("H39.08", "e-1"));
    REQUIRE(theirs.has_value());
    CHECK(theirs->from == "H39.08");
    CHECK_FALSE(f.ok(f.ledger().find_envelope_for("H39.99", "e-1")).has_value());
}

TEST_CASE("ledger: a stored envelope reads back whole", "[store][ledger]") {
    LedgerFixture f;
    auto n = envelope("e-1");
    n.business_type = lienthong::v1::REPLACE;
    n.replaces = "000.00.05.H39,2026/11/01,3/UBND-VP";
    n.in_reply_to = {"000.00.00.G22,2026/10/30,7816/VPCP-TTĐT", "H39.07,2026/11/02,5/SNV"};
    n.reply_requested = true;
    n.reply_due = "2026-12-01";
    hub::AttachmentRecord appendix;
    appendix.content_id = "app-1";
    appendix.name = "phu-luc.xlsx";
    appendix.media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    appendix.size = 99;
    appendix.sha256 = std::string(64, 'c');
    appendix.role = lienthong::v1::APPENDIX;
    appendix.description = "Phụ lục";
    n.attachments.push_back(appendix);
    auto r = f.ok(f.ledger().accept_envelope(n));

    auto e = f.ok(f.ledger().load_envelope(r.envelope_seq));
    REQUIRE(e.has_value());
    CHECK(e->from == "H39.05");
    CHECK(e->from_given == "000.00.05.H39");
    CHECK(e->document_id == n.document_id);
    CHECK(e->business_type == lienthong::v1::REPLACE);
    CHECK(e->header == n.header);  // binary-safe
    CHECK(e->signature == n.signature);
    CHECK(e->header_sha256 == n.header_sha256);
    CHECK(e->receipt == n.receipt);
    CHECK(e->accepted_at == t0());
    CHECK(e->reply_requested);
    CHECK(e->reply_due == "2026-12-01");
    CHECK(e->replaces == n.replaces);
    CHECK(e->in_reply_to == n.in_reply_to);
    REQUIRE(e->attachments.size() == 2);
    CHECK(e->attachments[0].role == lienthong::v1::MAIN);
    CHECK(e->attachments[1].content_id == "app-1");
    CHECK(e->attachments[1].size == 99);
    CHECK(e->attachments[1].description == "Phụ lục");

    CHECK_FALSE(f.ok(f.ledger().load_envelope(r.envelope_seq + 100)).has_value());
    CHECK_FALSE(f.ok(f.ledger().find_envelope("G22", "e-1")).has_value());
}

TEST_CASE("R-14 ledger: document lookups link replies and replacements", "[store][ledger]") {
    LedgerFixture f;
    auto original = envelope("e-1");
    f.ok(f.ledger().accept_envelope(original));
    // Known to its sender and recipients only; unknown and not visible answer the same.
    CHECK(f.ok(f.ledger().document_visible_to(original.document_id, "H39.05")));
    CHECK(f.ok(f.ledger().document_visible_to(original.document_id, "H39.07")));
    CHECK_FALSE(f.ok(f.ledger().document_visible_to(original.document_id, "H39.99")));
    CHECK_FALSE(f.ok(f.ledger().document_visible_to("G22,2026/01/01,1/X", "H39.05")));
    CHECK(f.ok(f.ledger().document_sent_by(original.document_id, "H39.05")));
    CHECK_FALSE(f.ok(f.ledger().document_sent_by(original.document_id, "H39.07")));

    auto reply = envelope("e-2", {"H39.05"});
    reply.from = "H39.07";
    reply.document_id = "H39.07,2026/11/26,9/SNV";
    reply.in_reply_to = {original.document_id};
    f.ok(f.ledger().accept_envelope(reply));

    auto recall = envelope("e-3");
    recall.business_type = lienthong::v1::RECALL;
    recall.document_id = "000.00.05.H39,2026/11/27,13/UBND-VP";
    recall.replaces = original.document_id;
    f.ok(f.ledger().accept_envelope(recall));

    auto replies = f.ok(f.ledger().envelopes_replying_to(original.document_id));
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].envelope_id == "e-2");
    auto acting = f.ok(f.ledger().envelopes_acting_on(original.document_id));
    REQUIRE(acting.size() == 1);
    CHECK(acting[0].envelope_id == "e-3");
    CHECK(f.ok(f.ledger().envelopes_acting_on("")).empty());
}

TEST_CASE("ledger: audit records ride in accept_envelope's transaction", "[store][ledger]") {
    LedgerFixture f;
    auto n = envelope("e-1");
    n.audit.push_back({t0(), "H39.05", "envelope.accept", "e-1", "OK", "recipients=2"});
    f.ok(f.ledger().accept_envelope(n));
    auto conflict = envelope("e-1", {"G22"}, "digest-2");
    conflict.audit.push_back({t0(), "H39.05", "envelope.accept", "e-1", "DUPLICATE_CONFLICT", ""});
    f.ok(f.ledger().accept_envelope(conflict));
    auto entries = f.ok(f.ledger().audit_entries(0, 10));
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].record.outcome == "OK");
    CHECK(entries[1].record.outcome == "DUPLICATE_CONFLICT");
}

TEST_CASE("ledger: everything survives close and reopen", "[store][ledger]") {
    LedgerFixture f;
    auto r = f.ok(f.ledger().accept_envelope(envelope("e-1")));
    CHECK(f.arrive("d-e-1-0", t0() + 1min, t0() + 1min, t0() + 2h + 1min,
                   status("s-1", "d-e-1-0", "01")));
    f.ok(f.ledger().append_audit({t0(), "hub", "test", "x", "OK", ""}));
    lienthong::v1::Registry registry;
    auto* org = registry.add_organizations();
    org->set_code("H39.05");
    org->set_name("Sở Nội vụ");
    f.ok(f.ledger().import_registry(registry, false, f.audit_record("registry.import", "file")));

    f.reopen();

    auto e = f.ok(f.ledger().find_envelope("H39.05", "e-1"));
    REQUIRE(e.has_value());
    CHECK(e->seq == r.envelope_seq);
    auto d = f.ok(f.ledger().get_delivery("d-e-1-0"));
    REQUIRE(d.has_value());
    CHECK(d->arrived_at == t0() + 1min);
    CHECK(d->state == "01");
    CHECK(f.ok(f.ledger().statuses_of("d-e-1-0")).size() == 1);
    CHECK(f.ok(f.ledger().verify_audit_chain()).entries == 3);  // ack, append, import
    auto loaded = f.ok(f.ledger().load_registry());
    REQUIRE(loaded.organizations_size() == 1);
    CHECK(loaded.organizations(0).name() == "Sở Nội vụ");
    // The idempotency key outlives the process too.
    CHECK(f.ok(f.ledger().accept_envelope(envelope("e-1"))).outcome ==
          AcceptResult::duplicate_same);
}
