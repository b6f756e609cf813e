#include "hub/ops/request_metrics.h"

#include <algorithm>

namespace hub::ops {

namespace {
constexpr std::string_view kOther = "other";
constexpr auto kRelaxed = std::memory_order_relaxed;
}  // namespace

RequestMetrics::RequestMetrics(std::vector<std::string> routes) {
    if (std::find(routes.begin(), routes.end(), kOther) == routes.end()) {
        routes.emplace_back(kOther);
    }
    for (auto& name : routes) {
        auto r = std::make_unique<Route>();
        r->name = std::move(name);
        routes_.push_back(std::move(r));
    }
}

const RequestMetrics::Route* RequestMetrics::find(std::string_view name) const {
    for (const auto& r : routes_) {
        if (r->name == name) {
            return r.get();
        }
    }
    return nullptr;
}

RequestMetrics::Route& RequestMetrics::route(std::string_view name) {
    if (const Route* r = find(name)) {
        return const_cast<Route&>(*r);
    }
    return const_cast<Route&>(*find(kOther));
}

void RequestMetrics::observe(std::string_view name,
                             std::optional<errc> outcome,
                             std::chrono::nanoseconds took) {
    Route& r = route(name);
    r.outcomes[outcome ? static_cast<std::size_t>(*outcome) : 0].fetch_add(1, kRelaxed);
    const double seconds = std::chrono::duration<double>(took).count();
    // Buckets are stored per interval and summed when rendered: one increment per request.
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
    r.buckets[bucket].fetch_add(1, kRelaxed);
    r.sum_ns.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(took.count(), 0)),
                       kRelaxed);
    r.timed.fetch_add(1, kRelaxed);
}

void RequestMetrics::refused(std::string_view name, errc outcome) {
    route(name).outcomes[static_cast<std::size_t>(outcome)].fetch_add(1, kRelaxed);
}

std::uint64_t RequestMetrics::requests(std::string_view name, std::string_view outcome) const {
    const Route* r = find(name);
    if (r == nullptr) {
        return 0;
    }
    if (outcome == "OK") {
        return r->outcomes[0].load(kRelaxed);
    }
    errc code{};
    if (!code_from_name(outcome, code)) {
        return 0;
    }
    return r->outcomes[static_cast<std::size_t>(code)].load(kRelaxed);
}

void RequestMetrics::render(Exposition& out) const {
    out.family("lienthong_requests_total", "counter",
               "Agency requests answered, by route and outcome (OK or the error code), "
               "including those refused at the header.");
    for (const auto& r : routes_) {
        for (std::size_t i = 0; i < kOutcomes; ++i) {
            const auto n = r->outcomes[i].load(kRelaxed);
            if (n == 0) {
                continue;  // 27 outcomes per route: only those that happened
            }
            const std::string outcome =
                i == 0 ? std::string("OK") : std::string(code_name(static_cast<errc>(i)));
            out.sample("lienthong_requests_total", {{"route", r->name}, {"outcome", outcome}},
                       static_cast<double>(n));
        }
    }
    out.family("lienthong_request_duration_seconds", "histogram",
               "Time from the end of a request's header to its answer, by route.");
    for (const auto& r : routes_) {
        std::array<std::uint64_t, kBuckets.size() + 1> counts{};
        for (std::size_t i = 0; i < counts.size(); ++i) {
            counts[i] = r->buckets[i].load(kRelaxed);
        }
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += counts[i];
            out.sample("lienthong_request_duration_seconds_bucket",
                       {{"route", r->name}, {"le", Exposition::format_value(kBuckets[i])}},
                       static_cast<double>(cumulative));
        }
        cumulative += counts.back();
        // Count is the +Inf bucket read above, so _count and +Inf always agree.
        out.sample("lienthong_request_duration_seconds_bucket",
                   {{"route", r->name}, {"le", "+Inf"}}, static_cast<double>(cumulative));
        out.sample("lienthong_request_duration_seconds_sum", {{"route", r->name}},
                   static_cast<double>(r->sum_ns.load(kRelaxed)) / 1e9);
        out.sample("lienthong_request_duration_seconds_count", {{"route", r->name}},
                   static_cast<double>(cumulative));
    }
}

}  // namespace hub::ops
