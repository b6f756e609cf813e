// The delivery loop against the real lienthongd: inbox, ack, at-least-once offers, order per
// recipient, long polls, durability across restarts and the hub's clock (api.md "Agency
// endpoints", "Guarantees"; R-11, R-12, R-17). Each test case starts its own daemon.

#include "hub/core/clock.h"
#include "hub/core/time.h"

#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using hub::http::Client;
using SteadyClock = std::chrono::steady_clock;

TEST_CASE("R-11 an envelope to three recipients reaches each inbox exactly once", "[delivery]") {
    it::HubOptions options;
    options.agencies = 4;
    it::Hub hub(options);
    const std::string a = hub.code(0);
    const std::vector<std::string> recipients{hub.code(1), hub.code(2), hub.code(3)};
    Client sender(hub.agency(a));
    const auto envelope = it::make_envelope(hub, a, recipients);
    const auto receipt = it::post_accepted(sender, envelope);
    REQUIRE(receipt.recipients_size() == 3);

    for (int i = 0; i < 3; ++i) {
        const std::string& code = recipients[static_cast<std::size_t>(i)];
        INFO("recipient " << code);
        Client client(hub.agency(code));
        const auto batch = it::poll(client, 100, 5);
        REQUIRE(batch.items_size() == 1);
        const auto& item = batch.items(0);
        CHECK(item.delivery_id().rfind("d-", 0) == 0);
        CHECK(item.delivery_id() == receipt.recipients(i).delivery_id());
        CHECK(item.attempt() == 1);
        CHECK(item.envelope_id() == receipt.envelope_id());
        CHECK(item.from() == a);
        CHECK(it::is_hub_time(item.enqueued_at()));
        REQUIRE(item.has_envelope());
        // What the recipient gets is what the sender signed, byte for byte.
        CHECK(item.envelope().header() == envelope.header());
        CHECK(item.envelope().signature() == envelope.signature());
        REQUIRE(item.envelope().attachments_size() == envelope.attachments_size());
        CHECK(item.envelope().attachments(0).content() == envelope.attachments(0).content());

        const auto acked = it::ack(client, item.delivery_id());
        INFO("ack: HTTP " << acked.status << " " << acked.body);
        CHECK(acked.status == 204);
        CHECK(it::poll(client, 100, 0).items_size() == 0);
    }

    // The sender hears 01 once per recipient.
    const auto notices = it::collect_statuses(sender, receipt.envelope_id(), 3);
    std::set<std::string> reporters;
    for (const auto& notice : notices) {
        CHECK(notice.delivery_id().rfind("s-", 0) == 0);
        CHECK(notice.status().code() == "01");
        reporters.insert(notice.status().from());
    }
    CHECK(reporters == std::set<std::string>(recipients.begin(), recipients.end()));
    CHECK(it::poll(sender, 100, 1).items_size() == 0);
}

TEST_CASE("R-12 a recipient's inbox returns envelopes in the order the hub accepted them",
          "[delivery][order]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    std::vector<std::string> posted;
    for (int i = 0; i < 5; ++i) {
        posted.push_back(it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id());
    }

    Client recipient(hub.agency(b));
    // On a broker the relay may still be publishing the last ones when the first poll
    // answers: the order holds across polls, whatever their sizes.
    const auto items = it::collect(recipient, posted.size(),
                                   [](const v1::InboxItem& item) { return item.has_envelope(); });
    std::vector<std::string> offered;
    for (const auto& item : items) {
        offered.push_back(item.envelope_id());
    }
    CHECK(offered == posted);
    CHECK(it::poll(recipient, 100, 0).items_size() == 0);
}

TEST_CASE("R-12 one item per poll still comes in posting order", "[delivery][order]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    std::vector<std::string> posted;
    for (int i = 0; i < 5; ++i) {
        posted.push_back(it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id());
    }
    Client recipient(hub.agency(b));
    std::vector<std::string> taken;
    for (int i = 0; i < 5; ++i) {
        const auto batch = it::poll(recipient, 1, 5);
        REQUIRE(batch.items_size() == 1);
        taken.push_back(batch.items(0).envelope_id());
        CHECK(it::ack(recipient, batch.items(0).delivery_id()).status == 204);
    }
    CHECK(taken == posted);
    CHECK(it::poll(recipient, 100, 0).items_size() == 0);
}

TEST_CASE("R-11 a poll answers the items whose bytes fit and the next poll has the rest at once",
          "[delivery][inbox]") {
    // One byte: every answer holds its first item only (at least one always comes).
    it::Hub hub(it::with_config(
        boost::json::object{{"limits", boost::json::object{{"inbox_max_bytes", 1}}}}));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    std::vector<std::string> posted;
    for (int i = 0; i < 3; ++i) {
        posted.push_back(it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id());
    }
    Client recipient(hub.agency(b));
    std::vector<std::string> taken;
    for (std::size_t i = 0; i < posted.size(); ++i) {
        // Nothing is acked: what a full answer left out must not be hidden for the
        // visibility timeout, nor count as offered.
        const auto batch = it::poll(recipient, 100, 5);
        REQUIRE(batch.items_size() == 1);
        CHECK(batch.items(0).attempt() == 1);
        taken.push_back(batch.items(0).envelope_id());
    }
    CHECK(taken == posted);
}

TEST_CASE("At-least-once: an unacked item is offered again after the visibility timeout",
          "[delivery]") {
    boost::json::object overrides{{"queue", boost::json::object{{"visibility_timeout_ms", 500}}}};
    it::Hub hub(it::with_config(overrides));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client sender(hub.agency(a));
    const auto receipt = it::post_accepted(sender, it::make_envelope(hub, a, {b}));

    Client recipient(hub.agency(b));
    const auto offered_before = SteadyClock::now();
    const auto first = it::poll(recipient, 10, 5);
    REQUIRE(first.items_size() == 1);
    CHECK(first.items(0).attempt() == 1);
    const std::string delivery_id = first.items(0).delivery_id();

    // Not acked: it must come back with attempt 2, and not before the timeout.
    std::optional<v1::InboxItem> again;
    const auto deadline = SteadyClock::now() + it::kEventually;
    while (!again && SteadyClock::now() < deadline) {
        const auto batch = it::poll(recipient, 10, 1);
        for (const auto& item : batch.items()) {
            CHECK(item.delivery_id() == delivery_id);
            again = item;
        }
    }
    const auto offered_again = SteadyClock::now();
    REQUIRE(again.has_value());
    CHECK(again->attempt() == 2);
    CHECK(again->envelope_id() == receipt.envelope_id());
    CHECK(offered_again - offered_before >= std::chrono::milliseconds(500));

    // Acked now: gone for good, and the sender hears 01 once.
    CHECK(it::ack(recipient, delivery_id).status == 204);
    const auto until = SteadyClock::now() + std::chrono::milliseconds(1500);
    while (SteadyClock::now() < until) {
        CHECK(it::poll(recipient, 10, 1).items_size() == 0);
    }
    CHECK(it::collect_statuses(sender, receipt.envelope_id(), 1).front().status().code() == "01");
    CHECK(it::poll(sender, 10, 1).items_size() == 0);
}

TEST_CASE("Ack is idempotent and only for the caller's own deliveries", "[delivery][ack]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    Client other(hub.agency(c));
    const auto receipt = it::post_accepted(sender, it::make_envelope(hub, a, {b}));
    const std::string delivery_id = receipt.recipients(0).delivery_id();
    REQUIRE(delivery_id.rfind("d-", 0) == 0);

    SECTION("another agency cannot ack it, and its attempt changes nothing") {
        CHECK_FAILS_WITH(it::ack(other, delivery_id), 404, "NOT_FOUND");
        CHECK(it::poll(sender, 10, 1).items_size() == 0);  // no 01 was sent
        const auto batch = it::poll(recipient, 10, 5);
        REQUIRE(batch.items_size() == 1);
        CHECK(batch.items(0).delivery_id() == delivery_id);
        CHECK(it::poll(other, 10, 0).items_size() == 0);
    }
    SECTION("acking twice answers 204 both times and sends 01 once") {
        REQUIRE(it::poll(recipient, 10, 5).items_size() == 1);
        const auto first = it::ack(recipient, delivery_id);
        const auto second = it::ack(recipient, delivery_id);
        INFO("first: HTTP " << first.status << " " << first.body);
        INFO("second: HTTP " << second.status << " " << second.body);
        CHECK(first.status == 204);
        CHECK(second.status == 204);
        CHECK(first.body.empty());
        const auto notices = it::collect_statuses(sender, receipt.envelope_id(), 1);
        CHECK(notices.front().status().code() == "01");
        // The notice was acked by collect(); acking it again is fine too.
        CHECK(it::ack(sender, notices.front().delivery_id()).status == 204);
        CHECK(it::poll(sender, 10, 1).items_size() == 0);
        CHECK(it::poll(recipient, 10, 0).items_size() == 0);
    }
    SECTION("a status notice cannot be acked by anyone but its addressee") {
        REQUIRE(it::poll(recipient, 10, 5).items_size() == 1);
        REQUIRE(it::ack(recipient, delivery_id).status == 204);
        const auto notices = it::collect_statuses(sender, receipt.envelope_id(), 1, false);
        const std::string notice_id = notices.front().delivery_id();
        REQUIRE(notice_id.rfind("s-", 0) == 0);
        CHECK_FAILS_WITH(it::ack(other, notice_id), 404, "NOT_FOUND");
        CHECK_FAILS_WITH(it::ack(recipient, notice_id), 404, "NOT_FOUND");
        CHECK(it::ack(sender, notice_id).status == 204);
    }
    SECTION("unknown ids are 404 NOT_FOUND") {
        CHECK_FAILS_WITH(it::ack(recipient, "d-00000000000000000000"), 404, "NOT_FOUND");
        CHECK_FAILS_WITH(it::ack(recipient, "s-00000000000000000000"), 404, "NOT_FOUND");
        CHECK_FAILS_WITH(it::ack(recipient, "no-such-delivery"), 404, "NOT_FOUND");
    }
}

TEST_CASE("A long poll returns as soon as an envelope arrives", "[delivery][longpoll]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    Client recipient(hub.agency(b));
    Client sender(hub.agency(a));
    // Both connections (TLS handshakes) before the clock starts.
    REQUIRE(recipient.connect().has_value());
    REQUIRE(sender.connect().has_value());
    const auto envelope = it::make_envelope(hub, a, {b});

    const auto poll_started = hub::SystemClock().now();
    const auto started = SteadyClock::now();
    // The sender posts while the recipient's poll waits; the pause only places the post
    // inside the wait, and the assertions below hold whatever the timing.
    auto posted = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return it::post(sender, envelope);
    });
    const auto batch = it::poll(recipient, 10, 10);
    const auto waited = SteadyClock::now() - started;
    const auto post_response = posted.get();
    INFO("post: HTTP " << post_response.status << " " << post_response.body);
    REQUIRE(post_response.status == 202);
    const auto receipt = it::parse_receipt(post_response.body);

    REQUIRE(batch.items_size() == 1);
    CHECK(batch.items(0).envelope_id() == receipt.envelope_id());
    CHECK(waited < std::chrono::seconds(5));
    // The envelope was accepted after the poll began: the poll was woken, not lucky.
    const auto accepted_at = hub::parse_instant(receipt.accepted_at());
    REQUIRE(accepted_at.has_value());
    CHECK(*accepted_at >= poll_started - std::chrono::milliseconds(5));
}

TEST_CASE("A long poll on an empty inbox waits about `wait` seconds and answers empty",
          "[delivery][longpoll]") {
    it::Hub hub;
    Client recipient(hub.agency(hub.code(1)));
    REQUIRE(recipient.connect().has_value());
    const auto started = SteadyClock::now();
    CHECK(it::poll(recipient, 10, 1).items_size() == 0);
    const auto waited = SteadyClock::now() - started;
    CHECK(waited >= std::chrono::milliseconds(900));
    CHECK(waited < std::chrono::seconds(5));
}

TEST_CASE("R-23 a restart between post and ack loses nothing and duplicates nothing",
          "[delivery][durability]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    std::string envelope_id;
    std::string delivery_id;
    {
        Client sender(hub.agency(a));
        const auto receipt = it::post_accepted(sender, it::make_envelope(hub, a, {b}));
        envelope_id = receipt.envelope_id();
        delivery_id = receipt.recipients(0).delivery_id();
    }
    hub.kill9();  // a crash right after the 202
    hub.restart();
    {
        Client recipient(hub.agency(b));
        const auto batch = it::poll(recipient, 10, 5);
        REQUIRE(batch.items_size() == 1);
        CHECK(batch.items(0).envelope_id() == envelope_id);
        CHECK(batch.items(0).delivery_id() == delivery_id);
        CHECK(it::ack(recipient, delivery_id).status == 204);
    }
    hub.kill9();  // a crash right after the ack's 204
    hub.restart();
    std::string notice_id;
    {
        Client sender(hub.agency(a));
        const auto notices = it::collect_statuses(sender, envelope_id, 1, false);
        CHECK(notices.front().status().code() == "01");
        notice_id = notices.front().delivery_id();
        Client recipient(hub.agency(b));
        CHECK(it::poll(recipient, 10, 1).items_size() == 0);
        // The recipient's system acks again after the crash (it could not know): no new 01.
        CHECK(it::ack(recipient, delivery_id).status == 204);
        CHECK(it::ack(sender, notice_id).status == 204);
        CHECK(it::poll(sender, 10, 1).items_size() == 0);
    }
    REQUIRE(hub.stop() == 0);  // a clean stop
    hub.restart();
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    CHECK(it::poll(sender, 10, 1).items_size() == 0);
    CHECK(it::poll(recipient, 10, 0).items_size() == 0);
    // The trace still holds exactly one arrival.
    const auto trace = it::trace_of(sender, envelope_id);
    CHECK(it::status_events(it::recipient_in(trace, b)) == std::vector<std::string>{"01"});
}

TEST_CASE("R-23 an offered but unacked item survives a clean restart", "[delivery][durability]") {
    boost::json::object overrides{{"queue", boost::json::object{{"visibility_timeout_ms", 500}}}};
    it::Hub hub(it::with_config(overrides));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    std::string envelope_id;
    {
        Client sender(hub.agency(a));
        envelope_id = it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id();
        Client recipient(hub.agency(b));
        REQUIRE(it::poll(recipient, 10, 5).items_size() == 1);  // taken, never acked
    }
    REQUIRE(hub.stop() == 0);
    hub.restart();
    Client recipient(hub.agency(b));
    const auto items = it::collect_envelopes(recipient, {envelope_id});
    CHECK(items.front().attempt() >= 2);
}

TEST_CASE("R-17 GET /v1/time answers the hub's clock with milliseconds and +07:00",
          "[delivery][time]") {
    it::Hub hub;
    Client client(hub.agency(hub.code(1)));
    const auto before = hub::SystemClock().now();
    const auto response = it::get(client, "/v1/time");
    const auto after = hub::SystemClock().now();
    INFO("HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == 200);
    CHECK(response.header("content-type").find("application/json") == 0);
    v1::TimeNow now;
    google::protobuf::util::JsonParseOptions strict;
    REQUIRE(google::protobuf::util::JsonStringToMessage(response.body, &now, strict).ok());
    CHECK(it::is_hub_time(now.now()));
    const auto at = hub::parse_instant(now.now());
    REQUIRE(at.has_value());
    CHECK(*at >= before - std::chrono::seconds(1));
    CHECK(*at <= after + std::chrono::seconds(1));
}

TEST_CASE("R-17 GET /v1/time follows a shifted hub clock", "[delivery][time]") {
    boost::json::object overrides{
        {"clock", boost::json::object{{"fixed", "2026-11-27T18:00:00+07:00"}}}};
    it::Hub hub(it::with_config(overrides));
    Client client(hub.agency(hub.code(1)));
    const auto response = it::get(client, "/v1/time");
    INFO("HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == 200);
    v1::TimeNow now;
    REQUIRE(google::protobuf::util::JsonStringToMessage(response.body, &now).ok());
    CHECK(it::is_hub_time(now.now()));
    // The clock started at 18:00 and runs; the daemon started well within a minute.
    CHECK(now.now().rfind("2026-11-27T18:0", 0) == 0);
    const auto since = it::between("2026-11-27T18:00:00.000+07:00", now.now());
    CHECK(since >= std::chrono::milliseconds(0));
    CHECK(since < std::chrono::seconds(60));
}
