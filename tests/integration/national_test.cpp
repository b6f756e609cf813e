// The national adapter end to end (issue 8): a real lienthongd with national.enabled, and the
// axis simulator (in this process, over real TLS on 127.0.0.1 with a certificate made here)
// hosting a peer province H41 that answers every document with 01 then 03.

#include "hub/national/edxml.h"
#include "lienthong/testca/test_ca.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "edxml_support.h"
#include "envelopes.h"
#include "harness.h"
#include "national_axis.h"

namespace {

namespace v1 = lienthong::v1;
namespace json = boost::json;
using hub::http::Client;
using it::Axis;
using it::package_of;
using it::peer_document;

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

namespace {

// "<date>,<number>/<notation>" of a document id: the part that stays the same whichever form
// (QĐ 20/2020 or QCVN 102) its issuer's code is written in on either side of the axis.
std::string tail_of(const std::string& document_id) {
    return document_id.substr(document_id.find(',') + 1);
}

// What a test reads of /status.json's national section.
json::object national_section(const it::Hub& hub) {
    return it::status_json(hub).at("national").as_object();
}

}  // namespace

TEST_CASE(
    "national: an axis down, then failing, slow, dropping answers and back gets every document "
    "there exactly once",
    "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    Client sender(hub.agency(hub.code(0)));
    std::vector<std::string> envelope_ids;
    std::vector<std::string> document_tails;
    const auto post = [&] {
        const auto envelope = it::make_envelope(hub, hub.code(0), {"H41"});
        envelope_ids.push_back(it::post_accepted(sender, envelope).envelope_id());
        document_tails.push_back(tail_of(it::header_of(envelope).document_id()));
    };
    const auto failed_attempts = [&] {
        return national_section(hub).at("failed_attempts").as_int64();
    };

    // Each phase gets a document of its own and moves on only once the axis has seen the hub
    // try in that mode, so every phase is really exercised.
    axis.mode("down");
    post();
    REQUIRE(
        it::eventually([&] { return axis.counter("refused_down") > 0 && failed_attempts() > 0; }));
    const auto failed_while_down = failed_attempts();

    axis.mode("error");
    post();
    REQUIRE(it::eventually(
        [&] { return axis.counter("answered_500") > 0 && failed_attempts() > failed_while_down; }));
    CHECK(axis.sent_by_hub("edoc").empty());

    // Slow but inside the hub's 2 s timeout: a slow answer is an answer, not a failure to
    // retry, so the first three documents go out now, each once.
    axis.mode("slow", 1000);
    post();
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 3; }));
    REQUIRE(
        it::eventually([&] { return national_section(hub).at("outbox_depth").as_int64() == 0; }));

    // Stored, then the answer is cut off: the fourth document arrives, the hub cannot know.
    axis.mode("drop");
    post();
    REQUIRE(it::eventually(
        [&] { return axis.sent_by_hub("edoc").size() == 4 && axis.counter("dropped") > 0; }));

    axis.mode("normal");
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 4; }));
    REQUIRE(
        it::eventually([&] { return national_section(hub).at("outbox_depth").as_int64() == 0; }));

    // Each document once: the simulator keeps one copy of the same bytes whatever happens, so
    // what proves the relay never sent twice is its count of sendEdoc calls that reached it
    // (one per document: three slow, the fourth dropped) and of repeated packages (none: the
    // fourth was found on the sent list).
    CHECK(axis.counter("calls.sendEdoc") == 4);
    CHECK(axis.counter("duplicates") == 0);
    std::vector<std::string> on_axis;
    for (const auto& document : axis.sent_by_hub("edoc")) {
        const auto decoded = hub::national::decode_envelope_package(package_of(document));
        REQUIRE(decoded.has_value());
        on_axis.push_back(tail_of(decoded->header.document_id));
    }
    std::sort(on_axis.begin(), on_axis.end());
    std::sort(document_tails.begin(), document_tails.end());
    CHECK(on_axis == document_tails);

    const auto national = national_section(hub);
    CHECK(national.at("relayed").as_int64() == 4);
    CHECK(national.at("failed_attempts").as_int64() > failed_while_down);
    CHECK(national.at("dead_letters").as_int64() == 0);
    CHECK(national.at("breaker").as_string() == "closed");

    // And every document's 01 and 03 come back to its sender.
    const auto statuses = it::collect(sender, 8, [&](const v1::InboxItem& item) {
        return item.has_status() && std::find(envelope_ids.begin(), envelope_ids.end(),
                                              item.envelope_id()) != envelope_ids.end();
    });
    CHECK(statuses.size() == 8);
}

TEST_CASE(
    "national: a hub killed after the axis took a document but before its outbox mark sends "
    "no second copy",
    "[national][integration]") {
    Axis axis;
    auto config = axis.national_config();
    // Longer than the test needs to kill it: the hub must still be waiting for the answer.
    config.at("national").as_object()["timeout_ms"] = 60000;
    it::Hub hub(it::with_config(config));
    std::string envelope_id;
    {
        Client sender(hub.agency(hub.code(0)));
        axis.mode("hold");
        envelope_id =
            it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"})).envelope_id();
    }
    REQUIRE(it::eventually([&] { return axis.counter("held") == 1; }));
    REQUIRE(axis.sent_by_hub("edoc").size() == 1);
    hub.kill9();

    // Still holding: a second sendEdoc by the restarted hub would be held (and counted) too.
    hub.restart();
    REQUIRE(
        it::eventually([&] { return national_section(hub).at("outbox_depth").as_int64() == 0; }));
    axis.mode("normal");
    CHECK(axis.counter("held") == 1);
    CHECK(axis.counter("calls.sendEdoc") == 1);
    CHECK(axis.counter("duplicates") == 0);
    CHECK(axis.sent_by_hub("edoc").size() == 1);
    CHECK(national_section(hub).at("relayed").as_int64() == 1);

    Client sender(hub.agency(hub.code(0)));
    const auto statuses = it::collect_statuses(sender, envelope_id, 2);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].status().code() == "01");
    CHECK(statuses[1].status().code() == "03");
}

TEST_CASE("national: a peer's 02 reaches the sender with its reason", "[national][integration]") {
    Axis axis({}, "reject");
    it::Hub hub(it::with_config(axis.national_config()));
    Client sender(hub.agency(hub.code(0)));

    const auto receipt = it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"}));
    const auto statuses = it::collect_statuses(sender, receipt.envelope_id(), 2);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].status().code() == "01");
    CHECK(statuses[1].status().code() == "02");
    CHECK(statuses[1].status().description() == axis.peer.reason);
    CHECK_FALSE(axis.peer.reason.empty());
}

TEST_CASE("national: a local recipient's 02 about a peer's document leaves with its reason",
          "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    Client recipient(hub.agency(hub.code(1)));

    axis.inject(peer_document(hub.code(1), "71"));
    const auto items =
        it::collect(recipient, 1, [](const v1::InboxItem& item) { return item.has_envelope(); });
    REQUIRE(items.size() == 1);
    const auto header = it::header_of(items[0].envelope());
    const std::string reason = "Văn bản không thuộc thẩm quyền giải quyết";
    it::status_accepted(
        recipient, it::status_update(header.document_id(), header.from().code(), "02", reason));

    // The ack's 01 and then the 02.
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("status").size() == 2; }));
    std::vector<hub::national::StatusPackage> packages;
    for (const auto& document : axis.sent_by_hub("status")) {
        const auto decoded = hub::national::decode_status_package(package_of(document));
        REQUIRE(decoded.has_value());
        packages.push_back(*decoded);
    }
    const auto rejection =
        std::find_if(packages.begin(), packages.end(),
                     [](const hub::national::StatusPackage& p) { return p.status_code == "02"; });
    REQUIRE(rejection != packages.end());
    CHECK(rejection->description == reason);
    CHECK(tail_of(rejection->response_for.document_id) == "2026/12/01,71/UBND-TH");
    // It went to the peer province that sent the document.
    CHECK(axis.sent_by_hub("status").back().at("to_system").as_string() == axis.peer.id);
}

TEST_CASE("national: a recall, an update and a replacement go out with their business type",
          "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    Client sender(hub.agency(hub.code(0)));

    const auto original = it::make_envelope(hub, hub.code(0), {"H41"});
    it::post_accepted(sender, original);
    const std::string acted_on = it::header_of(original).document_id();
    const std::map<v1::BusinessType, std::string> reasons{
        {v1::RECALL, "Thu hồi do gửi nhầm"},
        {v1::UPDATE, "Cập nhật phụ lục"},
        {v1::REPLACE, "Thay thế văn bản đã gửi"},
    };
    for (const auto& [type, reason] : reasons) {
        it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"}, [&](it::Draft& d) {
                              d.header.set_business_type(type);
                              d.header.mutable_replaces()->set_document_id(acted_on);
                              d.header.mutable_replaces()->set_reason(reason);
                          }));
    }

    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 4; }));
    std::map<std::string, hub::national::EnvelopePackage> by_type;
    for (const auto& document : axis.sent_by_hub("edoc")) {
        auto decoded = hub::national::decode_envelope_package(package_of(document));
        REQUIRE(decoded.has_value());
        by_type[decoded->business.doc_type] = *decoded;
    }
    REQUIRE(by_type.size() == 4);
    CHECK(by_type.count("0") == 1);
    for (const auto& [type, reason] : reasons) {
        const std::string doc_type = std::to_string(static_cast<int>(type));
        INFO("BussinessDocType " << doc_type);
        REQUIRE(by_type.count(doc_type) == 1);
        const auto& business = by_type[doc_type].business;
        CHECK(tail_of(business.document_id) == tail_of(acted_on));
        CHECK(business.doc_reason == reason);
    }
    // A replacement names what it replaces for whom.
    const auto& replacements = by_type["3"].business.replacements;
    REQUIRE(replacements.size() == 1);
    CHECK(tail_of(replacements[0].document_id) == tail_of(acted_on));
    CHECK(replacements[0].organ_ids.size() == 1);
}

TEST_CASE(
    "national: a peer's recall, update and replacement reach the inbox with their "
    "business type",
    "[national][integration]") {
    Axis axis;
    it::Hub hub(it::with_config(axis.national_config()));
    const std::string to = hub.code(1);
    Client recipient(hub.agency(to));
    const std::string acted_on = "000.00.00.H41,2026/12/01,81/UBND-TH";
    axis.inject(peer_document(to, "81"));
    const std::map<std::string, std::string> reasons{
        {"1", "Thu hồi văn bản"}, {"2", "Cập nhật nội dung"}, {"3", "Thay thế văn bản"}};
    for (const auto& [doc_type, reason] : reasons) {
        auto package = it::edxml_package("000.00.00.H41", {to});
        package.business.doc_type = doc_type;
        package.business.document_id = acted_on;
        package.business.doc_reason = reason;
        if (doc_type == "3") {
            package.business.replacements.push_back({acted_on, {to}});
        }
        axis.inject(it::encode(package));
    }

    const auto items =
        it::collect(recipient, 4, [](const v1::InboxItem& item) { return item.has_envelope(); });
    REQUIRE(items.size() == 4);
    std::map<v1::BusinessType, v1::EnvelopeHeader> by_type;
    for (const auto& item : items) {
        const auto header = it::header_of(item.envelope());
        by_type[header.business_type()] = header;
    }
    REQUIRE(by_type.size() == 4);
    CHECK(by_type.count(v1::NEW) == 1);
    for (const auto& [type, reason] :
         std::map<v1::BusinessType, std::string>{{v1::RECALL, reasons.at("1")},
                                                 {v1::UPDATE, reasons.at("2")},
                                                 {v1::REPLACE, reasons.at("3")}}) {
        INFO("business type " << v1::BusinessType_Name(type));
        REQUIRE(by_type.count(type) == 1);
        CHECK(tail_of(by_type[type].replaces().document_id()) == tail_of(acted_on));
        CHECK(by_type[type].replaces().reason() == reason);
    }
    CHECK(it::eventually(
        [&] { return axis.peer_statuses() == std::vector<std::string>(4, "done"); }));
}
