// Period reports over a ledger seeded through the store API, against figures
// counted by hand from the seed below.

#include "lienthong/v1/envelope.pb.h"

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

constexpr const char* kA = "H39.05";
constexpr const char* kB = "H39.07";
constexpr const char* kC = "G22";

// 2026-11-25 in Vietnam: t0() is 09:00 there.
hub::ReportPeriod the_day() { return {t0() - 9h, t0() + 15h}; }

/// An envelope with a real header (so the paper-copy flag is read from it).
hub::NewEnvelope sent(const std::string& id,
                      const std::string& from,
                      std::vector<std::string> to,
                      hub::Instant at,
                      bool paper = false) {
    auto e = envelope(id, std::move(to));
    e.from = from;
    e.from_given = from;
    e.document_id = from + ",2026/11/25," + id + "/VP";
    e.accepted_at = at;
    lienthong::v1::EnvelopeHeader header;
    header.set_envelope_id(id);
    header.set_document_id(e.document_id);
    header.set_paper_copy_follows(paper);
    e.header = header.SerializeAsString();
    return e;
}

std::string delivery(const std::string& envelope_id, int i = 0) {
    return "d-" + envelope_id + "-" + std::to_string(i);
}

class Seeded : public LedgerFixture {
public:
    void accept(hub::NewEnvelope e) { ok(ledger().accept_envelope(std::move(e))); }

    /// Acked at `at` (official receipt then too), deadline two hours later.
    void arrive_at(const std::string& delivery_id, hub::Instant at) {
        arrive(delivery_id, at, at, at + 2h);
    }

    void report_status(const std::string& delivery_id,
                       const std::string& from,
                       const std::string& code,
                       hub::Instant at) {
        auto s = status("s-" + code + "-" + delivery_id, delivery_id, code);
        s.from = from;
        s.to = kA;
        s.recorded_at = at;
        ok(ledger().add_status(s, {}, audit_record("status.post", delivery_id)));
    }

    void audit(hub::Instant at,
               const std::string& actor,
               const std::string& action,
               const std::string& outcome) {
        ok(ledger().append_audit({at, actor, action, "", outcome, ""}));
    }

    hub::Report report(hub::Instant now) { return ok(ledger().report(the_day(), now)); }
};

/// The seed, with what each line contributes to the report of the_day() at t0() + 20h.
void seed(Seeded& f) {
    // The day begins at t0() - 9h: an envelope accepted then is in it (C sent 1).
    f.accept(sent("e-0", kC, {kA}, t0() - 9h));
    // A sends with a paper copy (A sent, paper). B acks and answers 03 after 25 min (B
    // received, on time, a 25-min sample); C acks and rejects after the deadline (C received,
    // overdue, a 170-min sample, a rejection C sent and A got).
    f.accept(sent("e-1", kA, {kB, kC}, t0(), true));
    f.arrive_at(delivery("e-1", 0), t0() + 5min);
    f.report_status(delivery("e-1", 0), kB, "03", t0() + 30min);
    f.arrive_at(delivery("e-1", 1), t0() + 10min);
    f.report_status(delivery("e-1", 1), kC, "02", t0() + 3h);
    // A asks B for a reply by t0() + 6h; B acks, never handles it (B overdue) and replies in
    // time (B reply on time, B sent). A acks the reply and handles it after an hour (A
    // received, on time, a 60-min sample).
    auto asking = sent("e-2", kA, {kB}, t0() + 1h);
    asking.reply_requested = true;
    asking.reply_deadline = t0() + 6h;
    f.accept(asking);
    f.arrive_at(delivery("e-2"), t0() + 1h);
    auto reply = sent("r-1", kB, {kA}, t0() + 4h);
    reply.in_reply_to = {asking.document_id};
    f.accept(reply);
    f.arrive_at(delivery("r-1"), t0() + 5h);
    f.report_status(delivery("r-1"), kA, "03", t0() + 6h);
    // The day before: sent and acked outside the day, but its handling and reply deadlines
    // fall inside it, unmet (C overdue, C reply late).
    auto before = sent("e-3", kA, {kC}, t0() - 10h);
    before.reply_requested = true;
    before.reply_deadline = t0() + 10h;
    f.accept(before);
    f.arrive(delivery("e-3"), t0() - 9h - 30min, t0() - 9h - 30min, t0() - 8h);
    // Four more to B at t0() + 7h, handled after 10, 20 and 40 min (on time) and 3 h
    // (overdue): B's samples become 10, 20, 25, 40, 180 min.
    const std::chrono::minutes handled_after[] = {10min, 20min, 40min, 180min};
    for (int i = 0; i < 4; ++i) {
        const std::string id = "e-" + std::to_string(6 + i);
        f.accept(sent(id, kA, {kB}, t0() + 7h));
        f.arrive_at(delivery(id), t0() + 7h);
        f.report_status(delivery(id), kB, "03", t0() + 7h + handled_after[i]);
    }
    // Sent at 23:00 (A sent), acked the next day (not received in the day).
    f.accept(sent("e-4", kA, {kB}, t0() + 14h));
    f.arrive_at(delivery("e-4"), t0() + 16h);
    // The day ends at t0() + 15h, exclusive.
    f.accept(sent("e-5", kC, {kA}, t0() + 15h));

    // Refusals: A 2 + 1 (edXML) MALFORMED and 1 SIGNATURE_INVALID, an unknown certificate 1
    // UNAUTHENTICATED. Not refusals: accepted, duplicates, other actions, other days.
    f.audit(t0(), kA, "envelope.post", "MALFORMED");
    f.audit(t0() + 1h, kA, "envelope.post", "MALFORMED");
    f.audit(t0() + 2h, kA, "edxml.post", "MALFORMED");
    f.audit(t0() + 3h, kA, "envelope.post", "SIGNATURE_INVALID");
    f.audit(t0() + 4h, "cert:0123456789abcdef", "envelope.post", "UNAUTHENTICATED");
    f.audit(t0() + 5h, kB, "envelope.post", "DUPLICATE");
    f.audit(t0() + 5h, kB, "envelope.post", "OK");
    f.audit(t0() + 5h, kC, "status.post", "INVALID_STATUS");
    f.audit(t0() - 10h, kA, "envelope.post", "MALFORMED");
    f.audit(t0() + 15h, kA, "envelope.post", "MALFORMED");
}

std::int64_t ms(std::chrono::minutes m) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m).count();
}

hub::AgencyFigures expected_a() {
    hub::AgencyFigures f;
    f.code = kA;
    f.sent = 7;  // e-1, e-2, e-4, e-6..e-9
    f.paper_copies = 1;
    f.received = 1;  // r-1
    f.rejected_by_recipients = 1;
    f.handled_on_time = 1;
    f.handled = 1;
    f.handling_median_ms = ms(60min);
    f.handling_p90_ms = ms(60min);
    return f;
}

hub::AgencyFigures expected_b() {
    hub::AgencyFigures f;
    f.code = kB;
    f.sent = 1;      // r-1
    f.received = 6;  // e-1, e-2, e-6..e-9
    f.handled_on_time = 4;
    f.overdue = 2;  // e-2 (never), e-9 (3 h)
    f.replies_on_time = 1;
    f.handled = 5;
    f.handling_median_ms = ms(25min);  // rank 3 of 5
    f.handling_p90_ms = ms(180min);    // rank 5 of 5
    return f;
}

hub::AgencyFigures expected_c() {
    hub::AgencyFigures f;
    f.code = kC;
    f.sent = 1;      // e-0
    f.received = 1;  // e-1
    f.rejections_sent = 1;
    f.overdue = 2;  // e-1 (late 02), e-3 (never)
    f.replies_late = 1;
    f.handled = 1;
    f.handling_median_ms = ms(170min);
    f.handling_p90_ms = ms(170min);
    return f;
}

void check_same(const hub::AgencyFigures& got, const hub::AgencyFigures& want) {
    INFO("agency " << want.code);
    CHECK(got.code == want.code);
    CHECK(got.sent == want.sent);
    CHECK(got.paper_copies == want.paper_copies);
    CHECK(got.received == want.received);
    CHECK(got.rejected_by_recipients == want.rejected_by_recipients);
    CHECK(got.rejections_sent == want.rejections_sent);
    CHECK(got.handled_on_time == want.handled_on_time);
    CHECK(got.overdue == want.overdue);
    CHECK(got.replies_on_time == want.replies_on_time);
    CHECK(got.replies_late == want.replies_late);
    CHECK(got.handled == want.handled);
    CHECK(got.handling_median_ms == want.handling_median_ms);
    CHECK(got.handling_p90_ms == want.handling_p90_ms);
}

void check_day(const hub::Report& r) {
    CHECK(r.period.begin == the_day().begin);
    CHECK(r.period.end == the_day().end);
    REQUIRE(r.agencies.size() == 3);
    // By code: G22 < H39.05 < H39.07.
    check_same(r.agencies[0], expected_c());
    check_same(r.agencies[1], expected_a());
    check_same(r.agencies[2], expected_b());
    REQUIRE(r.refusals.size() == 3);
    CHECK(r.refusals[0].agency == kA);
    CHECK(r.refusals[0].code == "MALFORMED");
    CHECK(r.refusals[0].count == 3);
    CHECK(r.refusals[1].agency == kA);
    CHECK(r.refusals[1].code == "SIGNATURE_INVALID");
    CHECK(r.refusals[1].count == 1);
    CHECK(r.refusals[2].agency == "cert:0123456789abcdef");
    CHECK(r.refusals[2].code == "UNAUTHENTICATED");
    CHECK(r.refusals[2].count == 1);
}

}  // namespace

TEST_CASE("R-18 report: a seeded day matches the figures counted by hand", "[store][report]") {
    Seeded f;
    seed(f);
    check_day(f.report(t0() + 20h));
}

TEST_CASE("R-19 report: what happens after a period has ended does not change its report",
          "[store][report]") {
    Seeded f;
    seed(f);
    const auto first = f.report(t0() + 20h);
    check_day(first);
    // Late handling, a late reply, new traffic and refusals, all the next day.
    f.report_status(delivery("e-2"), kB, "03", t0() + 21h);
    f.report_status(delivery("e-3"), kC, "02", t0() + 21h);
    auto late_reply = sent("r-2", kC, {kA}, t0() + 22h);
    late_reply.in_reply_to = {"H39.05,2026/11/25,e-3/VP"};
    f.accept(late_reply);
    f.arrive_at(delivery("e-5"), t0() + 23h);
    f.report_status(delivery("e-4"), kB, "03", t0() + 23h);
    f.audit(t0() + 24h, kB, "envelope.post", "MALFORMED");
    f.reopen();
    check_day(f.report(t0() + 72h));
}

TEST_CASE("R-18 report: a deadline not yet passed is neither on time nor overdue",
          "[store][report]") {
    Seeded f;
    f.accept(sent("e-1", kA, {kB, kC}, t0()));
    f.arrive_at(delivery("e-1", 0), t0() + 5min);   // deadline t0() + 2h05
    f.arrive_at(delivery("e-1", 1), t0() + 10min);  // deadline t0() + 2h10
    const auto r = f.report(t0() + 2h + 7min);
    REQUIRE(r.agencies.size() == 3);
    CHECK(r.agencies[0].code == kC);
    CHECK(r.agencies[0].overdue == 0);
    CHECK(r.agencies[0].received == 1);
    CHECK(r.agencies[2].code == kB);
    CHECK(r.agencies[2].overdue == 1);
    CHECK(r.agencies[2].handled == 0);
    CHECK_FALSE(r.agencies[2].handling_median_ms.has_value());
}

TEST_CASE("R-18 report: an empty or reversed period is refused", "[store][report]") {
    Seeded f;
    auto failure = f.failure(f.ledger().report({t0(), t0()}, t0()));
    CHECK(failure.code == hub::errc::malformed);
    CHECK(failure.field == "to");
    CHECK(f.ok(f.ledger().report({t0(), t0() + 1h}, t0())).agencies.empty());
}
