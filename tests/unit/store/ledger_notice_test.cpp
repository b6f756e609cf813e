// Status lookup and the status notice outbox: a notice is stored with its status and listed
// until the other party acks it, across restarts.

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

std::vector<std::string> ids_of(const std::vector<hub::StatusRecord>& statuses) {
    std::vector<std::string> ids;
    for (const auto& s : statuses) {
        ids.push_back(s.status_id);
    }
    return ids;
}

}  // namespace

TEST_CASE("ledger: a status is found by its id, and an unknown id is absent", "[store][notice]") {
    LedgerFixture f;
    auto accepted = f.ok(f.ledger().accept_envelope(envelope("e-1")));
    f.ok(f.ledger().add_status(with_notice(status("s-01", "d-e-1-0", "01")), {}));

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

TEST_CASE("ledger: add_status and record_arrival store the status notice", "[store][notice]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto first = with_notice(status("s-01", "d-e-1-0", "01"));
    first.notified = true;  // ignored: a new notice is always owed
    REQUIRE(f.ok(f.ledger().record_arrival("d-e-1-0", t0(), t0(), t0() + 1h, first)));
    f.ok(f.ledger().add_status(with_notice(status("s-03", "d-e-1-0", "03")), {}));

    auto statuses = f.ok(f.ledger().statuses_of("d-e-1-0"));
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].notice == first.notice);
    CHECK_FALSE(statuses[0].notified);
    CHECK_FALSE(statuses[1].notice.empty());
    CHECK(statuses[0].seq < statuses[1].seq);
    // Bytes with NULs come back whole (a BLOB, not text).
    auto binary = status("s-04", "d-e-1-0", "04");
    binary.notice = std::string("\0\x01\x02notice", 9);
    f.ok(f.ledger().add_status(binary, {}));
    CHECK(f.ok(f.ledger().get_status("s-04"))->notice == binary.notice);
}

TEST_CASE("ledger: unnotified statuses are listed in recording order and paged",
          "[store][notice]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1", {"A01", "B01", "C01"})));
    f.ok(f.ledger().record_arrival("d-e-1-0", t0(), t0(), t0(),
                                   with_notice(status("s-1", "d-e-1-0", "01"))));
    f.ok(f.ledger().add_status(with_notice(status("s-2", "d-e-1-1", "01")), {}));
    f.ok(f.ledger().add_status(status("s-quiet", "d-e-1-1", "03"), {}));  // no notice owed
    f.ok(f.ledger().add_status(with_notice(status("s-3", "d-e-1-2", "01")), {}));
    f.ok(f.ledger().add_status(with_notice(status("s-4", "d-e-1-0", "03")), {}));
    f.ok(f.ledger().add_status(with_notice(status("s-5", "d-e-1-2", "02")), {}));

    auto all = f.ok(f.ledger().unnotified_statuses(0, 100));
    CHECK(ids_of(all) == std::vector<std::string>{"s-1", "s-2", "s-3", "s-4", "s-5"});

    // Page by the last seq seen, as the daemon does at start-up.
    std::vector<std::string> paged;
    std::int64_t after = 0;
    int pages = 0;
    for (;;) {
        auto page = f.ok(f.ledger().unnotified_statuses(after, 2));
        if (page.empty()) {
            break;
        }
        CHECK(page.size() <= 2);
        for (const auto& s : page) {
            CHECK(s.seq > after);
            CHECK_FALSE(s.notice.empty());
            CHECK_FALSE(s.notified);
            paged.push_back(s.status_id);
            after = s.seq;
        }
        REQUIRE(++pages <= 3);
    }
    CHECK(pages == 3);
    CHECK(paged == ids_of(all));
}

TEST_CASE("ledger: mark_notified is true once and removes the status from the outbox",
          "[store][notice]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    f.ok(f.ledger().add_status(with_notice(status("s-1", "d-e-1-0", "01")), {}));
    f.ok(f.ledger().add_status(with_notice(status("s-2", "d-e-1-1", "01")), {}));

    CHECK(f.ok(f.ledger().mark_notified("s-1")));
    CHECK_FALSE(f.ok(f.ledger().mark_notified("s-1")));
    CHECK(f.ok(f.ledger().get_status("s-1"))->notified);
    CHECK(ids_of(f.ok(f.ledger().unnotified_statuses(0, 100))) == std::vector<std::string>{"s-2"});

    auto unknown = f.failure(f.ledger().mark_notified("s-nope"));
    CHECK(unknown.code == hub::errc::not_found);
    CHECK(unknown.field == "status_id");
}

TEST_CASE("ledger: the notice outbox survives a restart", "[store][notice]") {
    LedgerFixture f;
    f.ok(f.ledger().accept_envelope(envelope("e-1")));
    auto owed = with_notice(status("s-1", "d-e-1-0", "01"));
    f.ok(f.ledger().add_status(owed, {}));
    f.ok(f.ledger().add_status(with_notice(status("s-2", "d-e-1-1", "01")), {}));
    REQUIRE(f.ok(f.ledger().mark_notified("s-2")));

    f.reopen();
    auto outbox = f.ok(f.ledger().unnotified_statuses(0, 100));
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0].status_id == "s-1");
    CHECK(outbox[0].notice == owed.notice);
    CHECK(f.ok(f.ledger().get_status("s-2"))->notified);
    CHECK_FALSE(f.ok(f.ledger().mark_notified("s-2")));
    CHECK(f.ok(f.ledger().mark_notified("s-1")));
}
