#include "metrics.h"

#include <sstream>

namespace hub {

void Metrics::observe(const std::string& route, unsigned status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, status}];
    auto& series = latency_[route];
    ++series.count;
    series.sum += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            ++series.buckets[i];
        }
    }
}

std::string Metrics::render(const std::string& extra) const {
    std::ostringstream out;
    std::lock_guard lock(mutex_);
    out << "# HELP lienthong_requests_total Requests answered, by route and HTTP status.\n"
        << "# TYPE lienthong_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
        out << "lienthong_requests_total{route=\"" << key.first << "\",status=\"" << key.second
            << "\"} " << count << "\n";
    }
    out << "# HELP lienthong_request_seconds Time to answer, by route.\n"
        << "# TYPE lienthong_request_seconds histogram\n";
    for (const auto& [route, series] : latency_) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            out << "lienthong_request_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i]
                << "\"} " << series.buckets[i] << "\n";
        }
        out << "lienthong_request_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} "
            << series.count << "\n"
            << "lienthong_request_seconds_sum{route=\"" << route << "\"} " << series.sum << "\n"
            << "lienthong_request_seconds_count{route=\"" << route << "\"} " << series.count
            << "\n";
    }
    out << "# HELP lienthong_unauthenticated_total Requests refused at the header: no client "
           "certificate, or one the registry does not know.\n"
        << "# TYPE lienthong_unauthenticated_total counter\n"
        << "lienthong_unauthenticated_total " << unauthenticated_.load() << "\n"
        << "# HELP lienthong_rate_limited_total Requests refused at the header: the "
           "organization was over its rate.\n"
        << "# TYPE lienthong_rate_limited_total counter\n"
        << "lienthong_rate_limited_total " << rate_limited_.load() << "\n";
    out << extra;
    return out.str();
}

}  // namespace hub
