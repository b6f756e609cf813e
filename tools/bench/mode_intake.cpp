// --mode intake: W1 (a signed header and a PDF MAIN, POSTed to /v1/envelopes) against the
// cheapest authenticated request the daemon has (GET /healthz on the operator listener),
// same client, same connection count, phases alternating inside one run.

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>

#include "amqp_raw.h"
#include "daemon.h"
#include "envelopes.h"
#include "load.h"
#include "modes.h"
#include "report.h"

namespace bench {
namespace {
using namespace std::chrono_literals;

constexpr std::size_t kInitialPool = 3000;
// Rate assumed for sizing the pool before any A phase was measured (--warmup 0).
constexpr double kGuessedRate = 1000;

// Envelopes signed ahead of the timed phases; used ones are dropped between phases.
class EnvelopePool {
public:
    EnvelopePool(const EnvelopeFactory& factory, std::vector<std::string> to, std::size_t max)
        : factory_(factory), to_(std::move(to)), max_(max) {}

    // Signs enough to leave `wanted` unused (at most max_); returns how many it signed.
    std::size_t top_up(std::size_t wanted) {
        const std::size_t used = std::min(next_.load(), items_.size());
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(used));
        next_ = 0;
        wanted = std::min(wanted, max_);
        if (items_.size() >= wanted) {
            return 0;
        }
        const std::size_t count = wanted - items_.size();
        const long first_number = number_;
        auto fresh = build_parallel(count, [&](std::size_t i) {
            return factory_.make(to_, first_number + static_cast<long>(i));
        });
        number_ += static_cast<long>(count);
        for (auto& envelope : fresh) {
            items_.push_back(std::move(envelope));
        }
        return count;
    }

    // Thread-safe while no top_up runs.
    const PooledEnvelope* take() {
        const std::size_t i = next_++;
        return i < items_.size() ? &items_[i] : nullptr;
    }

private:
    const EnvelopeFactory& factory_;
    std::vector<std::string> to_;
    std::size_t max_;
    std::vector<PooledEnvelope> items_;
    std::atomic<std::size_t> next_{0};
    long number_ = 1;
};

struct Phase {
    const char* name;  // "A" or "B"
    PhaseResult result;
};

void print_table_head() {
    std::printf("\n%-6s %-4s %10s %8s %7s %8s %8s %8s %8s %8s %11s\n", "round", "load", "req/s",
                "ok", "errors", "p50 ms", "p99 ms", "max ms", "cli CPU", "hub CPU", "hub CPU/req");
}

// Not const: the percentiles sort the samples in place.
void print_phase(const std::string& round, Phase& p) {
    auto& r = p.result;
    const double hub_per_request = r.daemon_cpu_seconds >= 0 && r.ok > 0
                                       ? r.daemon_cpu_seconds / static_cast<double>(r.ok) * 1e3
                                       : -1;
    std::printf("%-6s %-4s %10.1f %8ld %7ld %8.2f %8.2f %8.2f %7.0f%% %7.0f%% %8.3f ms%s\n",
                round.c_str(), p.name, r.rate(), r.ok, r.errors, r.latencies.percentile_ms(0.5),
                r.latencies.percentile_ms(0.99), r.latencies.max_ms(),
                100 * r.client_cpu_seconds / r.seconds, 100 * r.daemon_cpu_seconds / r.seconds,
                hub_per_request, r.exhausted ? "  (pool ran out: phase cut short)" : "");
    if (!r.first_error.empty()) {
        std::printf("       first error of %s: %s\n", p.name, r.first_error.c_str());
    }
    std::fflush(stdout);
}

boost::json::object phase_json(Phase& p) {
    auto& r = p.result;
    return {{"requests_per_second", r.rate()},
            {"ok", r.ok},
            {"errors", r.errors},
            {"seconds", r.seconds},
            {"p50_ms", r.latencies.percentile_ms(0.5)},
            {"p99_ms", r.latencies.percentile_ms(0.99)},
            {"max_ms", r.latencies.max_ms()},
            {"client_cpu_seconds", r.client_cpu_seconds},
            {"daemon_cpu_seconds", r.daemon_cpu_seconds},
            {"reconnects", r.reconnects},
            {"pool_exhausted", r.exhausted},
            {"first_error", r.first_error}};
}

}  // namespace

int run_intake(const Options& options) {
    BenchEnv env(options, 2);
    const auto& sender = env.agencies()[0];
    const auto& recipient = env.agencies()[1];
    EnvelopeFactory factory(sender, options.format, options.pdf_bytes);
    EnvelopePool pool(factory, {recipient.code}, static_cast<std::size_t>(options.max_pool));

    const auto sign_start = SteadyClock::now();
    const std::size_t first = pool.top_up(kInitialPool);
    std::printf("signed %zu envelopes in %.1f s before starting the daemon\n", first,
                std::chrono::duration<double>(SteadyClock::now() - sign_start).count());

    env.start_daemon(60s);
    print_environment(env);
    const char* type = content_type(options.format);
    std::printf(
        "A: POST /v1/envelopes, W1 = signed header (RSA-2048 CMS) + %d-byte PDF MAIN, %s, "
        "%s -> %s, distinct envelopes pre-signed, expect 202\n",
        options.pdf_bytes, format_name(options.format), sender.code.c_str(),
        recipient.code.c_str());
    std::printf("B: GET /healthz on the operator listener (operator certificate), expect 200\n");
    std::printf(
        "both: %d keep-alive TLS connections, %d client thread(s), %d s per phase, %d round(s) "
        "(order AB, BA, AB, ...), closed loop\n",
        options.connections, options.client_threads, options.seconds, options.rounds);

    auto agency_tls = make_tls_context(env.agency_identity(0));
    auto operator_tls = make_tls_context(env.operator_identity());
    const std::string health = request_head("GET", "/healthz", "", type, 0);
    auto make_spec = [&](bool subject, std::chrono::milliseconds duration) {
        PhaseSpec spec;
        spec.tls = subject ? agency_tls : operator_tls;
        spec.port = subject ? env.agency_port() : env.operator_port();
        spec.connections = options.connections;
        spec.threads = options.client_threads;
        spec.duration = duration;
        spec.daemon_pid = env.daemon_pid();
        spec.expected_status = subject ? 202 : 200;
        if (subject) {
            spec.next = [&pool]() -> std::optional<std::string_view> {
                const auto* envelope = pool.take();
                if (envelope == nullptr) {
                    return std::nullopt;
                }
                return envelope->request;
            };
        } else {
            spec.next = [&health]() -> std::optional<std::string_view> { return health; };
        }
        return spec;
    };

    // Expected envelopes per A phase, from the best rate seen so far.
    double best_rate = 0;
    auto top_up_for = [&](std::chrono::milliseconds duration) {
        const double rate = best_rate > 0 ? best_rate : kGuessedRate;
        const auto wanted = static_cast<std::size_t>(
            std::ceil(rate * std::chrono::duration<double>(duration).count() * 1.5) + 200);
        const auto start = SteadyClock::now();
        if (const auto signed_now = pool.top_up(wanted); signed_now > 0) {
            std::printf("  (signed %zu more envelopes in %.1f s, untimed)\n", signed_now,
                        std::chrono::duration<double>(SteadyClock::now() - start).count());
        }
    };

    boost::json::object json = json_preamble(options, env);
    json["workloads"] = {{"A", strf("POST /v1/envelopes W1 (signed header + %d-byte PDF MAIN, %s)",
                                    options.pdf_bytes, format_name(options.format))},
                         {"B", "GET /healthz (operator listener)"}};
    bool all_ok = true;

    if (options.warmup_seconds > 0) {
        const std::chrono::milliseconds warm(options.warmup_seconds * 1000);
        print_table_head();
        top_up_for(warm);
        Phase a{"A", run_phase(make_spec(true, warm))};
        Phase b{"B", run_phase(make_spec(false, warm))};
        print_phase("warmup", a);
        print_phase("warmup", b);
        best_rate = a.result.rate();
        json["warmup"] = {{"A", phase_json(a)}, {"B", phase_json(b)}};
    } else {
        print_table_head();
    }

    const std::chrono::milliseconds duration(options.seconds * 1000);
    std::vector<double> a_rates, b_rates, ratios, a_p50, a_p99, b_p50, b_p99;
    std::vector<double> c_rates, a_over_c_ratios;
    boost::json::array rounds;
    for (int round = 1; round <= options.rounds; ++round) {
        // Alternating the order cancels a steady drift (a growing ledger, a neighbour's load).
        const bool a_first = round % 2 == 1;
        Phase a{"A", {}};
        Phase b{"B", {}};
        for (int step = 0; step < 2; ++step) {
            if ((step == 0) == a_first) {
                top_up_for(duration);
                a.result = run_phase(make_spec(true, duration));
                best_rate = std::max(best_rate, a.result.rate());
            } else {
                b.result = run_phase(make_spec(false, duration));
            }
        }
        const std::string label = std::to_string(round) + (a_first ? " AB" : " BA");
        print_phase(label, a);
        print_phase(label, b);
        const double ratio = b.result.rate() > 0 ? a.result.rate() / b.result.rate() : 0;
        std::printf("%-6s %-4s %10.4f\n", label.c_str(), "A/B", ratio);
        if (options.transport == "amqp") {
            // C: the broker's ceiling for what the hub publishes per envelope, same run.
            const auto c =
                raw_confirm(options.amqp_url, duration, static_cast<std::size_t>(options.raw_bytes),
                            static_cast<std::size_t>(options.raw_window));
            const double a_over_c = c.rate() > 0 ? a.result.rate() / c.rate() : 0;
            std::printf("%-6s %-4s %10.1f msg/s (raw rabbitmq-c confirms, %d B, window %d)\n",
                        label.c_str(), "C", c.rate(), options.raw_bytes, options.raw_window);
            std::printf("%-6s %-4s %10.4f\n", label.c_str(), "A/C", a_over_c);
            c_rates.push_back(c.rate());
            a_over_c_ratios.push_back(a_over_c);
        }
        all_ok = all_ok && a.result.errors == 0 && b.result.errors == 0 && !a.result.exhausted;
        a_rates.push_back(a.result.rate());
        b_rates.push_back(b.result.rate());
        ratios.push_back(ratio);
        a_p50.push_back(a.result.latencies.percentile_ms(0.5));
        a_p99.push_back(a.result.latencies.percentile_ms(0.99));
        b_p50.push_back(b.result.latencies.percentile_ms(0.5));
        b_p99.push_back(b.result.latencies.percentile_ms(0.99));
        rounds.push_back({{"round", round},
                          {"order", a_first ? "AB" : "BA"},
                          {"A", phase_json(a)},
                          {"B", phase_json(b)},
                          {"ratio_A_over_B", ratio}});
    }

    std::printf("\nmedian of %d round(s):\n", options.rounds);
    std::printf("  A  W1 POST /v1/envelopes  %10.1f req/s   p50 %7.2f ms   p99 %7.2f ms\n",
                median(a_rates), median(a_p50), median(a_p99));
    std::printf("  B  GET /healthz           %10.1f req/s   p50 %7.2f ms   p99 %7.2f ms\n",
                median(b_rates), median(b_p50), median(b_p99));
    std::printf("  A/B throughput ratio      %10.4f  (median of the per-round ratios)\n",
                median(ratios));
    if (!c_rates.empty()) {
        std::printf("  C  raw rabbitmq-c confirm %10.1f msg/s\n", median(c_rates));
        std::printf("  A/C (hub on amqp / raw)   %10.4f  (median of the per-round ratios)\n",
                    median(a_over_c_ratios));
        json["raw_confirm"] = {{"C_messages_per_second", median(c_rates)},
                               {"ratio_A_over_C", median(a_over_c_ratios)},
                               {"bytes", options.raw_bytes},
                               {"window", options.raw_window}};
    }
    json["rounds"] = std::move(rounds);
    json["median"] = {{"A_requests_per_second", median(a_rates)},
                      {"B_requests_per_second", median(b_rates)},
                      {"A_p50_ms", median(a_p50)},
                      {"A_p99_ms", median(a_p99)},
                      {"B_p50_ms", median(b_p50)},
                      {"B_p99_ms", median(b_p99)},
                      {"ratio_A_over_B", median(ratios)}};
    report_daemon_end(env, json);
    if (!options.json_file.empty()) {
        write_json_file(options.json_file, json);
        std::printf("JSON summary: %s\n", options.json_file.c_str());
    }
    if (!all_ok) {
        std::printf("\nRESULT: some requests failed or a phase ran out of envelopes; see above\n");
    }
    return all_ok ? 0 : 1;
}

}  // namespace bench
