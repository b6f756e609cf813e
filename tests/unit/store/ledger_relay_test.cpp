// The relay side of the outbox: claims as leases, confirmations, failures with a retry time,
// dead letters and the operator's decisions on them, all surviving a restart.

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

// An envelope from H39.05 to one national recipient (G22) and one local one (H39.07).
hub::NewEnvelope national_envelope(const std::string& id) {
    auto e = envelope(id, {"G22", "H39.07"});
    e.deliveries[0].route = lienthong::v1::NATIONAL;
    return e;
}

std::vector<std::string> ids(const std::vector<hub::RelayItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) {
        out.push_back(i.item.item_id);
    }
    return out;
}

}  // namespace

TEST_CASE("relay: claims are leases in acceptance order, per channel", "[store][relay]") {
    LedgerFixture f;
    std::vector<std::string> woken;
    f.ledger().on_relay_items([&](const std::string& channel) { woken.push_back(channel); });
    f.ok(f.ledger().accept_envelope(national_envelope("e-1")));
    f.ok(f.ledger().accept_envelope(national_envelope("e-2")));
    CHECK(std::count(woken.begin(), woken.end(), "national") == 2);
    CHECK(std::count(woken.begin(), woken.end(), "inbox") == 2);

    auto first = f.ok(f.ledger().claim_relay("national", 10, t0(), 30s));
    CHECK(ids(first) == std::vector<std::string>{"d-e-1-0", "d-e-2-0"});
    CHECK(first[0].item.attempt == 1);
    CHECK(first[0].item.recipient == "G22");
    // Leased: invisible to a second claim until the lease ends.
    CHECK(f.ok(f.ledger().claim_relay("national", 10, t0() + 29s, 30s)).empty());
    auto again = f.ok(f.ledger().claim_relay("national", 1, t0() + 30s, 30s));
    CHECK(ids(again) == std::vector<std::string>{"d-e-1-0"});
    CHECK(again[0].item.attempt == 2);

    auto backlog = f.ok(f.ledger().relay_backlog("national"));
    CHECK(backlog.count == 2);
    REQUIRE(backlog.oldest.has_value());
    CHECK(*backlog.oldest == t0());
    // The local deliveries stay in the embedded inbox.
    auto claim = f.ok(f.ledger().claim_inbox("H39.07", 10, 1 << 20, t0(), 1min));
    CHECK(claim.items.size() == 2);
}

TEST_CASE("relay: a restarted relay takes back what the dead one held, whatever the clock says",
          "[store][relay]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(national_envelope("e-1")));
    f.ok(f.ledger().accept_envelope(national_envelope("e-2")));
    f.ok(f.ledger().accept_envelope(national_envelope("e-3")));
    f.ok(f.ledger().claim_relay("national", 2, t0(), 30s));  // e-1, e-2: held, then a crash
    f.ok(f.ledger().mark_relayed("d-e-2-0", "axis-doc-2", t0()));
    f.reopen();
    // The clock was set back a day: the old lease would end only tomorrow.
    const auto earlier = t0() - 24h;
    CHECK(f.ok(f.ledger().claim_relay("national", 10, earlier, 30s)).size() == 1);  // e-3
    CHECK(f.ok(f.ledger().release_leases("national", earlier)) == 2);               // e-1 and e-3
    auto back = f.ok(f.ledger().claim_relay("national", 10, earlier, 30s));
    CHECK(ids(back) == std::vector<std::string>{"d-e-1-0", "d-e-3-0"});
    CHECK(back[0].item.attempt == 2);  // e-2, relayed, stays relayed
}

TEST_CASE("relay: a confirmed national item is done and never claimed again", "[store][relay]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(national_envelope("e-1")));
    f.ok(f.ledger().claim_relay("national", 10, t0(), 30s));
    f.ok(f.ledger().mark_relayed("d-e-1-0", "axis-doc-1", t0() + 1s));
    f.ok(f.ledger().mark_relayed("d-e-1-0", "axis-doc-other", t0() + 2s));  // a repeat: no-op
    f.reopen();
    CHECK(f.ok(f.ledger().claim_relay("national", 10, t0() + 1h, 30s)).empty());
    CHECK(f.ok(f.ledger().relay_backlog("national")).count == 0);
    CHECK(f.ok(f.ledger().open_items("national")).empty());
    auto unknown = f.failure(f.ledger().mark_relayed("d-nope", "x", t0()));
    CHECK(unknown.code == hub::errc::not_found);
}

TEST_CASE("relay: an inbox item carried by a broker stays open until its recipient acks",
          "[store][relay]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1", {"H39.07"})));
    auto claimed = f.ok(f.ledger().claim_relay("inbox", 10, t0(), 30s));
    REQUIRE(ids(claimed) == std::vector<std::string>{"d-e-1-0"});
    f.ok(f.ledger().mark_relayed("d-e-1-0", "", t0() + 1s));
    CHECK(f.ok(f.ledger().claim_relay("inbox", 10, t0() + 1h, 30s)).empty());
    CHECK(f.ok(f.ledger().open_items("inbox")).at("H39.07") == 1);
    CHECK(f.arrive("d-e-1-0", t0() + 2s, t0() + 2s, t0() + 3h));
    CHECK(f.ok(f.ledger().open_items("inbox")).count("H39.07") == 0);
}

TEST_CASE("relay: failures wait for their retry time, then die with an audit row",
          "[store][relay]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(national_envelope("e-1")));
    auto audit_before = f.ok(f.ledger().audit_entries(0, 1000)).size();
    f.ok(f.ledger().claim_relay("national", 10, t0(), 30s));
    f.ok(f.ledger().mark_relay_failed("d-e-1-0", "axis answered 500", t0() + 10s, false,
                                      f.audit_record("relay.fail", "d-e-1-0")));
    CHECK(f.ok(f.ledger().audit_entries(0, 1000)).size() == audit_before);  // not dead: no row
    CHECK(f.ok(f.ledger().claim_relay("national", 10, t0() + 9s, 30s)).empty());
    auto retried = f.ok(f.ledger().claim_relay("national", 10, t0() + 10s, 30s));
    REQUIRE(retried.size() == 1);
    CHECK(retried[0].last_error == "axis answered 500");
    CHECK(retried[0].item.attempt == 2);

    f.ok(f.ledger().mark_relay_failed("d-e-1-0", "axis refused: 18", t0() + 20s, true,
                                      f.audit_record("relay.dead", "d-e-1-0")));
    f.reopen();
    CHECK(f.ok(f.ledger().claim_relay("national", 10, t0() + 1h, 30s)).empty());
    CHECK(f.ok(f.ledger().relay_backlog("national")).count == 0);
    auto dead = f.ok(f.ledger().dead_letters("", 10));
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].item.item_id == "d-e-1-0");
    CHECK(dead[0].channel == "national");
    CHECK(dead[0].last_error == "axis refused: 18");
    CHECK(dead[0].dead_at == t0() + 20s);
    CHECK(f.ok(f.ledger().dead_letters("inbox", 10)).empty());
    auto audit = f.ok(f.ledger().audit_entries(0, 1000));
    REQUIRE(audit.size() == audit_before + 1);
    CHECK(audit.back().record.action == "relay.dead");
    // A dead letter is not failed again.
    auto refail = f.failure(f.ledger().mark_relay_failed("d-e-1-0", "x", t0(), false,
                                                         f.audit_record("relay.fail", "x")));
    CHECK(refail.code == hub::errc::not_found);
}

TEST_CASE("relay: an operator retries or discards a dead letter", "[store][relay]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(national_envelope("e-1")));
    f.ok(f.ledger().accept_envelope(national_envelope("e-2")));
    for (const char* id : {"d-e-1-0", "d-e-2-0"}) {
        f.ok(f.ledger().mark_relay_failed(id, "gone", t0() + 1s, true,
                                          f.audit_record("relay.dead", id)));
    }
    std::vector<std::string> woken;
    f.ledger().on_relay_items([&](const std::string& channel) { woken.push_back(channel); });

    f.ok(f.ledger().retry_dead_letter("d-e-1-0", t0() + 1h, f.audit_record("dead.retry", "1")));
    CHECK(woken == std::vector<std::string>{"national"});
    auto claimed = f.ok(f.ledger().claim_relay("national", 10, t0() + 1h, 30s));
    REQUIRE(ids(claimed) == std::vector<std::string>{"d-e-1-0"});
    CHECK(claimed[0].item.attempt == 1);  // attempts start over

    f.ok(f.ledger().discard_dead_letter("d-e-2-0", "ministry closed the code", t0() + 2h,
                                        f.audit_record("dead.discard", "2")));
    CHECK(f.ok(f.ledger().dead_letters("", 10)).empty());
    CHECK(f.ok(f.ledger().open_items("national")).count("G22") == 1);  // only e-1's

    CHECK(f.failure(f.ledger().retry_dead_letter("d-e-2-0", t0(), f.audit_record("r", "2"))).code ==
          hub::errc::not_found);
    CHECK(f.failure(f.ledger().discard_dead_letter("d-e-1-0", "no", t0(), f.audit_record("d", "1")))
              .code == hub::errc::not_found);  // claimable again, not dead
    auto actions = f.ok(f.ledger().audit_entries(0, 1000));
    CHECK(actions[actions.size() - 2].record.action == "dead.retry");
    CHECK(actions.back().record.action == "dead.discard");
}
