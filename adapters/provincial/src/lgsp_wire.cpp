// Lạng Sơn's provincial axis API as eOffice clients call it (notes §8, observed [C] and read
// in the client [R]). Clients judge success on the JSON (`code` 200 or 0 and no errorDetail),
// retry on any error code but 10, 15, 18, 19, 21, 22, 23, and log in again once on a 401.

#include "hub/provincial/lgsp_wire.h"

#include "hub/national/edxml.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace hub::provincial {
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

std::string to_text(const json::object& body) { return json::serialize(body); }

// The refusal's body, with `code` in the JSON (the clients read it, not the HTTP status).
json::object refusal_body(const Failure& failure, int code) {
    const std::string text = failure.text();
    return json::object{
        {"code", code},
        {"success", false},
        {"message", text},
        {"errorDetail",
         json::array{json::object{
             {"exception", code_name(failure.code)}, {"field", failure.field}, {"message", text}}}},
        {"data", json::object{{"status", "FAIL"},
                              {"errorCode", error_code(failure.code)},
                              {"errorDesc", text},
                              {"hubCode", code_name(failure.code)},
                              {"field", failure.field}}}};
}

// "YYYY/MM/DD" as the UTC day it names.
std::optional<std::chrono::sys_days> utc_day(std::string_view text) {
    if (text.size() != 10 || text[4] != '/' || text[7] != '/') {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t n, int& out) {
        auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, out);
        return ec == std::errc() && end == text.data() + at + n;
    };
    int y = 0, m = 0, d = 0;
    if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) {
        return std::nullopt;
    }
    const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(unsigned(m)),
                                          std::chrono::day(unsigned(d))};
    if (!day.ok()) {
        return std::nullopt;
    }
    return std::chrono::sys_days(day);
}

// "YYYY/MM/DD HH:MM:SS" in Vietnam time, as the list shows times.
std::string list_time(Instant at) {
    const auto local = to_vietnam(at);
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(local - day)};
    char out[64];
    std::snprintf(out, sizeof out, "%04d/%02u/%02u %02ld:%02ld:%02ld", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                  long(hms.minutes().count()), long(hms.seconds().count()));
    return out;
}

}  // namespace

std::optional<Call> call_of(verb method, std::string_view path) {
    struct Route {
        verb method;
        std::string_view path;
        Call call;
    };
    static constexpr Route kRoutes[] = {
        {verb::post, "/v1/auth/login", Call::login},
        {verb::get, "/v1/getAgenciesList", Call::agencies},
        {verb::post, "/v1/sendEdoc", Call::send},
        {verb::get, "/v1/syncReceivedEdocList", Call::list},
        {verb::get, "/v1/getEdoc", Call::get},
        {verb::post, "/v1/updateStatus", Call::update_status},
    };
    for (const auto& route : kRoutes) {
        if (route.method == method && route.path == path) {
            return route.call;
        }
    }
    return std::nullopt;
}

bool acts_for_unit(Call call) { return call != Call::login && call != Call::agencies; }

std::string bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.size() <= kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return {};
    }
    return std::string(authorization.substr(kScheme.size()));
}

Reply success(json::value data, std::optional<std::size_t> count) {
    json::object body{{"code", 200}, {"success", true}, {"message", "OK"}};
    if (count) {
        body["count"] = *count;
    }
    body["data"] = std::move(data);
    return Reply{200, to_text(body)};
}

Reply login_reply(const std::string& token, unsigned ttl_s) {
    return success(json::object{{"token", token}, {"tokenType", "Bearer"}, {"expiresIn", ttl_s}});
}

std::string_view error_code(errc code) {
    switch (code) {
        case errc::payload_too_large:
        case errc::unsupported_media_type:
        case errc::attachment_type:
        case errc::attachment_digest:
        case errc::secret_not_allowed:
            return "10";
        case errc::unauthenticated:
            return "15";
        case errc::unknown_recipient:
            return "18";
        case errc::forbidden_sender:
        case errc::signer_mismatch:
            return "19";
        case errc::signature_invalid:
        case errc::certificate_untrusted:
        case errc::certificate_revoked:
        case errc::signature_policy:
        case errc::duplicate_conflict:
        case errc::reply_target_unknown:
        case errc::not_found:
            return "21";
        case errc::malformed:
        case errc::invalid_org_code:
        case errc::invalid_document_id:
        case errc::invalid_text:
        case errc::invalid_time:
        case errc::reason_required:
        case errc::invalid_status:
            return "22";
        case errc::rate_limited:
        case errc::unavailable:
        case errc::maintenance:
        case errc::internal:
            return "20";
    }
    return "20";
}

Reply refusal(const Failure& failure) {
    // 401 means "log in again" to these clients: a refusal of the unit is 403, not 401.
    unsigned status = static_cast<unsigned>(http_status(failure.code));
    if (status == 401) {
        status = 403;
    }
    return Reply{status, to_text(refusal_body(failure, static_cast<int>(status)))};
}

Reply token_refused() {
    const Failure failure = fail(errc::unauthenticated, "Authorization",
                                 "log in first: no token, or one this hub did not issue to this "
                                 "certificate, or one that expired");
    return Reply{401, to_text(refusal_body(failure, 401))};
}

Result<std::pair<Instant, Instant>> list_window(std::string_view from, std::string_view to) {
    const auto first = utc_day(from);
    if (!first) {
        return fail(errc::malformed, "fromDate", "a date as YYYY/MM/DD");
    }
    const auto last = utc_day(to);
    if (!last) {
        return fail(errc::malformed, "toDate", "a date as YYYY/MM/DD");
    }
    if (*last < *first) {
        return fail(errc::malformed, "toDate", "before fromDate");
    }
    using std::chrono::days;
    const Instant start = std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::sys_time<days>(*first - days(1)));
    const Instant end = std::chrono::time_point_cast<std::chrono::milliseconds>(
                            std::chrono::sys_time<days>(*last + days(2))) -
                        std::chrono::milliseconds(1);
    return std::pair{start, end};
}

Result<StatusChange> status_change(std::string_view status) {
    using Kind = StatusChange::Kind;
    if (status == "01" || status == "done") {
        return StatusChange{Kind::receipt, "01"};
    }
    if (status == "processing" || status == "fail") {
        return StatusChange{Kind::transport, std::string(status)};
    }
    static constexpr std::string_view kReports[] = {"02", "03", "04", "05", "06", "13", "15", "16"};
    for (auto code : kReports) {
        if (status == code) {
            return StatusChange{Kind::report, std::string(code)};
        }
    }
    return fail(errc::invalid_status, "status",
                "'" + std::string(status) +
                    "' is none of 01-06, 13, 15, 16 (QĐ 28) or done, processing, fail");
}

json::object agency_entry(const OrgInfo& org) {
    const auto code = parse_org_code(org.code);
    const auto level = code ? code->segments.size() : 0;
    return json::object{{"id", org.code},
                        {"code", org.edxml.empty() ? org.code : org.edxml},
                        {"oldCode", org.given == org.code ? "" : org.given},
                        {"name", org.name},
                        {"centerCode", ""},
                        {"parentId", org.parent},
                        {"level", level},
                        {"type", org.route == lienthong::v1::NATIONAL ? "national" : "local"},
                        {"typeInternal", org.active ? "active" : "suspended"}};
}

json::object list_entry(const ListedItem& item) {
    const auto created = list_time(item.created);
    return json::object{{"docId", item.doc_id},  {"from", item.from},   {"to", item.to},
                        {"status", "01"},        {"statusDesc", "new"}, {"createdTime", created},
                        {"updatedTime", created}};
}

json::object package_data(const ListedItem& item,
                          std::string_view from_name,
                          std::string_view edoc_code,
                          std::string_view abstract,
                          std::string_view package) {
    json::object data = list_entry(item);
    data["fromName"] = from_name;
    data["edocCode"] = edoc_code;
    data["edocAbstract"] = abstract;
    data["data"] = national::base64_encode(package);
    return data;
}

json::object sent_data(std::string_view doc_id) {
    return json::object{{"status", "OK"}, {"docId", doc_id}, {"errorCode", "0"}, {"errorDesc", ""}};
}

}  // namespace hub::provincial
