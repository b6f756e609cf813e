// Traces against the real lienthongd: who may read them, what they show before and after
// arrival, replies linked to the documents they answer, late replies and recalls (api.md
// GET /v1/envelopes/{id}; ). Each test case starts its own daemon.

#include "hub/core/clock.h"
#include "hub/core/time.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using hub::http::Client;
using it::Draft;
using SteadyClock = std::chrono::steady_clock;

namespace {

// The links of a trace with that code, as "by|ref" strings.
std::vector<std::string> links_of(const v1::Trace& trace, const std::string& code) {
    std::vector<std::string> out;
    for (const auto& link : trace.links()) {
        if (link.code() == code) {
            out.push_back(link.by() + "|" + link.ref());
        }
    }
    return out;
}

// A reply from `from` to `to` answering `document_id`.
v1::SignedEnvelope reply_to(const it::Hub& hub,
                            const std::string& from,
                            const std::string& to,
                            const std::string& document_id) {
    return it::make_envelope(hub, from, {to},
                             [&](Draft& d) { d.header.add_in_reply_to(document_id); });
}

}  // namespace

TEST_CASE("R-12 only the sender and the recipients may read a trace", "[trace]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    Client outsider(hub.agency(c));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto receipt = it::post_accepted(sender, envelope);

    for (Client* reader : {&sender, &recipient}) {
        const auto trace = it::trace_of(*reader, receipt.envelope_id());
        INFO("trace: " << it::to_json(trace));
        CHECK(trace.envelope_id() == receipt.envelope_id());
        CHECK(trace.document_id() == receipt.document_id());
        CHECK(trace.from() == a);
        CHECK(trace.business_type() == v1::NEW);
        CHECK(trace.accepted_at() == receipt.accepted_at());
        REQUIRE(trace.recipients_size() == 1);
        const auto& entry = trace.recipients(0);
        CHECK(entry.code() == b);
        CHECK(entry.route() == v1::LOCAL);
        CHECK(entry.delivery_id() == receipt.recipients(0).delivery_id());
        // Not taken yet: no arrival, no official time, no deadline, nothing overdue.
        CHECK(entry.state() == "PENDING");
        CHECK(entry.arrived_at().empty());
        CHECK(entry.official_received_at().empty());
        CHECK(entry.handling_deadline().empty());
        CHECK_FALSE(entry.overdue());
        CHECK(it::status_events(entry).empty());
    }

    // Others must not learn that it exists: the same answer as for an unknown id.
    CHECK_FAILS_WITH(it::get_trace(outsider, receipt.envelope_id()), 404, "NOT_FOUND");
    CHECK_FAILS_WITH(it::get_trace(sender, it::new_uuid()), 404, "NOT_FOUND");
    CHECK_FAILS_WITH(it::get_trace(outsider, it::new_uuid()), 404, "NOT_FOUND");

    // After the ack the entry has its times.
    it::receive(recipient, receipt.envelope_id());
    const auto& entry = it::recipient_in(it::trace_of(sender, receipt.envelope_id()), b);
    CHECK(entry.state() == "01");
    CHECK(it::is_hub_time(entry.arrived_at()));
    CHECK(it::is_hub_time(entry.official_received_at()));
    CHECK(it::is_hub_time(entry.handling_deadline()));
    CHECK(entry.handling_deadline() > entry.official_received_at());
    CHECK(it::status_events(entry) == std::vector<std::string>{"01"});
    CHECK_FAILS_WITH(it::get_trace(outsider, receipt.envelope_id()), 404, "NOT_FOUND");
}

TEST_CASE("R-14 a reply is accepted and linked to the document it answers", "[trace][reply]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client replier(hub.agency(b));
    const auto original = it::make_envelope(hub, a, {b, c});
    const auto original_doc = it::header_of(original).document_id();
    const auto original_id = it::post_accepted(sender, original).envelope_id();
    it::receive(replier, original_id);

    const auto reply = reply_to(hub, b, a, original_doc);
    const auto reply_doc = it::header_of(reply).document_id();
    const auto reply_receipt = it::post_accepted(replier, reply);

    // The reply reaches A like any envelope and names what it answers.
    const auto item = it::receive(sender, reply_receipt.envelope_id());
    const auto header = it::header_of(item.envelope());
    REQUIRE(header.in_reply_to_size() == 1);
    CHECK(header.in_reply_to(0) == original_doc);

    const auto trace = it::trace_of(sender, original_id);
    INFO("original's trace: " << it::to_json(trace));
    CHECK(it::recipient_in(trace, b).replied_by() == reply_doc);
    CHECK(it::recipient_in(trace, c).replied_by().empty());
    CHECK(links_of(trace, "REPLY") == std::vector<std::string>{b + "|" + reply_doc});
    for (const auto& link : trace.links()) {
        CHECK(it::is_hub_time(link.at()));
    }

    const auto reply_trace = it::trace_of(replier, reply_receipt.envelope_id());
    REQUIRE(reply_trace.in_reply_to_size() == 1);
    CHECK(reply_trace.in_reply_to(0) == original_doc);

    // A reply to a document that never passed through this hub is refused.
    const auto stray = reply_to(hub, b, a, a + ",2026/11/20,99999/UBND-VP");
    const auto refused = it::post(replier, stray);
    CHECK_FAILS_WITH(refused, 422, "REPLY_TARGET_UNKNOWN");
}

TEST_CASE("R-13 a reply requested by a past date is late for those who did not reply in time",
          "[trace][reply]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client rb(hub.agency(b));
    Client rc(hub.agency(c));
    const auto ask = [&](const std::string& due) {
        return it::make_envelope(hub, a, {b, c}, [&](Draft& d) {
            d.header.set_reply_requested(true);
            d.header.set_reply_due(due);
        });
    };

    // Due yesterday: C never replies, B replies now (too late).
    const auto overdue = ask(it::vietnam_date(-1));
    const auto overdue_doc = it::header_of(overdue).document_id();
    const auto overdue_id = it::post_accepted(sender, overdue).envelope_id();
    // Due tomorrow: B replies in time, C has not replied but still has time.
    const auto open = ask(it::vietnam_date(1));
    const auto open_doc = it::header_of(open).document_id();
    const auto open_id = it::post_accepted(sender, open).envelope_id();
    it::collect_envelopes(rb, {overdue_id, open_id});
    it::collect_envelopes(rc, {overdue_id, open_id});
    it::post_accepted(rb, reply_to(hub, b, a, overdue_doc));
    it::post_accepted(rb, reply_to(hub, b, a, open_doc));

    const auto late = it::trace_of(sender, overdue_id);
    INFO("past due: " << it::to_json(late));
    CHECK(late.reply_due() == it::vietnam_date(-1));
    CHECK(it::recipient_in(late, b).reply_late());
    CHECK_FALSE(it::recipient_in(late, b).replied_by().empty());
    CHECK(it::recipient_in(late, c).reply_late());

    const auto in_time = it::trace_of(sender, open_id);
    INFO("due tomorrow: " << it::to_json(in_time));
    CHECK_FALSE(it::recipient_in(in_time, b).reply_late());
    CHECK_FALSE(it::recipient_in(in_time, b).replied_by().empty());
    CHECK_FALSE(it::recipient_in(in_time, c).reply_late());
}

TEST_CASE("R-13 a reply due at an instant turns late for the silent recipient once it passes",
          "[trace][reply]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client rb(hub.agency(b));
    // Due two seconds from now on the hub's clock (the system clock: no override here).
    const auto due = hub::format_instant(hub::SystemClock().now() + std::chrono::seconds(2));
    const auto envelope = it::make_envelope(hub, a, {b, c}, [&](Draft& d) {
        d.header.set_reply_requested(true);
        d.header.set_reply_due(due);
    });
    const auto doc = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(rb, envelope_id);
    it::post_accepted(rb, reply_to(hub, b, a, doc));

    const auto before = it::trace_of(sender, envelope_id);
    INFO("before the due time: " << it::to_json(before));
    CHECK_FALSE(it::recipient_in(before, b).reply_late());

    // Poll the trace until the due time has passed for C (a deadline loop, not a sleep).
    v1::Trace after;
    const auto deadline = SteadyClock::now() + it::kEventually;
    do {
        after = it::trace_of(sender, envelope_id);
        if (it::recipient_in(after, c).reply_late()) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (SteadyClock::now() < deadline);
    INFO("after the due time: " << it::to_json(after));
    CHECK(it::recipient_in(after, c).reply_late());
    CHECK_FALSE(it::recipient_in(after, b).reply_late());
    CHECK(hub::SystemClock().now() >= hub::parse_instant(due).value());
}

TEST_CASE("R-12 a RECALL reaches the recipient like any envelope and is linked to the original",
          "[trace][recall]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto original = it::make_envelope(hub, a, {b});
    const auto original_doc = it::header_of(original).document_id();
    const auto original_id = it::post_accepted(sender, original).envelope_id();
    it::receive(recipient, original_id);

    const std::string reason = "Văn bản ban hành sai thẩm quyền, thu hồi để ban hành lại";
    const auto recall = it::make_envelope(hub, a, {b}, [&](Draft& d) {
        d.header.set_business_type(v1::RECALL);
        d.header.mutable_replaces()->set_document_id(original_doc);
        d.header.mutable_replaces()->set_reason(reason);
    });
    const auto recall_receipt = it::post_accepted(sender, recall);

    const auto item = it::receive(recipient, recall_receipt.envelope_id());
    CHECK(item.from() == a);
    const auto header = it::header_of(item.envelope());
    CHECK(header.business_type() == v1::RECALL);
    CHECK(header.replaces().document_id() == original_doc);
    CHECK(header.replaces().reason() == reason);
    CHECK(item.envelope().header() == recall.header());
    // Taking the recall is an arrival like any other: 01 for it reaches the sender.
    const auto notices = it::collect_statuses(sender, recall_receipt.envelope_id(), 1);
    CHECK(notices.front().status().code() == "01");

    const auto recall_doc = it::header_of(recall).document_id();
    for (Client* reader : {&sender, &recipient}) {
        const auto trace = it::trace_of(*reader, original_id);
        INFO("original's trace: " << it::to_json(trace));
        // api.md lets the link's ref be the recall's envelope id or its document id.
        const auto links = links_of(trace, "RECALL");
        REQUIRE(links.size() == 1);
        CHECK((links[0] == a + "|" + recall_receipt.envelope_id() ||
               links[0] == a + "|" + recall_doc));
    }
    const auto recall_trace = it::trace_of(sender, recall_receipt.envelope_id());
    CHECK(recall_trace.business_type() == v1::RECALL);
    CHECK(recall_trace.replaces() == original_doc);
    CHECK(it::recipient_in(recall_trace, b).state() == "01");
}

TEST_CASE("R-12 a recipient's trace shows its own delivery and the sender's side only",
          "[trace][visibility]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client first(hub.agency(b));
    Client second(hub.agency(c));
    const auto original = it::make_envelope(hub, a, {b, c});
    const auto original_doc = it::header_of(original).document_id();
    const auto id = it::post_accepted(sender, original).envelope_id();
    it::receive(first, id);
    it::receive(second, id);
    const std::string reason = "Sai thể thức, đề nghị ban hành lại";
    it::status_accepted(second, it::status_update(original_doc, a, "02", reason));
    // C answers A: that reply is between the two of them.
    const auto reply = reply_to(hub, c, a, original_doc);
    it::post_accepted(second, reply);
    const auto recall = it::make_envelope(hub, a, {b, c}, [&](Draft& d) {
        d.header.set_business_type(v1::RECALL);
        d.header.mutable_replaces()->set_document_id(original_doc);
        d.header.mutable_replaces()->set_reason("thu hồi");
    });
    it::post_accepted(sender, recall);

    const auto seen_by_b = it::trace_of(first, id);
    INFO("B's trace: " << it::to_json(seen_by_b));
    REQUIRE(seen_by_b.recipients_size() == 1);
    CHECK(seen_by_b.recipients(0).code() == b);
    // Nothing of C's answer reaches B: not its state, not its reason, not its reply.
    CHECK(it::to_json(seen_by_b).find(reason) == std::string::npos);
    CHECK(links_of(seen_by_b, "REPLY").empty());
    CHECK(links_of(seen_by_b, "RECALL").size() == 1);  // the sender's side is B's to see

    const auto seen_by_a = it::trace_of(sender, id);
    INFO("A's trace: " << it::to_json(seen_by_a));
    CHECK(seen_by_a.recipients_size() == 2);
    CHECK(it::recipient_in(seen_by_a, c).state() == "02");
    CHECK(it::to_json(seen_by_a).find(reason) != std::string::npos);
    CHECK(links_of(seen_by_a, "REPLY").size() == 1);
}

TEST_CASE("R-14 a reply to a document the caller was not party to is answered as an unknown one",
          "[trace][reply][visibility]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client outsider(hub.agency(c));
    const auto original = it::make_envelope(hub, a, {b});
    const auto original_doc = it::header_of(original).document_id();
    it::post_accepted(sender, original);

    // C did not take part: whether the document exists must not show in the answer.
    const auto exists = it::post(outsider, reply_to(hub, c, a, original_doc));
    const auto unknown = it::post(outsider, reply_to(hub, c, a, a + ",2026/11/20,99999/UBND-VP"));
    CHECK_FAILS_WITH(exists, 422, "REPLY_TARGET_UNKNOWN");
    CHECK_FAILS_WITH(unknown, 422, "REPLY_TARGET_UNKNOWN");
    CHECK(it::parse_error(exists.body).field() == it::parse_error(unknown.body).field());
}

TEST_CASE("R-12 an agency cannot recall, update or replace another agency's document",
          "[trace][recall][visibility]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client other(hub.agency(c));
    const auto original = it::make_envelope(hub, a, {b, c});
    const auto original_doc = it::header_of(original).document_id();
    const auto id = it::post_accepted(sender, original).envelope_id();
    for (auto type : {v1::RECALL, v1::UPDATE, v1::REPLACE}) {
        const auto forged = it::make_envelope(hub, c, {b}, [&](Draft& d) {
            d.header.set_business_type(type);
            d.header.mutable_replaces()->set_document_id(original_doc);
            d.header.mutable_replaces()->set_reason("không phải của tôi");
        });
        const auto refused = it::post(other, forged);
        CHECK_FAILS_WITH(refused, 422, "REPLY_TARGET_UNKNOWN");
        CHECK(it::parse_error(refused.body).field() == "header.replaces.document_id");
    }
    CHECK(it::trace_of(sender, id).links_size() == 0);
}

TEST_CASE("R-12 two senders using the same envelope id each read their own trace",
          "[trace][visibility]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client first(hub.agency(a));
    Client second(hub.agency(c));
    const std::string shared_id = it::new_uuid();
    const auto mine =
        it::make_envelope(hub, a, {b}, [&](Draft& d) { d.header.set_envelope_id(shared_id); });
    const auto theirs =
        it::make_envelope(hub, c, {b}, [&](Draft& d) { d.header.set_envelope_id(shared_id); });
    it::post_accepted(first, mine);
    it::post_accepted(second, theirs);
    CHECK(it::trace_of(first, shared_id).from() == a);
    CHECK(it::trace_of(second, shared_id).from() == c);
}
