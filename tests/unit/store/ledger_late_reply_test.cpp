// Late replies: a recipient of an envelope asking for a reply that sent none naming the
// document by the deadline.

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

constexpr const char* kDocument = "000.00.05.H39,2026/11/20,12/UBND-VP";

hub::Instant deadline() { return t0() + 24h; }

/// From H39.05 to H39.07 and G22, asking for a reply by `due`.
hub::NewEnvelope asking(const std::string& envelope_id, hub::Instant due) {
    auto e = envelope(envelope_id, {"H39.07", "G22"});
    e.reply_requested = true;
    e.reply_due = "2026-11-26";
    e.reply_deadline = due;
    return e;
}

/// A reply from `from` to H39.05 naming kDocument, accepted at `at`.
hub::NewEnvelope reply(const std::string& envelope_id, const std::string& from, hub::Instant at) {
    auto e = envelope(envelope_id, {"H39.05"});
    e.from = from;
    e.from_given = from;
    e.document_id = from + ",2026/11/25,1/VP";
    e.accepted_at = at;
    e.in_reply_to = {kDocument};
    return e;
}

std::vector<std::string> recipients_of(const std::vector<hub::LateReply>& late) {
    std::vector<std::string> out;
    for (const auto& l : late) {
        out.push_back(l.recipient);
    }
    return out;
}

}  // namespace

TEST_CASE("R-13 ledger: the reply deadline is stored with the envelope", "[store][reply]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));
    f.ok(f.ledger().accept_envelope(envelope("e-2")));
    auto asked = f.ok(f.ledger().find_envelope("H39.05", "e-1"));
    REQUIRE(asked.has_value());
    CHECK(asked->reply_requested);
    CHECK(asked->reply_due == "2026-11-26");
    CHECK(asked->reply_deadline == deadline());
    CHECK_FALSE(f.ok(f.ledger().find_envelope("H39.05", "e-2"))->reply_deadline.has_value());
}

TEST_CASE("R-13 ledger: no reply by a past deadline is a late reply", "[store][reply]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));
    auto late = f.ok(f.ledger().late_replies(deadline() + 1ms, 10));
    REQUIRE(late.size() == 2);
    CHECK(late[0].envelope_id == "e-1");
    CHECK(late[0].document_id == kDocument);
    CHECK(late[0].from == "H39.05");
    CHECK(late[0].recipient == "H39.07");
    CHECK(late[0].recipient_given == "H39.07");
    CHECK(late[0].reply_deadline == deadline());
    CHECK(late[1].recipient == "G22");
}

TEST_CASE("R-13 ledger: a deadline not yet passed is not late", "[store][reply]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));
    CHECK(f.ok(f.ledger().late_replies(deadline() - 1h, 10)).empty());
    CHECK(f.ok(f.ledger().late_replies(deadline(), 10)).empty());  // "before now", strictly
}

TEST_CASE("R-13 ledger: a reply from that recipient in time is not late", "[store][reply]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));
    f.ok(f.ledger().accept_envelope(reply("r-1", "H39.07", t0() + 2h)));
    f.ok(f.ledger().accept_envelope(reply("r-2", "G22", deadline())));  // at the deadline: in time
    CHECK(f.ok(f.ledger().late_replies(deadline() + 48h, 10)).empty());
}

TEST_CASE("R-13 ledger: a reply from another organization leaves the recipients late",
          "[store][reply]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));
    f.ok(f.ledger().accept_envelope(reply("r-1", "H41", t0() + 2h)));
    f.ok(f.ledger().accept_envelope(reply("r-2", "H39.05", t0() + 3h)));  // the sender itself
    auto late = f.ok(f.ledger().late_replies(deadline() + 1h, 10));
    CHECK(recipients_of(late) == std::vector<std::string>{"H39.07", "G22"});
}

TEST_CASE("R-13 ledger: a reply after the deadline is late", "[store][reply]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));
    f.ok(f.ledger().accept_envelope(reply("r-1", "H39.07", deadline() + 1ms)));
    f.ok(f.ledger().accept_envelope(reply("r-2", "G22", t0() + 1h)));
    auto late = f.ok(f.ledger().late_replies(deadline() + 1h, 10));
    CHECK(recipients_of(late) == std::vector<std::string>{"H39.07"});
}

TEST_CASE("R-13 ledger: envelopes not asking for a reply are never late", "[store][reply]") {
    LedgerFixture f;
    auto no_ask = asking("e-1", deadline());
    no_ask.reply_requested = false;
    f.ok(f.ledger().accept_envelope(no_ask));
    auto no_deadline = asking("e-2", deadline());
    no_deadline.reply_deadline.reset();
    f.ok(f.ledger().accept_envelope(no_deadline));
    CHECK(f.ok(f.ledger().late_replies(deadline() + 48h, 10)).empty());
}

TEST_CASE("R-13 ledger: late replies come oldest deadline first, up to the limit",
          "[store][reply]") {
    LedgerFixture f;
    auto later = asking("e-later", deadline() + 2h);
    later.document_id = "000.00.05.H39,2026/11/21,13/UBND-VP";
    f.ok(f.ledger().accept_envelope(later));  // accepted first, due last
    f.ok(f.ledger().accept_envelope(asking("e-1", deadline())));

    auto late = f.ok(f.ledger().late_replies(deadline() + 3h, 10));
    REQUIRE(late.size() == 4);
    CHECK(late[0].envelope_id == "e-1");
    CHECK(late[1].envelope_id == "e-1");
    CHECK(late[2].envelope_id == "e-later");
    CHECK(late[2].reply_deadline == deadline() + 2h);
    CHECK(f.ok(f.ledger().late_replies(deadline() + 3h, 3)).size() == 3);
    auto only_first = f.ok(f.ledger().late_replies(deadline() + 1h, 10));
    CHECK(only_first.size() == 2);
}
