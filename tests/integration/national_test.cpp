// The national adapter end to end (issue 8): a real lienthongd with national.enabled, and the
// axis simulator (in this process, over real TLS on 127.0.0.1 with a certificate made here)
// hosting a peer province H41 that answers every document with 01 then 03.

#include "hub/national/edxml.h"
#include "lienthong/testca/test_ca.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>

#include "api.h"
#include "delivery_support.h"
#include "edxml_support.h"
#include "envelopes.h"
#include "harness.h"
#include "sim.h"

namespace {

namespace v1 = lienthong::v1;
namespace json = boost::json;
using hub::http::Client;
using lienthong::sim::admin_call;

const std::string kSecret = "s3cret-h39";

struct Axis {
    it::TempDir dir;
    std::string ca_file = dir.path() + "/axis-ca.pem";
    std::string secret_file = dir.path() + "/axis.secret";
    std::unique_ptr<lienthong::sim::Simulator> sim;

    Axis() {
        auto ca = lienthong::testca::TestCa::create("Axis Test");
        auto files = ca.issue_server("axis").write_files(dir.path(), "axis");
        std::ofstream(ca_file) << ca.root_pem() << ca.intermediate_pem();
        std::ofstream(secret_file) << kSecret << "\n";
        lienthong::sim::SimConfig c;
        c.systems.push_back({"hub.h39", kSecret, {"H39"}});
        lienthong::sim::SystemConfig peer{"peer.h41", "peer-secret", {"H41"}};
        peer.peer = true;
        c.systems.push_back(peer);
        c.agencies.push_back({"2", "H41", "000.00.00.H41", "UBND tỉnh Nghệ An", ""});
        c.cert_file = files.cert_path;
        c.key_file = files.key_path;
        sim = std::make_unique<lienthong::sim::Simulator>(c);
        sim->start();
    }
    ~Axis() { sim->stop(); }

    json::object national_config() const {
        return json::object{
            {"national",
             json::object{
                 {"enabled", true},
                 {"endpoint", "https://127.0.0.1:" + std::to_string(sim->port()) + "/vdxp"},
                 {"system_id", "hub.h39"},
                 {"secret_file", secret_file},
                 {"ca_file", ca_file},
                 {"timeout_ms", 2000},
                 {"poll_interval_ms", 200},
                 {"retry_base_ms", 100},
                 {"retry_max_ms", 400},
                 {"breaker_failures", 3},
                 {"breaker_cooldown_ms", 300},
             }}};
    }
    void mode(const std::string& m) {
        admin_call(sim->admin_port(), "POST", "/admin/mode", R"({"mode":")" + m + R"("})");
    }
    // Puts a package of the peer province on the axis for our hub to fetch.
    void inject(const std::string& package) {
        admin_call(sim->admin_port(), "POST", "/admin/inject",
                   json::serialize(
                       json::object{{"from_system", "peer.h41"},
                                    {"package_base64", hub::national::base64_encode(package)}}));
    }
    // The transport status of the peer's documents ("done", "fail", ...), in injection order.
    std::vector<std::string> peer_statuses() {
        auto state = json::parse(admin_call(sim->admin_port(), "GET", "/admin/state"));
        std::vector<std::string> out;
        for (const auto& d : state.at("documents").as_array()) {
            const auto& o = d.as_object();
            if (o.at("from_system").as_string() == "peer.h41") {
                out.emplace_back(o.at("status").as_string());
            }
        }
        return out;
    }
    // The packages the axis holds that our hub sent, of one message type.
    std::vector<json::object> sent_by_hub(const std::string& type) {
        auto state = json::parse(admin_call(sim->admin_port(), "GET", "/admin/state"));
        std::vector<json::object> out;
        for (const auto& d : state.at("documents").as_array()) {
            const auto& o = d.as_object();
            if (o.at("from_system").as_string() == "hub.h39" &&
                o.at("message_type").as_string() == type) {
                out.push_back(o);
            }
        }
        return out;
    }
};

std::string package_of(const json::object& document) {
    return hub::national::base64_decode(document.at("package_base64").as_string()).value();
}

// A document of the peer province to one of ours, as the peer's system would send it.
std::string peer_document(const std::string& to, const std::string& number) {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>)" +
           to + R"(</edXML:OrganId></edXML:To>
<edXML:DocumentId>000.00.00.H41,2026/12/01,)" +
           number + R"(/UBND-TH</edXML:DocumentId>
<edXML:Subject>Văn bản của tỉnh bạn</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>
</edXML>)";
}

}  // namespace

TEST_CASE("national: a document to another province goes out as edXML, its 01 and 03 come back",
          "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    Client sender(hub.agency(hub.code(0)));

    const auto envelope = it::make_envelope(hub, hub.code(0), {"H41"});
    const auto receipt = it::post_accepted(sender, envelope);
    REQUIRE(receipt.recipients_size() == 1);
    CHECK(receipt.recipients(0).route() == v1::NATIONAL);

    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 1; }));
    const auto sent = axis.sent_by_hub("edoc").front();
    const auto decoded = hub::national::decode_envelope_package(package_of(sent));
    REQUIRE(decoded.has_value());
    CHECK(decoded->header.to.size() == 1);

    const auto statuses = it::collect_statuses(sender, receipt.envelope_id(), 2);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].status().code() == "01");
    CHECK(statuses[1].status().code() == "03");
}

TEST_CASE("national: a peer's document reaches a local inbox and its 01 goes back out",
          "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    Client recipient(hub.agency(hub.code(1)));

    axis.inject(peer_document(hub.code(1), "55"));
    const auto items =
        it::collect(recipient, 1, [](const v1::InboxItem& item) { return item.has_envelope(); });
    REQUIRE(items.size() == 1);
    const auto header = it::header_of(items[0].envelope());
    CHECK(header.document_id() == "000.00.00.H41,2026/12/01,55/UBND-TH");
    // Taken although unsigned (lenient with the axis), and its trace says so.
    const auto trace = it::trace_of(recipient, items[0].envelope_id());
    CHECK(std::count(trace.warnings().begin(), trace.warnings().end(), "unsigned_edxml") == 1);

    // The ack records the 01, which belongs to the peer: it leaves through the axis.
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("status").size() == 1; }));
    const auto status =
        hub::national::decode_status_package(package_of(axis.sent_by_hub("status").front()));
    REQUIRE(status.has_value());
    CHECK(status->status_code == "01");
}

TEST_CASE("national: an axis outage loses nothing and sends nothing twice",
          "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    Client sender(hub.agency(hub.code(0)));
    hub::http::Client ops(hub.operator_client());

    axis.mode("down");
    const auto first = it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"}));
    const auto second = it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"}));
    const auto national_status = [&] {
        const auto r = it::send(ops, boost::beast::http::verb::get, "/status.json");
        REQUIRE(r.status == 200);
        return json::parse(r.body).as_object().at("national").as_object();
    };
    // The relay tried and failed: the outbox holds both, /status.json says so.
    REQUIRE(it::eventually([&] {
        const auto n = national_status();
        return n.at("failed_attempts").as_int64() > 0 && n.at("outbox_depth").as_int64() == 2;
    }));
    CHECK(axis.sent_by_hub("edoc").empty());

    axis.mode("normal");
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 2; }));
    REQUIRE(it::eventually([&] { return national_status().at("outbox_depth").as_int64() == 0; }));
    // Both statuses of each come back (collected in one pass: an item seen and not acked
    // would only be offered again after the visibility timeout), and nothing was sent twice.
    const auto statuses = it::collect(sender, 4, [&](const v1::InboxItem& item) {
        return item.has_status() && (item.envelope_id() == first.envelope_id() ||
                                     item.envelope_id() == second.envelope_id());
    });
    CHECK(statuses.size() == 4);
    CHECK(axis.sent_by_hub("edoc").size() == 2);
}

TEST_CASE(
    "national: a peer's XMLDSig is verified and chained, rsa-sha1 flagged, a forged or foreign "
    "signature refused on the axis",
    "[national][integration][xmldsig]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    const std::string to = hub.code(1);
    Client recipient(hub.agency(to));
    auto ca = lienthong::testca::TestCa::load(hub.dir() + "/ca");
    const auto peer =
        ca.issue_signer("Van thu", "000.00.00.H41").write_files(axis.dir.path(), "peer");
    using hub::national::XmlSignatureMethod;
    const auto warnings_of_next = [&] {
        const auto items = it::collect(
            recipient, 1, [](const v1::InboxItem& item) { return item.has_envelope(); });
        REQUIRE(items.size() == 1);
        const auto trace = it::trace_of(recipient, items[0].envelope_id());
        return std::vector<std::string>(trace.warnings().begin(), trace.warnings().end());
    };
    const auto has = [](const std::vector<std::string>& all, const std::string& one) {
        return std::find(all.begin(), all.end(), one) != all.end();
    };

    axis.inject(it::sign_with(peer_document(to, "61"), peer.key_path, peer.cert_path));
    auto warnings = warnings_of_next();
    CHECK(has(warnings, "signature_xmldsig"));
    CHECK_FALSE(has(warnings, "signature_algorithm_weak"));
    CHECK_FALSE(has(warnings, "unsigned_edxml"));

    axis.inject(it::sign_with(peer_document(to, "62"), peer.key_path, peer.cert_path,
                              XmlSignatureMethod::rsa_sha1));
    warnings = warnings_of_next();
    CHECK(has(warnings, "signature_xmldsig"));
    CHECK(has(warnings, "signature_algorithm_weak"));

    // Refused for good, so the axis hears `fail`: a package changed after signing, one signed
    // for an organization of ours, one from a CA the hub does not trust.
    std::string forged = it::sign_with(peer_document(to, "63"), peer.key_path, peer.cert_path);
    forged.replace(forged.find("Văn bản của tỉnh bạn"), 4, "Lệnh");
    axis.inject(forged);
    const auto local =
        ca.issue_signer("Mao danh", hub.code(2)).write_files(axis.dir.path(), "local");
    axis.inject(it::sign_with(peer_document(to, "64"), local.key_path, local.cert_path));
    const auto stranger = lienthong::testca::TestCa::create("Elsewhere")
                              .issue_signer("Van thu", "000.00.00.H41")
                              .write_files(axis.dir.path(), "stranger");
    axis.inject(it::sign_with(peer_document(to, "65"), stranger.key_path, stranger.cert_path));
    REQUIRE(it::eventually([&] {
        const auto statuses = axis.peer_statuses();
        return statuses.size() == 5 && statuses[2] == "fail" && statuses[3] == "fail" &&
               statuses[4] == "fail";
    }));
    CHECK(axis.peer_statuses()[0] == "done");
    CHECK(axis.peer_statuses()[1] == "done");
    const std::string log = hub.log();
    CHECK(log.find("SIGNATURE_INVALID") != std::string::npos);
    CHECK(log.find("SIGNER_MISMATCH") != std::string::npos);
    CHECK(log.find("CERTIFICATE_UNTRUSTED") != std::string::npos);
    // Nothing refused reached the recipient.
    const auto answer = it::send(recipient, boost::beast::http::verb::get, "/v1/inbox?wait=0");
    REQUIRE(answer.status == 200);
    v1::InboxBatch batch;
    REQUIRE(google::protobuf::util::JsonStringToMessage(answer.body, &batch).ok());
    CHECK(batch.items_size() == 0);
}
