// The national directory, the operator's view of the adapter, dead letters and the hub's own
// XMLDSig on outgoing packages (issue 8), with a real lienthongd and the axis simulator.

#include "hub/national/edxml.h"
#include "hub/national/xmldsig.h"
#include "lienthong/testca/test_ca.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"
#include "national_axis.h"
#include "process.h"

namespace {

namespace v1 = lienthong::v1;
namespace json = boost::json;
using boost::beast::http::verb;
using hub::http::Client;

it::CommandResult ctl(const it::Hub& hub, std::vector<std::string> args) {
    args.insert(args.begin(), it::ctl_path());
    args.insert(args.end(), {"--env", hub.dir()});
    return it::run_command(args, hub.dir());
}

json::object national_of(const it::Hub& hub) {
    Client ops(hub.operator_client());
    const auto answer = it::get(ops, "/admin/v1/national");
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    return json::parse(answer.body).as_object();
}

std::int64_t directory_entries(const it::Hub& hub) {
    return national_of(hub).at("directory").as_object().at("entries").as_int64();
}

// The axis' national section with some keys changed.
json::object with(json::object config, const json::object& changes) {
    auto& national = config.at("national").as_object();
    for (const auto& [key, value] : changes) {
        national[key] = value;
    }
    return config;
}

}  // namespace

TEST_CASE(
    "national: the synced directory sends an unregistered code of our province out, an unlisted "
    "one is unknown, and operators sync and watch it",
    "[national][integration]") {
    it::Axis axis({{"9", "H39.77", "000.00.77.H39", "Trung tâm dữ liệu", ""}});
    it::Hub hub(it::with_config(axis.national_config()));
    Client sender(hub.agency(hub.code(0)));

    // The adapter syncs at start-up: H41 and H39.77 (the same agency under both forms of a
    // code counts once).
    REQUIRE(it::eventually([&] { return directory_entries(hub) == 2; }));
    CHECK(national_of(hub).at("directory").as_object().at("synced_at").is_string());

    const auto receipt =
        it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"000.00.77.H39"}));
    REQUIRE(receipt.recipients_size() == 1);
    CHECK(receipt.recipients(0).route() == v1::NATIONAL);
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 1; }));

    const auto unknown = it::post(sender, it::make_envelope(hub, hub.code(0), {"H39.78"}));
    CHECK(unknown.status == 422);
    CHECK(it::error_code_of(unknown) == "UNKNOWN_RECIPIENT");

    const auto synced = ctl(hub, {"national", "sync"});
    INFO(synced.out << synced.err);
    CHECK(synced.exit_code == 0);
    CHECK(synced.out.find("directory synced: 2 codes") != std::string::npos);

    const auto status = ctl(hub, {"national", "status", "--json"});
    REQUIRE(status.exit_code == 0);
    const auto parsed = json::parse(status.out).as_object();
    CHECK(parsed.at("enabled").as_bool());
    CHECK(parsed.at("directory").as_object().at("entries").as_int64() == 2);
    const auto human = ctl(hub, {"national", "status"});
    CHECK(human.exit_code == 0);
    CHECK(human.out.find("directory: 2 codes") != std::string::npos);

    const auto outbox = ctl(hub, {"national", "outbox"});
    CHECK(outbox.exit_code == 0);
    CHECK(outbox.out.find("no dead letters") != std::string::npos);

    // An agency's certificate is not an operator's: the sync is refused before it runs.
    auto options = hub.operator_client();
    options.cert_file = hub.agency_dir(hub.code(0)) + "/client.crt";
    options.key_file = hub.agency_dir(hub.code(0)) + "/client.key";
    Client agency_on_operator(options);
    const auto refused =
        it::send(agency_on_operator, verb::post, "/admin/v1/national/sync", "{}", it::kJson);
    CHECK(refused.status == 401);
    CHECK(it::error_code_of(refused) == "UNAUTHENTICATED");
}

TEST_CASE("national: an item the axis keeps refusing becomes a dead letter an operator can retry",
          "[national][integration]") {
    it::Axis axis;
    it::Hub hub(it::with_config(with(axis.national_config(), json::object{{"delivery_limit", 2}})));
    Client sender(hub.agency(hub.code(0)));
    Client ops(hub.operator_client());

    axis.mode("error");
    it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"}));
    json::array letters;
    REQUIRE(it::eventually([&] {
        const auto answer = it::get(ops, "/admin/v1/dead-letters?channel=national");
        REQUIRE(answer.status == 200);
        letters = json::parse(answer.body).as_object().at("dead_letters").as_array();
        return letters.size() == 1;
    }));
    const auto& letter = letters.front().as_object();
    CHECK(letter.at("channel").as_string() == "national");
    CHECK(letter.at("kind").as_string() == "envelope");
    CHECK(letter.at("recipient").as_string() == "H41");
    const std::string id(letter.at("item_id").as_string());

    const auto listed = ctl(hub, {"dead-letters", "list"});
    CHECK(listed.exit_code == 0);
    CHECK(listed.out.find(id) != std::string::npos);
    // A discard needs its reason; a retry of what is not a dead letter is NOT_FOUND.
    CHECK(ctl(hub, {"dead-letters", "discard", id}).exit_code == 2);
    CHECK(ctl(hub, {"dead-letters", "retry", "d-none"}).exit_code == 2);

    axis.mode("normal");
    const auto retried = ctl(hub, {"dead-letters", "retry", id});
    INFO(retried.out << retried.err);
    CHECK(retried.exit_code == 0);
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 1; }));
    const auto after = it::get(ops, "/admin/v1/national/outbox");
    REQUIRE(after.status == 200);
    CHECK(json::parse(after.body).as_object().at("dead_letters").as_array().empty());
}

TEST_CASE(
    "national: with a signing key the hub's packages carry its XMLDSig, verifiable on the axis",
    "[national][integration][xmldsig]") {
    it::Axis axis;
    auto ca = lienthong::testca::TestCa::create("Hub Signing");
    const auto files = ca.issue_signer("Truc lien thong", "000.00.00.H39")
                           .write_files(axis.dir.path(), "hub-signer");
    it::Hub hub(it::with_config(
        with(axis.national_config(), json::object{{"signing_key_file", files.key_path},
                                                  {"signing_cert_file", files.cert_path}})));
    CHECK(national_of(hub).at("signs_packages").as_bool());
    Client sender(hub.agency(hub.code(0)));
    it::post_accepted(sender, it::make_envelope(hub, hub.code(0), {"H41"}));
    REQUIRE(it::eventually([&] { return axis.sent_by_hub("edoc").size() == 1; }));
    const auto package = it::package_of(axis.sent_by_hub("edoc").front());
    const auto signature = hub::national::verify_xmldsig(package);
    REQUIRE(signature.has_value());
    REQUIRE(signature->has_value());
    CHECK((*signature)->signature_algorithm == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    CHECK_FALSE((*signature)->weak);
    CHECK(hub::national::decode_envelope_package(package).has_value());
}
