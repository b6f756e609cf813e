// POST /v1/inbox/ack against the real lienthongd: several items taken in one request and one
// ledger transaction, all or none (api.md "Agency endpoints"; ).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using boost::beast::http::verb;
using hub::http::Client;

namespace {

hub::http::ClientResponse ack_list(Client& client, const std::vector<std::string>& ids) {
    v1::AckRequest request;
    for (const auto& id : ids) {
        request.add_delivery_ids(id);
    }
    return it::send(client, verb::post, "/v1/inbox/ack", it::to_json(request), it::kJson);
}

std::vector<std::string> ids_of(const std::vector<v1::InboxItem>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        out.push_back(item.delivery_id());
    }
    return out;
}

// A short visibility timeout: an item that was not acked is offered again within the waits
// below, so "nothing offered" means "acked".
it::HubOptions short_visibility() {
    return it::with_config({{"queue", {{"visibility_timeout_ms", 500}}}});
}

}  // namespace

TEST_CASE("R-16 one request acks a list of items, the same list again is fine", "[delivery][ack]") {
    it::Hub hub(short_visibility());
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    std::vector<std::string> envelope_ids;
    {
        Client sender(hub.agency(a));
        for (int i = 0; i < 3; ++i) {
            envelope_ids.push_back(
                it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id());
        }
    }
    Client recipient(hub.agency(b));
    const auto offered = it::collect(
        recipient, 3, [](const v1::InboxItem& item) { return item.has_envelope(); }, false);
    REQUIRE(offered.size() == 3);
    const auto ids = ids_of(offered);
    const auto acked = ack_list(recipient, ids);
    INFO("HTTP " << acked.status << " " << acked.body);
    CHECK(acked.status == 204);
    CHECK(ack_list(recipient, ids).status == 204);
    CHECK(it::poll(recipient, 100, 2).items_size() == 0);

    // Each sender hears of each arrival once; its notices are acked as a list too.
    Client sender(hub.agency(a));
    std::vector<v1::InboxItem> notices;
    for (const auto& envelope_id : envelope_ids) {
        const auto items = it::collect_statuses(sender, envelope_id, 1, false);
        CHECK(items.front().status().code() == "01");
        notices.push_back(items.front());
        CHECK(it::recipient_in(it::trace_of(sender, envelope_id), b).state() == "01");
    }
    CHECK(ack_list(sender, ids_of(notices)).status == 204);
    CHECK(it::poll(sender, 100, 2).items_size() == 0);
}

TEST_CASE("R-04 a list of acks that names another agency's item is refused whole",
          "[delivery][ack]") {
    it::HubOptions options = short_visibility();
    options.agencies = 3;
    it::Hub hub(options);
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    std::string to_b, to_c;
    {
        Client sender(hub.agency(a));
        to_b = it::post_accepted(sender, it::make_envelope(hub, a, {b})).envelope_id();
        to_c = it::post_accepted(sender, it::make_envelope(hub, a, {c})).envelope_id();
    }
    Client for_b(hub.agency(b));
    Client for_c(hub.agency(c));
    const auto b_item = it::collect_envelopes(for_b, {to_b}, false);
    const auto c_item = it::collect_envelopes(for_c, {to_c}, false);
    REQUIRE(b_item.size() == 1);
    REQUIRE(c_item.size() == 1);

    CHECK_FAILS_WITH(ack_list(for_b, {b_item[0].delivery_id(), c_item[0].delivery_id()}), 404,
                     "NOT_FOUND");
    CHECK_FAILS_WITH(ack_list(for_b, {b_item[0].delivery_id(), "d-no-such-item"}), 404,
                     "NOT_FOUND");
    // Neither item was taken: both are offered again, and the sender has no 01.
    const auto again_b = it::collect_envelopes(for_b, {to_b}, false);
    const auto again_c = it::collect_envelopes(for_c, {to_c}, false);
    REQUIRE(again_b.size() == 1);
    REQUIRE(again_c.size() == 1);
    CHECK(again_b[0].attempt() > 1);
    CHECK(again_c[0].attempt() > 1);
    Client sender(hub.agency(a));
    CHECK(it::recipient_in(it::trace_of(sender, to_b), b).state() != "01");

    // Lists that are empty or longer than one inbox answer are malformed.
    CHECK_FAILS_WITH(ack_list(for_b, {}), 400, "MALFORMED");
    CHECK_FAILS_WITH(ack_list(for_b, std::vector<std::string>(101, b_item[0].delivery_id())), 400,
                     "MALFORMED");
    CHECK_FAILS_WITH(it::send(for_b, verb::post, "/v1/inbox/ack", "{not json", it::kJson), 400,
                     "MALFORMED");
    CHECK(it::get(for_b, "/v1/inbox/ack").status == 405);
}
