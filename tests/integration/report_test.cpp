// Period reports from the real lienthongd: traffic seeded through the agency API,
// the report read at GET /admin/v1/reports and through lienthongctl, against figures counted
// by hand; agency certificates refused.

#include "hub/core/org_code.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"
#include "process.h"

namespace v1 = lienthong::v1;
using hub::http::Client;

namespace {

it::CommandResult ctl(const it::Hub& hub, std::vector<std::string> args) {
    args.insert(args.begin(), it::ctl_path());
    return it::run_command(args, hub.dir());
}

// From yesterday to a month ahead (Vietnam dates): the traffic is today, and a delivery acked
// after hours has its handling deadline on a later working day.
std::string period_query() {
    return "from=" + it::vietnam_date(-1) + "&to=" + it::vietnam_date(30);
}

std::map<std::string, boost::json::object> by_code(const boost::json::value& report) {
    std::map<std::string, boost::json::object> out;
    for (const auto& row : report.at("agencies").as_array()) {
        out[std::string(row.at("code").as_string())] = row.as_object();
    }
    return out;
}

std::int64_t figure(const boost::json::object& row, const char* name) {
    return row.at(name).as_int64();
}

}  // namespace

TEST_CASE("R-18 report: a seeded period matches the figures counted by hand",
          "[integration][ops][report]") {
    it::Hub hub;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Client sender(hub.agency(a));
    Client recipient(hub.agency(b));

    // A sends two envelopes, the first announcing a paper copy, to B (and the first to C,
    // who never takes it). B takes both, handles the first with 03 and rejects the second.
    const auto paper = it::make_envelope(
        hub, a, {b, c}, [](it::Draft& d) { d.header.set_paper_copy_follows(true); });
    const auto plain = it::make_envelope(hub, a, {b});
    const auto first = it::post_accepted(sender, paper).envelope_id();
    const auto second = it::post_accepted(sender, plain).envelope_id();
    REQUIRE(it::collect_envelopes(recipient, {first, second}).size() == 2);
    it::status_accepted(recipient, it::status_update(it::header_of(paper).document_id(), a, "03"));
    it::status_accepted(recipient, it::status_update(it::header_of(plain).document_id(), a, "02",
                                                     "Sai thẩm quyền"));
    // Two refusals of A's: bytes that are no envelope. A repost is no refusal.
    const auto refused = it::post_raw(sender, "no envelope", it::kProtobuf);
    REQUIRE(refused.status == 400);
    const std::string refusal_code = it::error_code_of(refused);
    REQUIRE(it::post_raw(sender, "no envelope either", it::kProtobuf).status == 400);
    REQUIRE(it::post(sender, plain).status == 200);

    Client op(hub.operator_client());
    const auto answer = it::get(op, "/admin/v1/reports?" + period_query());
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    CHECK(answer.header("content-type") == "application/json");
    const auto report = boost::json::parse(answer.body);
    CHECK(report.at("from").as_string() == it::vietnam_date(-1));
    CHECK(report.at("to").as_string() == it::vietnam_date(30));
    auto rows = by_code(report);
    REQUIRE(rows.size() == 2);  // C took nothing, sent nothing
    const auto& ra = rows.at(hub::canonical_org_code(a));
    CHECK(figure(ra, "sent") == 2);
    CHECK(figure(ra, "paper_copies") == 1);
    CHECK(figure(ra, "received") == 0);
    CHECK(figure(ra, "rejected_by_recipients") == 1);
    CHECK(figure(ra, "rejections_sent") == 0);
    CHECK(figure(ra, "handled") == 0);
    CHECK(ra.at("handling_median_ms").is_null());
    const auto& rb = rows.at(hub::canonical_org_code(b));
    CHECK(figure(rb, "sent") == 0);
    CHECK(figure(rb, "received") == 2);
    CHECK(figure(rb, "rejections_sent") == 1);
    CHECK(figure(rb, "handled_on_time") == 2);
    CHECK(figure(rb, "overdue") == 0);
    CHECK(figure(rb, "replies_on_time") == 0);
    CHECK(figure(rb, "replies_late") == 0);
    CHECK(figure(rb, "handled") == 2);
    CHECK(rb.at("handling_median_ms").as_int64() >= 0);
    CHECK(rb.at("handling_median_ms").as_int64() <= rb.at("handling_p90_ms").as_int64());
    const auto& refusals = report.at("refusals").as_array();
    REQUIRE(refusals.size() == 1);
    CHECK(refusals[0].at("agency").as_string() == hub::canonical_org_code(a));
    CHECK(refusals[0].at("code").as_string() == refusal_code);
    CHECK(refusals[0].at("count").as_int64() == 2);

    // lienthongctl asks the same endpoint and writes what it answered.
    const auto csv = it::get(op, "/admin/v1/reports?format=csv&" + period_query());
    REQUIRE(csv.status == 200);
    CHECK(csv.header("content-type") == "text/csv; charset=utf-8");
    CHECK(csv.body.rfind("agency,sent,received,", 0) == 0);
    const std::string out = hub.dir() + "/report.csv";
    const auto written = ctl(hub, {"report", "--env", hub.dir(), "--from", it::vietnam_date(-1),
                                   "--to", it::vietnam_date(30), "--format", "csv", "--out", out});
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK(it::slurp(out) == csv.body);
    const auto printed = ctl(hub, {"report", "--env", hub.dir(), "--from", it::vietnam_date(-1),
                                   "--to", it::vietnam_date(30), "--format", "json"});
    REQUIRE(printed.exit_code == 0);
    CHECK(boost::json::parse(printed.out) == report);
}

TEST_CASE("R-19 report: the quarter by default, and bad periods are refused",
          "[integration][ops][report]") {
    it::Hub hub;
    Client op(hub.operator_client());
    const auto current = it::get(op, "/admin/v1/reports");
    INFO(current.body);
    REQUIRE(current.status == 200);
    const std::string today = it::vietnam_date();
    const int month = std::stoi(today.substr(5, 2));
    const int first_month = (month - 1) / 3 * 3 + 1;
    char from[16];
    std::snprintf(from, sizeof from, "%s-%02d-01", today.substr(0, 4).c_str(), first_month);
    CHECK(boost::json::parse(current.body).at("from").as_string() == from);

    CHECK_FAILS_WITH(it::get(op, "/admin/v1/reports?quarter=2026Q5"), 400, "MALFORMED");
    CHECK_FAILS_WITH(it::get(op, "/admin/v1/reports?from=2026-07-02&to=2026-07-01"), 400,
                     "MALFORMED");
    CHECK_FAILS_WITH(it::get(op, "/admin/v1/reports?quarter=2026Q3&format=xlsx"), 400, "MALFORMED");
    const auto usage = ctl(hub, {"report", "--env", hub.dir(), "--quarter", "2026Q9"});
    CHECK(usage.exit_code == 2);
    CHECK(usage.err.find("quarter") != std::string::npos);
}

TEST_CASE("R-18 report: an agency certificate is refused with 401", "[integration][ops][report]") {
    it::Hub hub;
    auto options = hub.operator_client();
    options.cert_file = hub.agency_dir(hub.code(0)) + "/client.crt";
    options.key_file = hub.agency_dir(hub.code(0)) + "/client.key";
    Client agency_on_operator(options);
    CHECK_FAILS_WITH(it::get(agency_on_operator, "/admin/v1/reports?quarter=2026Q3"), 401,
                     "UNAUTHENTICATED");
}
