#include "hub/ops/report_format.h"

#include <boost/json.hpp>

#include <charconv>

namespace hub::ops {

namespace {

using namespace std::chrono;

struct Count {
    const char* name;
    std::int64_t AgencyFigures::*field;
};

// One list for both renderings, so the CSV columns and the JSON fields cannot drift apart.
constexpr Count kCounts[] = {
    {"sent", &AgencyFigures::sent},
    {"received", &AgencyFigures::received},
    {"rejected_by_recipients", &AgencyFigures::rejected_by_recipients},
    {"rejections_sent", &AgencyFigures::rejections_sent},
    {"handled_on_time", &AgencyFigures::handled_on_time},
    {"overdue", &AgencyFigures::overdue},
    {"replies_on_time", &AgencyFigures::replies_on_time},
    {"replies_late", &AgencyFigures::replies_late},
    {"paper_copies", &AgencyFigures::paper_copies},
    {"handled", &AgencyFigures::handled},
};

Result<year_month_day> date_param(const std::optional<std::string>& text, const char* field) {
    if (!text) {
        return fail(errc::malformed, field, std::string(field) + " is required with the other");
    }
    auto day = parse_date(*text);
    if (!day) {
        return fail(errc::malformed, field, std::string(field) + ": a date yyyy-MM-dd");
    }
    return *day;
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string out = "\"";
    for (char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

std::string optional_text(const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : std::string();
}

boost::json::value optional_json(const std::optional<std::int64_t>& v) {
    if (!v) {
        return nullptr;
    }
    return *v;
}

}  // namespace

Result<ReportDates> quarter_dates(std::string_view quarter) {
    int year = 0;
    const char* end = quarter.data() + quarter.size();
    auto [p, ec] = std::from_chars(quarter.data(), end, year);
    const bool shaped = ec == std::errc() && p - quarter.data() == 4 && end - p == 2 &&
                        (p[0] == 'Q' || p[0] == 'q') && p[1] >= '1' && p[1] <= '4';
    if (!shaped) {
        return fail(errc::malformed, "quarter", "quarter: YYYYQn, e.g. 2026Q3");
    }
    const unsigned first = 3 * static_cast<unsigned>(p[1] - '1') + 1;
    const year_month_day from{std::chrono::year(year), month(first), day(1)};
    const year_month_day to{
        year_month_day_last(std::chrono::year(year), month_day_last(month(first + 2)))};
    return ReportDates{from, to};
}

ReportDates quarter_of(Instant now) {
    const year_month_day today{floor<days>(to_vietnam(now))};
    const unsigned q = (static_cast<unsigned>(today.month()) - 1) / 3;
    return quarter_dates(std::to_string(static_cast<int>(today.year())) + "Q" +
                         std::to_string(q + 1))
        .value();
}

Result<ReportDates> report_dates(const std::optional<std::string>& quarter,
                                 const std::optional<std::string>& from,
                                 const std::optional<std::string>& to,
                                 Instant now) {
    if (quarter) {
        if (from || to) {
            return fail(errc::malformed, "quarter", "a quarter, or from and to, not both");
        }
        return quarter_dates(*quarter);
    }
    if (!from && !to) {
        return quarter_of(now);
    }
    auto first = date_param(from, "from");
    if (!first) {
        return first.error();
    }
    auto last = date_param(to, "to");
    if (!last) {
        return last.error();
    }
    if (sys_days(*last) < sys_days(*first)) {
        return fail(errc::malformed, "to", "to is before from");
    }
    return ReportDates{*first, *last};
}

ReportPeriod period_of(const ReportDates& dates) {
    using Local = local_time<milliseconds>;
    return ReportPeriod{from_vietnam(Local(local_days(dates.from))),
                        from_vietnam(Local(local_days(dates.to) + days(1)))};
}

std::string report_json(const Report& report, const ReportDates& dates) {
    boost::json::object out;
    out["from"] = format_date(dates.from);
    out["to"] = format_date(dates.to);
    out["begin"] = format_instant(report.period.begin);
    out["end"] = format_instant(report.period.end);
    boost::json::array agencies;
    for (const auto& a : report.agencies) {
        boost::json::object row;
        row["code"] = a.code;
        for (const auto& count : kCounts) {
            row[count.name] = a.*count.field;
        }
        row["handling_median_ms"] = optional_json(a.handling_median_ms);
        row["handling_p90_ms"] = optional_json(a.handling_p90_ms);
        agencies.push_back(std::move(row));
    }
    out["agencies"] = std::move(agencies);
    boost::json::array refusals;
    for (const auto& r : report.refusals) {
        refusals.push_back(
            boost::json::object{{"agency", r.agency}, {"code", r.code}, {"count", r.count}});
    }
    out["refusals"] = std::move(refusals);
    return boost::json::serialize(out);
}

std::string report_csv(const Report& report) {
    std::string out = "agency";
    for (const auto& count : kCounts) {
        out += ',';
        out += count.name;
    }
    out += ",handling_median_ms,handling_p90_ms\n";
    for (const auto& a : report.agencies) {
        out += csv_field(a.code);
        for (const auto& count : kCounts) {
            out += ',' + std::to_string(a.*count.field);
        }
        out += ',' + optional_text(a.handling_median_ms) + ',' + optional_text(a.handling_p90_ms) +
               '\n';
    }
    out += "\nagency,error_code,count\n";
    for (const auto& r : report.refusals) {
        out += csv_field(r.agency) + ',' + csv_field(r.code) + ',' + std::to_string(r.count) + '\n';
    }
    return out;
}

}  // namespace hub::ops
