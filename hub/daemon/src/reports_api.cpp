#include "reports_api.h"

#include "hub/http/message.h"
#include "hub/ops/report_format.h"

#include <optional>

namespace hub {

namespace {

std::optional<std::string> param(const http::Request& request, const std::string& name) {
    auto it = request.query.find(name);
    if (it == request.query.end()) {
        return std::nullopt;
    }
    return it->second;
}

}  // namespace

boost::asio::awaitable<http::Response> get_report(ReportStore& reports,
                                                  const Clock& clock,
                                                  http::Request request) {
    if (request.method != boost::beast::http::verb::get) {
        auto response = http::error_response(fail(errc::not_found, "", "GET only"), request);
        response.status = 405;
        co_return response;
    }
    const std::string format = param(request, "format").value_or("json");
    if (format != "json" && format != "csv") {
        co_return http::error_response(fail(errc::malformed, "format", "format: json or csv"),
                                       request);
    }
    const Instant now = clock.now();
    auto dates = ops::report_dates(param(request, "quarter"), param(request, "from"),
                                   param(request, "to"), now);
    if (!dates) {
        co_return http::error_response(dates.error(), request);
    }
    auto report = co_await reports.report(ops::period_of(*dates), now);
    if (!report) {
        co_return http::error_response(report.error(), request);
    }
    if (format == "csv") {
        co_return http::Response{200, "text/csv; charset=utf-8", ops::report_csv(*report), {}, {}};
    }
    co_return http::Response{200, "application/json", ops::report_json(*report, *dates), {}, {}};
}

}  // namespace hub
