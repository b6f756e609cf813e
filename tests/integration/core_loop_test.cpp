// The core loop's bounds and its one source of truth, against the real lienthongd: an inbox
// answer bounded in bytes with large attachments by reference and streamed downloads, the
// daemon's memory after a large poll, the registry file against operators' decisions, and
// items owed in the ledger reaching their recipient at once.

#include "hub/core/digest.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using boost::beast::http::verb;
using hub::http::Client;
using it::Draft;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The daemon's pid, from the ports file it writes once it serves.
long daemon_pid(const it::Hub& hub) {
    const auto ports = boost::json::parse(read_file(hub.dir() + "/run/ports.json")).as_object();
    return static_cast<long>(ports.at("pid").as_int64());
}

// A figure of /proc/PID/status in KiB (VmHWM: peak resident memory).
long proc_status_kib(long pid, const std::string& key) {
    std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            return std::stol(line.substr(key.size() + 1));
        }
    }
    return -1;
}

hub::http::ClientResponse get_with(
    Client& client,
    const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers) {
    auto response = client.request(verb::get, target, {}, {}, it::kJson, headers);
    if (!response) {
        throw std::runtime_error("GET " + target + ": " + response.error().text());
    }
    return std::move(*response);
}

}  // namespace

// ASan's shadow memory and quarantine hold the intake's buffers long after they were freed:
// under it only the poll's own growth (the check before this one) says something.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kPeakCapKib = 1024 * 1024;
#else
constexpr long kPeakCapKib = 400 * 1024;
#endif

TEST_CASE("R-11 an inbox answer is bounded in bytes, large attachments come by reference",
          "[core][inbox][memory]") {
    it::Hub hub(it::with_config(
        boost::json::object{{"limits", boost::json::object{{"inbox_max_bytes", 1 << 20}}}}));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));
    Client outsider(hub.agency(c));

    // Twenty envelopes sharing one 8 MiB PDF (stored once), each with a small image too.
    const std::string big = it::minimal_pdf(std::string(8 << 20, 'x'));
    const std::string small = it::minimal_png();
    constexpr int kEnvelopes = 20;
    for (int i = 0; i < kEnvelopes; ++i) {
        const auto envelope = it::make_envelope(hub, a, {b}, [&](Draft& d) {
            d.attachments.clear();
            d.header.clear_attachments();
            d.add("cid:main", "cong-van.pdf", "application/pdf", v1::MAIN, big);
            d.add("cid:anh", "anh.png", "image/png", v1::APPENDIX, small);
        });
        it::post_accepted(sender, envelope);
    }
    const long pid = daemon_pid(hub);
    const long peak_before = proc_status_kib(pid, "VmHWM");

    const auto answer = it::send(recipient, verb::get, "/v1/inbox?max=100&wait=1");
    REQUIRE(answer.status == 200);
    CHECK(answer.body.size() < (2u << 20));  // the JSON of 1 MiB of content, not of 160 MiB
    v1::InboxBatch batch;
    REQUIRE(google::protobuf::util::JsonStringToMessage(answer.body, &batch).ok());
    REQUIRE(batch.items_size() == kEnvelopes);
    const long peak_after = proc_status_kib(pid, "VmHWM");
    INFO("daemon peak RSS before the poll " << peak_before << " KiB, after " << peak_after);
    CHECK(peak_after < peak_before + 64 * 1024);
    CHECK(peak_after < kPeakCapKib);

    const auto& item = batch.items(0);
    REQUIRE(item.envelope().attachments_size() == 2);
    const auto& main = item.envelope().attachments(0);
    const auto& image = item.envelope().attachments(1);
    CHECK(main.content().empty());
    REQUIRE_FALSE(main.download_path().empty());
    CHECK(main.download_path().rfind("/v1/attachments/" + item.delivery_id() + "/", 0) == 0);
    CHECK(image.content() == small);  // small ones still travel inline
    CHECK(image.download_path().empty());

    // The download streams exactly the signed bytes; ranges resume it.
    const auto whole = it::send(recipient, verb::get, main.download_path());
    REQUIRE(whole.status == 200);
    CHECK(whole.body.size() == big.size());
    CHECK(hub::sha256_hex(whole.body) == hub::sha256_hex(big));
    CHECK(whole.header("accept-ranges") == "bytes");
    const auto head = get_with(recipient, main.download_path(), {{"Range", "bytes=0-99"}});
    CHECK(head.status == 206);
    CHECK(head.body == big.substr(0, 100));
    CHECK(head.header("content-range") == "bytes 0-99/" + std::to_string(big.size()));
    const auto tail = get_with(recipient, main.download_path(), {{"Range", "bytes=-10"}});
    CHECK(tail.status == 206);
    CHECK(tail.body == big.substr(big.size() - 10));
    const auto past = get_with(recipient, main.download_path(),
                               {{"Range", "bytes=" + std::to_string(big.size()) + "-"}});
    CHECK(past.status == 416);

    // Only the recipient may read it; for anyone else it does not exist.
    CHECK_FAILS_WITH(it::send(outsider, verb::get, main.download_path()), 404, "NOT_FOUND");
    CHECK_FAILS_WITH(it::send(sender, verb::get, main.download_path()), 404, "NOT_FOUND");
    CHECK_FAILS_WITH(
        it::send(recipient, verb::get, "/v1/attachments/" + item.delivery_id() + "/cid%3Anone"),
        404, "NOT_FOUND");
}

TEST_CASE("R-11 an accepted envelope is in its recipients' inboxes when the receipt is sent",
          "[core][inbox]") {
    it::HubOptions options;
    options.agencies = 4;
    it::Hub hub(options);
    const std::string a = hub.code(0);
    Client sender(hub.agency(a));
    const std::vector<std::string> recipients{hub.code(1), hub.code(2), hub.code(3)};
    const auto receipt = it::post_accepted(sender, it::make_envelope(hub, a, recipients));
    // No wait: the delivery was written with the envelope, in the same transaction.
    for (const auto& code : recipients) {
        Client client(hub.agency(code));
        const auto batch = it::poll(client, 10, 0);
        REQUIRE(batch.items_size() == 1);
        CHECK(batch.items(0).envelope_id() == receipt.envelope_id());
    }
}

TEST_CASE("R-04 a registry file import keeps operators' decisions and withdraws what it dropped",
          "[core][registry]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    {
        Client op(hub.operator_client());
        const auto suspended = it::send(op, verb::post, "/admin/v1/orgs/" + b + "/suspend");
        REQUIRE(suspended.status == 200);
    }
    // The province edits its file: C is gone, A is renamed (so the file is imported again).
    const std::string path = hub.dir() + "/registry.json";
    auto registry = boost::json::parse(read_file(path)).as_object();
    boost::json::array kept;
    for (auto& org : registry.at("organizations").as_array()) {
        auto& entry = org.as_object();
        const std::string code(entry.at("code").as_string());
        if (code == c) {
            continue;
        }
        if (code == a) {
            entry["name"] = "UBND tỉnh (tên mới)";
        }
        kept.push_back(org);
    }
    registry["organizations"] = kept;
    std::ofstream(path, std::ios::trunc) << boost::json::serialize(registry);
    hub.restart();

    Client dropped(hub.agency(c));
    CHECK_FAILS_WITH(it::get(dropped, "/v1/inbox"), 401, "UNAUTHENTICATED");
    Client still_suspended(hub.agency(b));
    CHECK_FAILS_WITH(it::post(still_suspended, it::make_envelope(hub, b, {a})), 403,
                     "FORBIDDEN_SENDER");
    Client renamed(hub.agency(a));
    CHECK(it::poll(renamed, 10, 0).items_size() == 0);
}

TEST_CASE("R-12 what one recipient receives from concurrent senders follows acceptance order",
          "[core][order]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    constexpr int kEach = 15;
    // Catch2's assertions are not thread-safe: the threads only post and keep the answers;
    // everything is checked on this one.
    struct Sender {
        std::string code;
        std::vector<v1::SignedEnvelope> envelopes;
        std::vector<hub::http::ClientResponse> answers;
        std::string transport_error;
    };
    std::vector<Sender> senders(2);
    senders[0].code = a;
    senders[1].code = c;
    for (auto& sender : senders) {
        for (int i = 0; i < kEach; ++i) {
            sender.envelopes.push_back(it::make_envelope(hub, sender.code, {b}));
        }
    }
    auto post_all = [](Sender& sender, hub::http::ClientOptions options) {
        try {
            Client client(std::move(options));
            for (const auto& envelope : sender.envelopes) {
                sender.answers.push_back(it::post(client, envelope));
            }
        } catch (const std::exception& e) {
            sender.transport_error = e.what();
        }
    };
    std::thread first(post_all, std::ref(senders[0]), hub.agency(a));
    post_all(senders[1], hub.agency(c));
    first.join();
    std::vector<v1::Receipt> receipts_a, receipts_c;
    for (auto* sender : {&senders[0], &senders[1]}) {
        INFO(sender->code << ": " << sender->transport_error);
        REQUIRE(sender->transport_error.empty());
        REQUIRE(sender->answers.size() == kEach);
        auto& receipts = sender == &senders[0] ? receipts_a : receipts_c;
        for (const auto& answer : sender->answers) {
            INFO("POST /v1/envelopes: HTTP " << answer.status << " body: " << answer.body);
            REQUIRE(answer.status == 202);
            receipts.push_back(it::parse_receipt(answer.body));
        }
    }

    Client recipient(hub.agency(b));
    const auto items = it::collect(recipient, 2 * kEach,
                                   [](const v1::InboxItem& item) { return item.has_envelope(); });
    REQUIRE(items.size() == 2 * kEach);
    // Each sender's envelopes arrive in the order the hub accepted them, interleaved as their
    // commits were, and each exactly once.
    std::set<std::string> seen;
    for (const auto* receipts : {&receipts_a, &receipts_c}) {
        std::vector<std::string> expected, got;
        for (const auto& r : *receipts) {
            expected.push_back(r.envelope_id());
        }
        for (const auto& item : items) {
            if (std::find(expected.begin(), expected.end(), item.envelope_id()) != expected.end()) {
                got.push_back(item.envelope_id());
            }
            seen.insert(item.envelope_id());
        }
        CHECK(got == expected);
    }
    CHECK(seen.size() == 2 * kEach);
}
