// Deliveries and status events: first arrival only, checked status order, overdue query.

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

hub::StatusCheck allow_only_after(std::string required) {
    return [required](const std::vector<std::string>& codes) -> hub::Result<void> {
        for (const auto& c : codes) {
            if (c == required) {
                return {};
            }
        }
        return hub::fail(hub::errc::invalid_status, "code", "needs " + required + " first");
    };
}

}  // namespace

TEST_CASE("R-16 ledger: only the first arrival is recorded", "[store][delivery]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto arrived = t0() + 5min;
    bool first =
        f.arrive("d-e-1-0", arrived, arrived + 1h, arrived + 3h, status("s-01", "d-e-1-0", "01"));
    CHECK(first);
    bool second = f.arrive("d-e-1-0", arrived + 1h, arrived + 2h, arrived + 4h,
                           status("s-01b", "d-e-1-0", "01"));
    CHECK_FALSE(second);

    auto d = f.ok(f.ledger().get_delivery("d-e-1-0"));
    REQUIRE(d.has_value());
    CHECK(d->arrived_at == arrived);
    CHECK(d->official_received_at == arrived + 1h);
    CHECK(d->handling_deadline == arrived + 3h);
    CHECK(d->state == "01");
    auto statuses = f.ok(f.ledger().statuses_of("d-e-1-0"));
    REQUIRE(statuses.size() == 1);  // the second call's 01 was not added
    CHECK(statuses[0].status_id == "s-01");
    CHECK(statuses[0].delivery_id == "d-e-1-0");
    CHECK(statuses[0].envelope_seq > 0);

    hub::Arrival nothing{arrived, arrived, arrived, status("s-x", "d-nope", "01")};
    auto unknown = f.failure(
        f.ledger().ack_item("H39.07", "d-nope", arrived, nothing, f.audit_record("ack", "d-nope")));
    CHECK(unknown.code == hub::errc::not_found);
    // Someone else's delivery is not in this inbox either.
    auto others = f.failure(
        f.ledger().ack_item("H39.99", "d-e-1-0", arrived, nothing, f.audit_record("ack", "x")));
    CHECK(others.code == hub::errc::not_found);
}

TEST_CASE("R-16 ledger: a list of acks is one transaction, all or none", "[store][delivery]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    f.ok(f.ledger().accept_envelope(envelope("e-2")));
    const auto arrived = t0() + 5min;
    auto acks_of = [&](const std::vector<std::string>& ids) {
        std::vector<hub::ItemAck> acks;
        for (const auto& id : ids) {
            acks.push_back(hub::ItemAck{
                id, hub::Arrival{arrived, arrived, arrived + 2h, status("s-" + id, id, "01")},
                f.audit_record("inbox.ack", id)});
        }
        return acks;
    };
    // d-e-1-1 is G22's: the whole list is refused and H39.07's own item stays open.
    auto refused = f.failure(
        f.ledger().ack_items("H39.07", acks_of({"d-e-1-0", "d-e-2-0", "d-e-1-1"}), arrived));
    CHECK(refused.code == hub::errc::not_found);
    for (const auto* id : {"d-e-1-0", "d-e-2-0"}) {
        auto d = f.ok(f.ledger().get_delivery(id));
        REQUIRE(d.has_value());
        CHECK_FALSE(d->arrived_at.has_value());
        CHECK(f.ok(f.ledger().statuses_of(id)).empty());
    }

    CHECK(f.ok(f.ledger().ack_items("H39.07", acks_of({"d-e-1-0", "d-e-2-0"}), arrived)) ==
          std::vector<bool>{true, true});
    // The same list again is a repeat; a list that mixes old and new acks the new one.
    CHECK(f.ok(f.ledger().ack_items("H39.07", acks_of({"d-e-1-0", "d-e-2-0"}), arrived)) ==
          std::vector<bool>{false, false});
    CHECK(f.ok(f.ledger().ack_items("G22", acks_of({"d-e-1-1"}), arrived)) ==
          std::vector<bool>{true});
    for (const auto* id : {"d-e-1-0", "d-e-2-0", "d-e-1-1"}) {
        auto d = f.ok(f.ledger().get_delivery(id));
        REQUIRE(d.has_value());
        CHECK(d->arrived_at == arrived);
        CHECK(f.ok(f.ledger().statuses_of(id)).size() == 1);
    }
}

TEST_CASE("ledger: statuses are recorded in order and the check sees them", "[store][delivery]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    // 03 before 01 is refused by the caller's rule, inside the transaction.
    auto refused = f.failure(
        f.ledger().add_status(status("s-03", "d-e-1-0", "03"), allow_only_after("01"), {}));
    CHECK(refused.code == hub::errc::invalid_status);
    CHECK(f.ok(f.ledger().statuses_of("d-e-1-0")).empty());

    f.ok(f.ledger().add_status(status("s-01", "d-e-1-0", "01"), {}, {}));
    f.ok(f.ledger().add_status(status("s-03", "d-e-1-0", "03"), allow_only_after("01"), {}));
    auto staffed = status("s-04", "d-e-1-0", "04");
    lienthong::v1::Staff staff;
    staff.set_name("Nguyễn Văn A");
    staffed.staff = staff.SerializeAsString();
    f.ok(f.ledger().add_status(staffed, {}, {}));

    auto statuses = f.ok(f.ledger().statuses_of("d-e-1-0"));
    REQUIRE(statuses.size() == 3);
    CHECK(statuses[0].code == "01");
    CHECK(statuses[1].code == "03");
    CHECK(statuses[2].code == "04");
    lienthong::v1::Staff back;
    REQUIRE(back.ParseFromString(statuses[2].staff));
    CHECK(back.name() == "Nguyễn Văn A");
    CHECK(statuses[2].reported_at == "2026-11-25T09:10:00.000+07:00");
    CHECK(statuses[2].recorded_at == t0() + 10min);
    CHECK(f.ok(f.ledger().get_delivery("d-e-1-0"))->state == "04");

    auto taken = f.failure(f.ledger().add_status(status("s-04", "d-e-1-0", "05"), {}, {}));
    CHECK(taken.code == hub::errc::duplicate_conflict);
    auto missing = f.failure(f.ledger().add_status(status("s-x", "d-nope", "01"), {}, {}));
    CHECK(missing.code == hub::errc::not_found);
}

TEST_CASE("R-08 ledger: overdue deliveries are those past deadline without 02 or 03",
          "[store][delivery]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1", {"A01", "B01", "C01", "D01"})));
    auto deadline = t0() + 2h;
    for (int i = 0; i < 4; ++i) {
        std::string id = "d-e-1-" + std::to_string(i);
        // d-e-1-3 has a later deadline.
        auto own = i == 3 ? deadline + 1h : deadline;
        CHECK(f.arrive(id, t0(), t0(), own, status("s-01-" + std::to_string(i), id, "01")));
    }
    f.ok(f.ledger().add_status(status("s-02", "d-e-1-1", "02"), {}, {}));  // rejected: handled
    f.ok(f.ledger().add_status(status("s-03", "d-e-1-2", "03"), {}, {}));  // accepted: handled

    CHECK(f.ok(f.ledger().overdue_deliveries(deadline, 10)).empty());  // deadline not passed
    auto overdue = f.ok(f.ledger().overdue_deliveries(deadline + 1ms, 10));
    REQUIRE(overdue.size() == 1);
    CHECK(overdue[0].delivery_id == "d-e-1-0");
    auto later = f.ok(f.ledger().overdue_deliveries(deadline + 2h, 10));
    REQUIRE(later.size() == 2);
    CHECK(later[1].delivery_id == "d-e-1-3");
    CHECK(f.ok(f.ledger().overdue_deliveries(deadline + 2h, 1)).size() == 1);
}

TEST_CASE("ledger: open inbox items and deliveries of a document", "[store][delivery]") {
    LedgerFixture f;
    auto a = f.ok(f.ledger().accept_envelope(envelope("e-1", {"H39.07", "G22"})));
    auto b_env = envelope("e-2", {"H39.07"});
    b_env.document_id = "000.00.05.H39,2026/11/21,13/UBND-VP";
    auto b = f.ok(f.ledger().accept_envelope(b_env));
    CHECK(f.arrive("d-e-1-0", t0(), t0(), t0()));

    auto open = f.ok(f.ledger().open_items("inbox"));
    CHECK(open == std::map<std::string, std::int64_t>{{"G22", 1}, {"H39.07", 1}});
    auto claim = f.ok(f.ledger().claim_inbox("H39.07", 10, 1 << 20, t0(), 1min));
    REQUIRE(claim.items.size() == 1);
    CHECK(claim.items[0].item_id == "d-e-2-0");
    CHECK(claim.items[0].ref == b.envelope_seq);
    CHECK(a.envelope_seq < b.envelope_seq);

    auto mine =
        f.ok(f.ledger().deliveries_for_document("000.00.05.H39,2026/11/20,12/UBND-VP", "H39.07"));
    REQUIRE(mine.size() == 1);
    CHECK(mine[0].delivery_id == "d-e-1-0");
    CHECK(f.ok(f.ledger().deliveries_for_document("000.00.05.H39,2026/11/20,12/UBND-VP", "H41"))
              .empty());
}

TEST_CASE("R-11 ledger: an envelope to 600 recipients owes every delivery across a restart",
          "[store][delivery][outbox]") {
    LedgerFixture f;
    std::vector<std::string> recipients;
    for (int i = 0; i < 600; ++i) {
        recipients.push_back("H39." + std::to_string(1000 + i));
    }
    f.ok(f.ledger().accept_envelope(envelope("e-600", recipients)));
    f.reopen();
    auto open = f.ok(f.ledger().open_items("inbox"));
    CHECK(open.size() == 600);
    std::size_t claimed = 0;
    for (const auto& code : recipients) {
        claimed += f.ok(f.ledger().claim_inbox(code, 10, 1 << 20, t0(), 1min)).items.size();
    }
    CHECK(claimed == 600);
}
