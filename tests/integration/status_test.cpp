// Statuses against the real lienthongd: the 01 the hub sends on ack with its official
// receipt time and handling deadline, the recipient's 02-06, withdrawal requests, the order
// rules, and overdue deliveries (envelope.md "Status codes", "Times",
// Each test case starts its own daemon.
//
// Official times are checked by moving the daemon's clock: the envelope is posted on the
// real clock (so certificates and CRLs are current), then the daemon restarts with
// "clock": {"fixed": ...} and the recipient acks. That clock starts at the instant and runs,
// so arrivals inside business hours are compared against the recorded arrival, and the
// expected strings below were worked out by hand from deploy/calendar/vn.json.

#include "hub/core/time.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <string>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using hub::http::Client;
using namespace std::chrono_literals;

namespace {

struct Arrival {
    v1::StatusNotice notice;       // the 01 as the sender's inbox got it
    v1::TraceRecipient recipient;  // the recipient's entry in the sender's trace
};

// Posts A -> B, restarts the daemon with its clock fixed at `fixed`, lets B take and ack the
// envelope, and returns what A then sees.
Arrival arrive_at(const std::string& fixed) {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    std::string envelope_id;
    {
        Client sender(hub.agency(a));
        envelope_id = it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id();
    }
    it::restart_with_clock(hub, fixed);
    Client recipient(hub.agency(b));
    it::receive(recipient, envelope_id);
    Client sender(hub.agency(a));
    const auto notices = it::collect_statuses(sender, envelope_id, 1);
    Arrival out;
    out.notice = notices.front().status();
    out.recipient = it::recipient_in(it::trace_of(sender, envelope_id), b);

    INFO("01 notice: " << it::to_json(out.notice));
    INFO("trace entry: " << it::to_json(out.recipient));
    CHECK(notices.front().from() == b);
    CHECK(out.notice.code() == "01");
    CHECK(out.notice.from() == b);
    CHECK(out.notice.to() == a);
    CHECK(out.notice.envelope_id() == envelope_id);
    CHECK(it::is_hub_time(out.notice.official_received_at()));
    CHECK(it::is_hub_time(out.notice.handling_deadline()));
    CHECK(it::is_hub_time(out.notice.recorded_at()));
    // The trace and the notice agree, and the arrival is the moved clock's "now".
    CHECK(out.recipient.state() == "01");
    CHECK(out.recipient.official_received_at() == out.notice.official_received_at());
    CHECK(out.recipient.handling_deadline() == out.notice.handling_deadline());
    CHECK(it::is_hub_time(out.recipient.arrived_at()));
    const auto since_fixed = it::between(fixed, out.recipient.arrived_at());
    CHECK(since_fixed >= 0ms);
    CHECK(since_fixed < 60s);
    return out;
}

// Arrival inside business hours: the official time is the arrival itself and the
// deadline lies `to_deadline` of wall time later (R-08, as worked out for that arrival).
void check_inside_hours(const Arrival& arrival, std::chrono::milliseconds to_deadline) {
    INFO("01 notice: " << it::to_json(arrival.notice));
    CHECK(arrival.notice.official_received_at() == arrival.recipient.arrived_at());
    const auto official = hub::parse_instant(arrival.notice.official_received_at());
    REQUIRE(official.has_value());
    CHECK(arrival.notice.handling_deadline() == hub::format_instant(*official + to_deadline));
}

v1::StatusNotice only_status(Client& client, const std::string& envelope_id) {
    return it::collect_statuses(client, envelope_id, 1).front().status();
}

}  // namespace

// --- R-16 official receipt time and R-08 handling deadline, carried by the 01 ------------

TEST_CASE("R-16 R-08 an ack on Friday evening is officially received Monday 07:30",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-11-27T18:00:00+07:00");
    CHECK(arrival.notice.official_received_at() == "2026-11-30T07:30:00.000+07:00");
    CHECK(arrival.notice.handling_deadline() == "2026-11-30T09:30:00.000+07:00");
}

TEST_CASE("R-16 R-08 an ack at lunch is officially received at 13:30 the same day",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-12-02T12:00:00+07:00");  // a Wednesday
    CHECK(arrival.notice.official_received_at() == "2026-12-02T13:30:00.000+07:00");
    CHECK(arrival.notice.handling_deadline() == "2026-12-02T15:30:00.000+07:00");
}

TEST_CASE("R-16 R-08 an ack at 11:30:00 is already outside the morning window",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-12-01T11:30:00+07:00");  // a Tuesday
    CHECK(arrival.notice.official_received_at() == "2026-12-01T13:30:00.000+07:00");
    CHECK(arrival.notice.handling_deadline() == "2026-12-01T15:30:00.000+07:00");
}

TEST_CASE("R-16 R-08 an ack at 17:00:00 moves to the next morning", "[status][official-time]") {
    const auto arrival = arrive_at("2026-12-03T17:00:00+07:00");  // a Thursday
    CHECK(arrival.notice.official_received_at() == "2026-12-04T07:30:00.000+07:00");
    CHECK(arrival.notice.handling_deadline() == "2026-12-04T09:30:00.000+07:00");
}

TEST_CASE("R-16 R-08 an ack before opening is officially received at 07:30",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-11-30T06:00:00+07:00");  // a Monday
    CHECK(arrival.notice.official_received_at() == "2026-11-30T07:30:00.000+07:00");
    CHECK(arrival.notice.handling_deadline() == "2026-11-30T09:30:00.000+07:00");
}

TEST_CASE("R-16 R-08 an ack at 10:30 is official at once and its deadline crosses lunch to 14:30",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-12-02T10:30:00+07:00");  // a Wednesday
    // One business hour to 11:30, lunch, one more from 13:30: four hours of wall time.
    check_inside_hours(arrival, 4h);
    CHECK(arrival.notice.official_received_at().rfind("2026-12-02T10:30:", 0) == 0);
    CHECK(arrival.notice.handling_deadline().rfind("2026-12-02T14:30:", 0) == 0);
}

TEST_CASE("R-16 R-08 an ack at 16:00 has its deadline at 08:30 the next working day",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-12-03T16:00:00+07:00");  // a Thursday
    // One business hour to 17:00, then one from Friday 07:30.
    check_inside_hours(arrival, 16h + 30min);
    CHECK(arrival.notice.handling_deadline().rfind("2026-12-04T08:30:", 0) == 0);
}

TEST_CASE("R-16 R-08 a deadline on Friday afternoon runs over the weekend",
          "[status][official-time]") {
    const auto arrival = arrive_at("2026-12-04T16:30:00+07:00");  // a Friday
    // Half an hour to 17:00, then an hour and a half from Monday 07:30.
    check_inside_hours(arrival, 48h + 16h + 30min);
    CHECK(arrival.notice.handling_deadline().rfind("2026-12-07T09:00:", 0) == 0);
}

TEST_CASE("R-16 R-08 a public holiday is skipped: New Year's Day 2027",
          "[status][official-time][holiday]") {
    // Thursday 31 Dec 2026 evening; Friday 1 Jan 2027 is Tết Dương lịch, then a weekend.
    const auto arrival = arrive_at("2026-12-31T17:30:00+07:00");
    CHECK(arrival.notice.official_received_at() == "2027-01-04T07:30:00.000+07:00");
    CHECK(arrival.notice.handling_deadline() == "2027-01-04T09:30:00.000+07:00");
}

TEST_CASE("R-08 a deadline that would fall on a public holiday moves past it",
          "[status][official-time][holiday]") {
    // Thursday 31 Dec 2026 16:00: one hour that day, the second on Monday 4 Jan 2027.
    const auto arrival = arrive_at("2026-12-31T16:00:00+07:00");
    check_inside_hours(arrival, 3 * 24h + 16h + 30min);
    CHECK(arrival.notice.handling_deadline().rfind("2027-01-04T08:30:", 0) == 0);
}

// --- R-12 the status flow from recipient to sender ---------------------------------------

TEST_CASE("R-12 statuses 01 03 04 05 06 reach the sender in order and end in the trace",
          "[status][flow]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto document_id = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);

    const std::vector<std::string> steps{"03", "04", "05", "06"};
    for (const auto& code : steps) {
        auto update = it::status_update(document_id, a, code, "Bước " + code);
        const auto receipt = it::status_accepted(recipient, update);
        CHECK(receipt.code() == code);
        CHECK(receipt.document_id() == document_id);
        CHECK(receipt.envelope_id() == envelope_id);
        CHECK(receipt.status_id().rfind("s-", 0) == 0);
        CHECK(it::is_hub_time(receipt.recorded_at()));
        CHECK(receipt.route() == v1::LOCAL);
    }

    const auto items = it::collect_statuses(sender, envelope_id, 5);
    std::vector<std::string> codes;
    for (const auto& item : items) {
        INFO("item: " << it::to_json(item));
        codes.push_back(item.status().code());
        CHECK(item.delivery_id().rfind("s-", 0) == 0);
        CHECK(item.from() == b);
        CHECK(item.envelope_id() == envelope_id);
        CHECK(item.status().from() == b);
        CHECK(item.status().to() == a);
        CHECK(item.status().document_id() == document_id);
        CHECK(it::is_hub_time(item.status().recorded_at()));
        if (item.status().code() != "01") {
            CHECK(item.status().description() == "Bước " + item.status().code());
            CHECK(item.status().staff().name() == "Trần Thị Thử");
        }
    }
    CHECK(codes == std::vector<std::string>{"01", "03", "04", "05", "06"});

    for (Client* reader : {&sender, &recipient}) {
        const auto trace = it::trace_of(*reader, envelope_id);
        INFO("trace: " << it::to_json(trace));
        CHECK(trace.document_id() == document_id);
        CHECK(trace.from() == a);
        const auto& entry = it::recipient_in(trace, b);
        CHECK(entry.state() == "06");
        CHECK(it::status_events(entry) == std::vector<std::string>{"01", "03", "04", "05", "06"});
        std::string previous;
        for (const auto& event : entry.events()) {
            CHECK(it::is_hub_time(event.at()));
            CHECK(event.at() >= previous);  // same offset and shape: text order is time order
            CHECK_FALSE(event.by().empty());
            previous = event.at();
        }
        CHECK_FALSE(entry.overdue());
    }
}

TEST_CASE("R-07 a rejection with its reason reaches the sender and ends the trace",
          "[status][flow]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto document_id = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);
    CHECK(only_status(sender, envelope_id).code() == "01");

    const std::string reason = "Văn bản không đúng thẩm quyền giải quyết của Sở";
    const auto receipt =
        it::status_accepted(recipient, it::status_update(document_id, a, "02", reason));
    CHECK(receipt.code() == "02");
    CHECK(receipt.envelope_id() == envelope_id);

    const auto notice = only_status(sender, envelope_id);
    CHECK(notice.code() == "02");
    CHECK(notice.description() == reason);
    CHECK(notice.from() == b);
    CHECK(notice.document_id() == document_id);

    const auto trace = it::trace_of(sender, envelope_id);
    const auto& entry = it::recipient_in(trace, b);
    CHECK(entry.state() == "02");
    CHECK(it::status_events(entry) == std::vector<std::string>{"01", "02"});
    bool reason_shown = false;
    for (const auto& event : entry.events()) {
        reason_shown = reason_shown || (event.code() == "02" && event.description() == reason);
    }
    CHECK(reason_shown);
}

TEST_CASE("R-12 a withdrawal request (13) is answered by 15 or 16 and each reaches the other party",
          "[status][flow][withdrawal]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto document_id = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);
    CHECK(only_status(sender, envelope_id).code() == "01");
    it::status_accepted(recipient, it::status_update(document_id, a, "03"));
    CHECK(only_status(sender, envelope_id).code() == "03");

    // The sender asks for it back; the recipient hears it.
    const auto asked =
        it::status_accepted(sender, it::status_update(document_id, b, "13", "Gửi nhầm nơi nhận"));
    CHECK(asked.code() == "13");
    const auto request = only_status(recipient, envelope_id);
    CHECK(request.code() == "13");
    CHECK(request.from() == a);
    CHECK(request.to() == b);
    CHECK(request.description() == "Gửi nhầm nơi nhận");

    // A second request while the first is open is out of order.
    CHECK_FAILS_WITH(it::post_status(sender, it::status_update(document_id, b, "13", "Lần nữa")),
                     422, "INVALID_STATUS");

    it::status_accepted(recipient, it::status_update(document_id, a, "16", "Đã xử lý xong"));
    CHECK(only_status(sender, envelope_id).code() == "16");
    // Answered: a second answer has nothing to answer.
    CHECK_FAILS_WITH(it::post_status(recipient, it::status_update(document_id, a, "15")), 422,
                     "INVALID_STATUS");

    it::status_accepted(sender, it::status_update(document_id, b, "13", "Đề nghị lần hai"));
    CHECK(only_status(recipient, envelope_id).code() == "13");
    it::status_accepted(recipient, it::status_update(document_id, a, "15"));
    CHECK(only_status(sender, envelope_id).code() == "15");

    const auto& entry = it::recipient_in(it::trace_of(sender, envelope_id), b);
    CHECK(it::status_events(entry) == std::vector<std::string>{"01", "03", "13", "16", "13", "15"});
}

// --- order rules -------------------------------------------------------------------------

TEST_CASE("R-12 statuses out of order are refused with INVALID_STATUS", "[status][order]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    Client outsider(hub.agency(c));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto doc = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    auto refused = [&](Client& client, const v1::StatusUpdate& update, unsigned status,
                       const char* code) {
        INFO("POST /v1/status " << it::to_json(update));
        CHECK_FAILS_WITH(it::post_status(client, update), status, code);
    };

    // Not arrived yet: nothing but the ack can start the flow.
    refused(recipient, it::status_update(doc, a, "03"), 422, "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "02", "Sai thể thức"), 422, "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "04"), 422, "INVALID_STATUS");

    it::receive(recipient, envelope_id);
    // 04 and 06 need 03 first; 15 and 16 need an open 13; unknown codes.
    refused(recipient, it::status_update(doc, a, "04"), 422, "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "06"), 422, "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "99"), 422, "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "15"), 422, "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "16"), 422, "INVALID_STATUS");
    // A reason is required for a rejection.
    refused(recipient, it::status_update(doc, a, "02"), 422, "REASON_REQUIRED");

    it::status_accepted(recipient, it::status_update(doc, a, "03"));
    refused(recipient, it::status_update(doc, a, "02", "Quá muộn để từ chối"), 422,
            "INVALID_STATUS");
    refused(recipient, it::status_update(doc, a, "03"), 422, "INVALID_STATUS");
    it::status_accepted(recipient, it::status_update(doc, a, "04"));
    it::status_accepted(recipient, it::status_update(doc, a, "06"));
    refused(recipient, it::status_update(doc, a, "05"), 422, "INVALID_STATUS");

    // Someone who never received the document, and a document nobody sent.
    refused(outsider, it::status_update(doc, a, "03"), 404, "NOT_FOUND");
    refused(recipient, it::status_update(a + ",2026/11/20,99999/UBND-VP", a, "03"), 404,
            "NOT_FOUND");

    // Nothing refused reached the sender: exactly the accepted flow did.
    const auto items = it::collect_statuses(sender, envelope_id, 4);
    std::vector<std::string> codes;
    for (const auto& item : items) {
        codes.push_back(item.status().code());
    }
    CHECK(codes == std::vector<std::string>{"01", "03", "04", "06"});
    CHECK(it::poll(sender, 100, 1).items_size() == 0);
    CHECK(it::status_events(it::recipient_in(it::trace_of(sender, envelope_id), b)) == codes);
}

TEST_CASE("R-12 a status code sent by the wrong party is INVALID_STATUS", "[status][order]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto doc = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);
    auto refused = [&](Client& client, const v1::StatusUpdate& update) {
        INFO("POST /v1/status " << it::to_json(update));
        CHECK_FAILS_WITH(it::post_status(client, update), 422, "INVALID_STATUS");
    };

    // The document is known to both parties; the code is just not theirs to send.
    refused(recipient, it::status_update(doc, a, "01"));  // only the hub reports arrival
    refused(recipient, it::status_update(doc, a, "13", "Bên nhận không gửi 13"));
    refused(sender, it::status_update(doc, b, "03"));
    refused(sender, it::status_update(doc, b, "02", "Bên gửi không từ chối"));
    refused(sender, it::status_update(doc, b, "06"));

    // None of them reached anyone: the sender has only the 01, the recipient nothing.
    CHECK(it::collect_statuses(sender, envelope_id, 1).front().status().code() == "01");
    CHECK(it::poll(sender, 100, 1).items_size() == 0);
    CHECK(it::poll(recipient, 100, 0).items_size() == 0);
}

TEST_CASE("R-07 02 is final: nothing follows a rejection", "[status][order]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto doc = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);
    it::status_accepted(recipient, it::status_update(doc, a, "02", "Thiếu chữ ký số"));

    for (const char* code : {"02", "03", "04", "05", "06", "15", "16"}) {
        INFO("recipient sends " << code << " after 02");
        CHECK_FAILS_WITH(
            it::post_status(recipient, it::status_update(doc, a, code, "Sau khi từ chối")), 422,
            "INVALID_STATUS");
    }
    INFO("sender sends 13 after 02");
    CHECK_FAILS_WITH(it::post_status(sender, it::status_update(doc, b, "13", "Sau khi bị từ chối")),
                     422, "INVALID_STATUS");
    CHECK(it::recipient_in(it::trace_of(sender, envelope_id), b).state() == "02");
}

TEST_CASE("R-12 a withdrawal request needs a reason", "[status][order][withdrawal]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto doc = it::header_of(envelope).document_id();
    it::receive(recipient, it::post_accepted(sender, envelope).envelope_id());
    CHECK_FAILS_WITH(it::post_status(sender, it::status_update(doc, b, "13")), 422,
                     "REASON_REQUIRED");
}

// --- R-08 overdue deliveries -------------------------------------------------------------

TEST_CASE(
    "R-08 a delivery without 02 or 03 by its deadline is overdue in the trace and on "
    "/status.json and /metrics",
    "[status][overdue]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    std::string envelope_id;
    std::string doc;
    {
        Client sender(hub.agency(a));
        const auto envelope = it::make_envelope(hub, a, {b, c});
        doc = it::header_of(envelope).document_id();
        envelope_id = it::post_accepted(sender, envelope).envelope_id();
    }
    // Monday 09:00: both take it, the deadline is 11:00; C accepts in time, B says nothing.
    it::restart_with_clock(hub, "2026-11-30T09:00:00+07:00");
    std::string b_delivery;
    std::string c_delivery;
    {
        Client rb(hub.agency(b));
        Client rc(hub.agency(c));
        b_delivery = it::receive(rb, envelope_id).delivery_id();
        c_delivery = it::receive(rc, envelope_id).delivery_id();
        it::status_accepted(rc, it::status_update(doc, a, "03"));
        Client sender(hub.agency(a));
        const auto trace = it::trace_of(sender, envelope_id);
        INFO("trace before the deadline: " << it::to_json(trace));
        CHECK(it::recipient_in(trace, b).handling_deadline().rfind("2026-11-30T11:00:", 0) == 0);
        CHECK_FALSE(it::recipient_in(trace, b).overdue());
        CHECK_FALSE(it::recipient_in(trace, c).overdue());
        const auto status = it::status_json(hub);
        INFO("/status.json: " << boost::json::serialize(status));
        REQUIRE(status.contains("overdue"));
        for (const auto& entry : status.at("overdue").as_array()) {
            CHECK(entry.as_object().at("delivery_id").as_string() != b_delivery);
        }
    }

    // Monday 13:00: B's deadline has passed.
    it::restart_with_clock(hub, "2026-11-30T13:00:00+07:00");
    Client sender(hub.agency(a));
    const auto trace = it::trace_of(sender, envelope_id);
    INFO("trace after the deadline: " << it::to_json(trace));
    CHECK(it::recipient_in(trace, b).overdue());
    CHECK_FALSE(it::recipient_in(trace, c).overdue());

    const auto status = it::status_json(hub);
    INFO("/status.json: " << boost::json::serialize(status));
    REQUIRE(status.contains("overdue"));
    REQUIRE(status.at("overdue").is_array());
    bool b_listed = false;
    for (const auto& value : status.at("overdue").as_array()) {
        const auto& entry = value.as_object();
        CHECK(entry.at("delivery_id").as_string() != c_delivery);
        if (entry.at("delivery_id").as_string() == b_delivery) {
            b_listed = true;
            const std::string deadline(entry.at("handling_deadline").as_string());
            CHECK(deadline.rfind("2026-11-30T11:00:", 0) == 0);
            CHECK(it::is_hub_time(deadline));
        }
    }
    CHECK(b_listed);

    Client op(hub.operator_client());
    const auto metrics = it::get(op, "/metrics");
    REQUIRE(metrics.status == 200);
    INFO("/metrics: " << metrics.body);
    CHECK(metrics.body.find("lienthong_overdue_deliveries 1\n") != std::string::npos);
}

TEST_CASE("R-12 a retried status with the same content is 200 with the first receipt",
          "[status][idempotent]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto document_id = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);

    const auto update = it::status_update(document_id, a, "03", "Tiếp nhận");
    const auto first = it::status_accepted(recipient, update);
    // The answer was lost; the agency sends the very same report again.
    const auto again = it::post_status(recipient, update);
    INFO("retry: HTTP " << again.status << " " << again.body);
    REQUIRE(again.status == 200);
    v1::StatusReceipt receipt;
    REQUIRE(google::protobuf::util::JsonStringToMessage(again.body, &receipt).ok());
    CHECK(receipt.status_id() == first.status_id());
    CHECK(receipt.recorded_at() == first.recorded_at());
    // Recorded once, told once.
    const auto trace = it::trace_of(sender, envelope_id);
    CHECK(it::status_events(it::recipient_in(trace, b)) == std::vector<std::string>{"01", "03"});
    CHECK(it::collect_statuses(sender, envelope_id, 2).size() == 2);
    CHECK(it::poll(sender, 100, 1).items_size() == 0);
    // Another report with other content is a new one (and here out of order).
    const auto other = it::post_status(recipient, it::status_update(document_id, a, "03", "Lại"));
    CHECK_FAILS_WITH(other, 422, "INVALID_STATUS");
}

TEST_CASE("R-12 a status description over the configured size is refused", "[status][limits]") {
    it::Hub hub(it::with_config(boost::json::object{
        {"limits", boost::json::object{{"status_description_max_bytes", 200}}}}));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto document_id = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);
    const auto long_text = std::string(201, 'x');
    const auto refused =
        it::post_status(recipient, it::status_update(document_id, a, "02", long_text));
    CHECK_FAILS_WITH(refused, 400, "MALFORMED");
    CHECK(it::parse_error(refused.body).field() == "description");
    CHECK(it::status_events(it::recipient_in(it::trace_of(sender, envelope_id), b)) ==
          std::vector<std::string>{"01"});
    it::status_accepted(recipient, it::status_update(document_id, a, "02", std::string(200, 'y')));
}

TEST_CASE("R-12 progress reports (04, 05) on one delivery are bounded", "[status][limits]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    const auto envelope = it::make_envelope(hub, a, {b});
    const auto document_id = it::header_of(envelope).document_id();
    const auto envelope_id = it::post_accepted(sender, envelope).envelope_id();
    it::receive(recipient, envelope_id);
    it::status_accepted(recipient, it::status_update(document_id, a, "03"));
    constexpr int kProgressReports = 50;  // hub::kMaxProgressReports (hub/routing)
    for (int i = 0; i < kProgressReports; ++i) {
        it::status_accepted(recipient, it::status_update(document_id, a, i % 2 ? "05" : "04",
                                                         "bước " + std::to_string(i)));
    }
    const auto refused =
        it::post_status(recipient, it::status_update(document_id, a, "05", "thêm một lần"));
    CHECK_FAILS_WITH(refused, 422, "INVALID_STATUS");
    // Done (06) is still possible.
    it::status_accepted(recipient, it::status_update(document_id, a, "06"));
}
