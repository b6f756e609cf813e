// The axis client against the simulator over real TLS on 127.0.0.1: every operation makes a
// round trip, a wrong secret is refused, and each failure mode of the simulator comes back
// as UNAVAILABLE (worth a retry) without losing or doubling a package.

#include <catch2/catch.hpp>

#include "unit/national/axis_fixture.h"

using namespace hub::national;
using lienthong::sim::admin_call;
using namespace std::chrono_literals;
using hub::national::test::Fixture;
using hub::national::test::kFromPeer;
using hub::national::test::kToMinistry;

TEST_CASE("each operation round-trips through the simulator", "[axis_client]") {
    Fixture f;
    auto doc_id =
        run_sync(f.io, f.client->send_edoc(kToMinistry, MessageType::edoc, "000.00.00.H39"));
    REQUIRE(doc_id);
    CHECK_FALSE(doc_id->empty());

    SECTION("sending the same package again answers the same DocId") {
        auto again =
            run_sync(f.io, f.client->send_edoc(kToMinistry, MessageType::edoc, "000.00.00.H39"));
        CHECK(again.value() == *doc_id);
        CHECK(f.counter("documents") == 1);
        CHECK(f.counter("duplicates") == 1);
    }
    SECTION("the sent list has it, with the package digest") {
        auto sent = run_sync(f.io, f.client->sent_list(*doc_id)).value();
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].sender_doc_id == *doc_id);
        CHECK(sent[0].to_code == "000.00.00.G12");
        CHECK(sent[0].hash_file == vdxp_hash_file(kToMinistry));
        CHECK(run_sync(f.io, f.client->sent_list("")).value().size() == 1);
        CHECK(run_sync(f.io, f.client->sent_list("no-such-id")).value().empty());
    }
    SECTION("the peer answers 01 then 03; getEdoc and updateStatus take them off the list") {
        auto list = f.statuses(2);
        REQUIRE(list.size() == 2);
        std::vector<std::string> codes;
        for (const auto& item : list) {
            auto package = run_sync(f.io, f.client->get_edoc(item.doc_id)).value();
            auto info = lienthong::sim::read_package_info(package);
            REQUIRE(info);
            CHECK(info->document_id == "000.00.00.H39,2026/12/01,101/UBND-VP");
            codes.push_back(info->status_code);
            REQUIRE(run_sync(f.io, f.client->update_status(item.doc_id, TransportStatus::done)));
        }
        CHECK(codes == std::vector<std::string>{"01", "03"});
        CHECK(run_sync(f.io, f.client->received_list(MessageType::status)).value().empty());
    }
    SECTION("a document from the peer reaches our received list") {
        auto injected = boost::json::parse(admin_call(
            f.sim.admin_port(), "POST", "/admin/inject",
            boost::json::serialize(boost::json::object{
                {"from_system", "peer.h41"}, {"package_base64", base64_encode(kFromPeer)}})));
        CHECK(injected.as_object()["ErrorCode"] == "0");
        auto list = run_sync(f.io, f.client->received_list(MessageType::edoc)).value();
        REQUIRE(list.size() == 1);
        CHECK(list[0].to == "000.00.01.H39");
        CHECK(run_sync(f.io, f.client->get_edoc(list[0].doc_id)).value() == kFromPeer);
        REQUIRE(run_sync(f.io, f.client->update_status(list[0].doc_id, TransportStatus::fail)));
        CHECK(run_sync(f.io, f.client->received_list(MessageType::edoc)).value().empty());
    }
    SECTION("the directory") {
        auto agencies = run_sync(f.io, f.client->agencies("")).value();
        REQUIRE(agencies.size() == 2);
        CHECK(agencies[0].code == "G12");
        CHECK(agencies[0].code102 == "000.00.00.G12");
        CHECK(agencies[0].name == "Bộ Tài chính");
    }
}

TEST_CASE("the peer rejects with 02 and its reason", "[axis_client]") {
    Fixture f("reject");
    REQUIRE(run_sync(f.io, f.client->send_edoc(kToMinistry, MessageType::edoc, "000.00.00.H39")));
    auto list = f.statuses(2);
    REQUIRE(list.size() == 2);
    auto package = run_sync(f.io, f.client->get_edoc(list[1].doc_id)).value();
    CHECK(package.find("Thiếu phụ lục") != std::string::npos);
    CHECK(lienthong::sim::read_package_info(package)->status_code == "02");
}

TEST_CASE("a wrong secret is refused as UNAUTHENTICATED", "[axis_client]") {
    Fixture f("accept", "not-the-secret");
    auto sent = run_sync(f.io, f.client->send_edoc(kToMinistry, MessageType::edoc, "x"));
    REQUIRE_FALSE(sent);
    CHECK(sent.error().code == hub::errc::unauthenticated);
    CHECK(f.counter("refused") == 1);
    CHECK(f.counter("documents") == 0);
}

TEST_CASE("a package whose hash-file does not match is refused", "[axis_client]") {
    Fixture f;
    WireRequest req = VdxpWire({"hub.h39", "s3cret-h39"})
                          .send_edoc(kToMinistry, MessageType::edoc, "000.00.00.H39");
    req.body = kFromPeer + "\r\n";  // other bytes under the signed digest
    auto answer = run_sync(f.io, f.client->exchange(req)).value();
    CHECK(VdxpWire({"", ""}).parse_send(answer).error().code == hub::errc::malformed);
    CHECK(f.counter("documents") == 0);
}

TEST_CASE("down, 500, slow and dropped answers are UNAVAILABLE, nothing doubles", "[axis_client]") {
    Fixture f;
    auto send = [&](HttpAxisClient& c) {
        return run_sync(f.io, c.send_edoc(kToMinistry, MessageType::edoc, "000.00.00.H39"));
    };
    f.mode("down");
    CHECK(send(*f.client).error().code == hub::errc::unavailable);
    f.mode("error");
    CHECK(send(*f.client).error().code == hub::errc::unavailable);
    CHECK(f.counter("answered_500") == 1);
    f.mode("slow", 1500);
    auto impatient = f.make_client("s3cret-h39", 300ms);
    CHECK(send(*impatient).error().code == hub::errc::unavailable);
    f.mode("drop");
    CHECK(send(*f.client).error().code == hub::errc::unavailable);  // stored, answer lost
    f.mode("normal");
    auto doc_id = send(*f.client);
    REQUIRE(doc_id);
    CHECK(f.counter("documents") == 1);  // the slow and the dropped sends were the same one
    CHECK(f.counter("dropped") >= 1);
    auto sent = run_sync(f.io, f.client->sent_list("")).value();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].sender_doc_id == *doc_id);
}

TEST_CASE("find_sent recognises a package already on the axis", "[axis_client]") {
    Fixture f;
    CHECK_FALSE(run_sync(f.io, f.client->find_sent(kToMinistry)).value().has_value());
    auto doc_id =
        run_sync(f.io, f.client->send_edoc(kToMinistry, MessageType::edoc, "000.00.00.H39"));
    CHECK(run_sync(f.io, f.client->find_sent(kToMinistry)).value() == doc_id.value());
    CHECK_FALSE(run_sync(f.io, f.client->find_sent(kFromPeer)).value().has_value());
}
