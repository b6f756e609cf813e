// --mode e2e: senders POST at a fixed rate while recipients long-poll their inboxes and ack
// every item. Each envelope is timed from the start of its POST to the return of the long
// poll that carries it; the POST latency alone, from the same run, is the baseline.

#include "lienthong/v1/api.pb.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <cctype>
#include <cstdio>
#include <unordered_map>

#include "daemon.h"
#include "envelopes.h"
#include "messages.h"
#include "modes.h"
#include "report.h"
#include "stats.h"

namespace bench {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kRequestTimeout = 30s;
// A long poll waits up to 30 s on the hub; the answer may take a little longer to arrive.
constexpr std::chrono::milliseconds kPollTimeout = 40s;
const std::string kPollTarget = "/v1/inbox?wait=30&max=100";

struct Tracked {
    PooledEnvelope envelope;
    std::size_t sender = 0;
    std::size_t recipient = 0;
    SteadyClock::time_point scheduled{};
    SteadyClock::time_point post_start{};
    SteadyClock::time_point post_end{};
    SteadyClock::time_point received_at{};
    bool sent = false;
    bool received = false;
    unsigned status = 0;  // 0: no answer
};

// Failures of one kind: how many, and the first one's text.
struct Failures {
    long count = 0;
    std::string first;
    void add(std::string text) {
        if (count++ == 0) {
            first = std::move(text);
        }
    }
};

// Everything the coroutines share. They all run on one io_context thread, so plain fields.
struct Run {
    std::vector<Tracked> envelopes;
    std::unordered_map<std::string, std::size_t> by_id;
    std::vector<std::vector<std::size_t>> queues;  // per sender agency, in schedule order
    std::vector<std::size_t> queue_next;
    std::vector<Connection*> connections;  // aborted when the run stops
    const char* type = "";
    int senders_running = 0;
    long outstanding = 0;  // 202 received, not yet in an inbox
    long unacked = 0;      // items received whose ack has not been answered
    bool stopping = false;
    SteadyClock::time_point sending_done{};
    long duplicates = 0;
    long misrouted = 0;
    long unknown_items = 0;
    long status_notices = 0;
    bool ack_list = true;   // one POST /v1/inbox/ack per batch, else one POST per item
    long acks = 0;          // items acked
    Latencies ack_latency;  // per ack request
    Failures post_failures;
    Failures poll_failures;
    Failures ack_failures;
};

std::string url_escape(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

asio::awaitable<void> pause(SteadyClock::time_point until) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_at(until);
    co_await timer.async_wait(kTuple);
}

void count_ack(Run& run,
               const hub::Result<Response>& ack,
               SteadyClock::time_point start,
               long items) {
    if (ack && ack->status == 204) {
        run.acks += items;
        run.ack_latency.add(SteadyClock::now() - start);
    } else {
        run.ack_failures.add(ack ? describe_failure(*ack) : ack.error().text());
    }
}

// POST .../ack for every item, one after the other on the poll's connection.
asio::awaitable<void> ack_each(Run& run,
                               Connection& connection,
                               const lienthong::v1::InboxBatch& batch) {
    for (const auto& item : batch.items()) {
        if (run.stopping) {
            co_return;
        }
        const std::string request = request_head(
            "POST", "/v1/inbox/" + url_escape(item.delivery_id()) + "/ack", "", run.type, 0);
        const auto start = SteadyClock::now();
        auto ack = co_await connection.exchange(request, kRequestTimeout);
        --run.unacked;
        if (!run.stopping) {
            count_ack(run, ack, start, 1);
        }
    }
}

// One POST /v1/inbox/ack for the whole batch (one ledger transaction).
asio::awaitable<void> ack_as_list(Run& run,
                                  Connection& connection,
                                  const lienthong::v1::InboxBatch& batch) {
    if (batch.items_size() == 0 || run.stopping) {
        co_return;
    }
    lienthong::v1::AckRequest taken;
    for (const auto& item : batch.items()) {
        taken.add_delivery_ids(item.delivery_id());
    }
    const std::string body = taken.SerializeAsString();
    const std::string request =
        request_head("POST", "/v1/inbox/ack", "application/x-protobuf", run.type, body.size()) +
        body;
    const auto start = SteadyClock::now();
    auto ack = co_await connection.exchange(request, kRequestTimeout);
    run.unacked -= batch.items_size();
    if (!run.stopping) {
        count_ack(run, ack, start, batch.items_size());
    }
}

// The references point into run_e2e's frame, which outlives io.run().
asio::awaitable<void> connect_one(Connection& connection, Failures& failures) {
    if (auto connected = co_await connection.connect(kRequestTimeout); !connected) {
        failures.add(connected.error().text());
    }
}

asio::awaitable<void> send_loop(Run& run, Connection& connection, std::size_t sender) {
    auto& queue = run.queues[sender];
    while (!run.stopping) {
        const std::size_t slot = run.queue_next[sender]++;
        if (slot >= queue.size()) {
            break;
        }
        Tracked& e = run.envelopes[queue[slot]];
        if (e.scheduled > SteadyClock::now()) {
            co_await pause(e.scheduled);
        }
        if (run.stopping) {
            break;
        }
        e.sent = true;
        e.post_start = SteadyClock::now();
        auto response = co_await connection.exchange(e.envelope.request, kRequestTimeout);
        e.post_end = SteadyClock::now();
        if (!response) {
            if (!run.stopping) {
                run.post_failures.add(response.error().text());
            }
            continue;
        }
        e.status = response->status;
        if (e.status == 202) {
            run.outstanding += e.received ? 0 : 1;
        } else {
            run.post_failures.add(describe_failure(*response));
        }
    }
    if (--run.senders_running == 0) {
        run.sending_done = SteadyClock::now();
    }
}

void take_item(Run& run,
               const lienthong::v1::InboxItem& item,
               std::size_t recipient,
               SteadyClock::time_point at) {
    if (item.has_status()) {
        ++run.status_notices;
        return;
    }
    if (!item.has_envelope()) {
        ++run.unknown_items;
        return;
    }
    std::string id = item.envelope_id();
    if (id.empty()) {
        lienthong::v1::EnvelopeHeader header;
        if (header.ParseFromString(item.envelope().header())) {
            id = header.envelope_id();
        }
    }
    const auto found = run.by_id.find(id);
    if (found == run.by_id.end()) {
        ++run.unknown_items;
        return;
    }
    Tracked& e = run.envelopes[found->second];
    if (e.received) {
        ++run.duplicates;
        return;
    }
    e.received = true;
    e.received_at = at;
    run.misrouted += e.recipient == recipient ? 0 : 1;
    run.outstanding -= e.status == 202 ? 1 : 0;
}

asio::awaitable<void> poll_loop(Run& run, Connection& connection, std::size_t recipient) {
    const std::string poll = request_head("GET", kPollTarget, "", run.type, 0);
    while (!run.stopping) {
        auto response = co_await connection.exchange(poll, kPollTimeout);
        const auto returned = SteadyClock::now();
        if (run.stopping) {
            break;
        }
        if (!response || response->status != 200) {
            run.poll_failures.add(response ? describe_failure(*response) : response.error().text());
            co_await pause(SteadyClock::now() + 200ms);  // not a tight loop against a sick hub
            continue;
        }
        lienthong::v1::InboxBatch batch;
        if (!decode(*response, batch)) {
            run.poll_failures.add("the inbox answer is not an InboxBatch: " +
                                  printable(response->body, 120));
            continue;
        }
        for (const auto& item : batch.items()) {
            take_item(run, item, recipient, returned);
        }
        run.unacked += batch.items_size();
        if (run.ack_list) {
            co_await ack_as_list(run, connection, batch);
        } else {
            co_await ack_each(run, connection, batch);
        }
    }
}

// Ends the run: when sending is over, every accepted envelope arrived and every item
// received was acked, or the grace period is spent, or (senders stuck) the hard limit is
// reached.
asio::awaitable<void> control(Run& run,
                              SteadyClock::time_point hard_limit,
                              std::chrono::seconds grace) {
    while (run.senders_running > 0 && SteadyClock::now() < hard_limit) {
        co_await pause(SteadyClock::now() + 10ms);
    }
    const auto grace_end = SteadyClock::now() + grace;
    while ((run.outstanding > 0 || run.unacked > 0) && SteadyClock::now() < grace_end) {
        co_await pause(SteadyClock::now() + 10ms);
    }
    run.stopping = true;
    for (auto* connection : run.connections) {
        connection->abort();
    }
}

}  // namespace

int run_e2e(const Options& options) {
    BenchEnv env(options, options.agencies);
    const std::size_t sender_count = env.agencies().size() / 2;
    const std::size_t recipient_count = env.agencies().size() - sender_count;
    const auto total = static_cast<std::size_t>(options.rate) * options.seconds;
    if (total > static_cast<std::size_t>(options.max_pool)) {
        throw UsageError(strf("--rate x --seconds = %zu envelopes, more than --max-pool %d", total,
                              options.max_pool));
    }

    std::vector<std::unique_ptr<EnvelopeFactory>> factories;
    for (std::size_t s = 0; s < sender_count; ++s) {
        factories.push_back(std::make_unique<EnvelopeFactory>(env.agencies()[s], options.format,
                                                              options.pdf_bytes));
    }
    // Envelope k: sender k mod S, recipients in turn, so both sides share the load evenly.
    auto recipient_of = [&](std::size_t k) { return (k / sender_count) % recipient_count; };
    const auto sign_start = SteadyClock::now();
    auto pool = build_parallel(total, [&](std::size_t k) {
        const auto& to = env.agencies()[sender_count + recipient_of(k)].code;
        return factories[k % sender_count]->make({to}, static_cast<long>(k / sender_count + 1));
    });
    std::printf("signed %zu envelopes in %.1f s before starting the daemon\n", total,
                std::chrono::duration<double>(SteadyClock::now() - sign_start).count());

    Run run;
    run.type = content_type(options.format);
    run.ack_list = options.ack_list;
    run.queues.resize(sender_count);
    run.queue_next.assign(sender_count, 0);
    for (std::size_t k = 0; k < total; ++k) {
        run.by_id.emplace(pool[k].envelope_id, k);
        run.queues[k % sender_count].push_back(k);
        run.envelopes.push_back({std::move(pool[k]), k % sender_count, recipient_of(k)});
    }

    env.start_daemon(60s);
    print_environment(env);
    std::string senders, recipients;
    for (std::size_t i = 0; i < env.agencies().size(); ++i) {
        auto& list = i < sender_count ? senders : recipients;
        list += (list.empty() ? "" : ", ") + env.agencies()[i].code;
    }
    std::printf(
        "e2e: %zu W1 envelopes (%d-byte PDF MAIN, %s) at %d/s for %d s\n"
        "     senders %s over %d connections -> recipients %s, %d long-polling connection(s)\n"
        "     each (GET %s, then %s on the same connection)\n",
        total, options.pdf_bytes, format_name(options.format), options.rate, options.seconds,
        senders.c_str(), options.connections, recipients.c_str(), options.pollers,
        kPollTarget.c_str(),
        options.ack_list ? "one POST /v1/inbox/ack for its items" : "POST .../ack for each item");
    std::fflush(stdout);

    asio::io_context io(1);
    std::vector<std::shared_ptr<asio::ssl::context>> tls;
    for (std::size_t i = 0; i < env.agencies().size(); ++i) {
        tls.push_back(make_tls_context(env.agency_identity(i)));
    }
    std::vector<std::unique_ptr<Connection>> sender_connections, poller_connections;
    std::vector<std::size_t> poller_recipient;
    for (int c = 0; c < options.connections; ++c) {
        sender_connections.push_back(std::make_unique<Connection>(
            io.get_executor(), tls[static_cast<std::size_t>(c) % sender_count], env.agency_port()));
    }
    for (std::size_t r = 0; r < recipient_count; ++r) {
        for (int p = 0; p < options.pollers; ++p) {
            poller_connections.push_back(std::make_unique<Connection>(
                io.get_executor(), tls[sender_count + r], env.agency_port()));
            poller_recipient.push_back(r);
        }
    }
    Failures connect_failures;
    auto report_bug = [](std::exception_ptr failure) {
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "client bug: %s\n", e.what());
            }
        }
    };
    for (auto* list : {&sender_connections, &poller_connections}) {
        for (auto& connection : *list) {
            run.connections.push_back(connection.get());
            asio::co_spawn(io, connect_one(*connection, connect_failures), report_bug);
        }
    }
    io.run();
    if (connect_failures.count > 0) {
        throw std::runtime_error("cannot connect to the agency listener: " +
                                 connect_failures.first);
    }

    // The pollers' first long polls go out before the first envelope is due.
    const auto t0 = SteadyClock::now() + 200ms;
    const auto period = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(1.0 / options.rate));
    for (std::size_t k = 0; k < total; ++k) {
        run.envelopes[k].scheduled = t0 + period * static_cast<long>(k);
    }
    const double cpu_before = proc_cpu_seconds(env.daemon_pid());
    run.senders_running = options.connections;
    for (std::size_t c = 0; c < sender_connections.size(); ++c) {
        asio::co_spawn(io, send_loop(run, *sender_connections[c], c % sender_count), report_bug);
    }
    for (std::size_t p = 0; p < poller_connections.size(); ++p) {
        asio::co_spawn(io, poll_loop(run, *poller_connections[p], poller_recipient[p]), report_bug);
    }
    const auto hard_limit = t0 + std::chrono::seconds(options.seconds) + 60s;
    asio::co_spawn(io, control(run, hard_limit, std::chrono::seconds(options.grace_seconds)),
                   report_bug);
    io.restart();
    io.run();
    const auto end = SteadyClock::now();
    const double cpu_after = proc_cpu_seconds(env.daemon_pid());

    Latencies post, e2e, lag;
    long sent = 0, accepted = 0, delivered = 0, lost = 0, received_unaccepted = 0;
    for (const auto& e : run.envelopes) {
        if (e.sent) {
            ++sent;
            lag.add(e.post_start - e.scheduled);
        }
        if (e.status == 202) {
            ++accepted;
            post.add(e.post_end - e.post_start);
            if (e.received) {
                ++delivered;
                e2e.add(e.received_at - e.post_start);
            } else {
                ++lost;
            }
        } else if (e.received) {
            ++received_unaccepted;
        }
    }
    const double run_seconds = std::chrono::duration<double>(end - t0).count();
    const double send_seconds = std::chrono::duration<double>(run.sending_done - t0).count();
    const double hub_cpu = cpu_before >= 0 && cpu_after >= 0 ? cpu_after - cpu_before : -1;

    std::printf("\nenvelopes: scheduled %zu, posted %ld (in %.2f s), 202 %ld, POST failures %ld\n",
                total, sent, send_seconds, accepted, run.post_failures.count);
    if (!run.post_failures.first.empty()) {
        std::printf("  first POST failure: %s\n", run.post_failures.first.c_str());
    }
    std::printf(
        "delivered: %ld of %ld accepted; lost %ld (not in an inbox %d s after the last POST); "
        "duplicates %ld; wrong inbox %ld; unknown items %ld; status notices %ld; delivered "
        "without a 202 %ld\n",
        delivered, accepted, lost, options.grace_seconds, run.duplicates, run.misrouted,
        run.unknown_items, run.status_notices, received_unaccepted);
    std::printf("acks: %ld x 204, failures %ld; long-poll failures %ld\n", run.acks,
                run.ack_failures.count, run.poll_failures.count);
    if (!run.ack_failures.first.empty()) {
        std::printf("  first ack failure: %s\n", run.ack_failures.first.c_str());
    }
    if (!run.poll_failures.first.empty()) {
        std::printf("  first long-poll failure: %s\n", run.poll_failures.first.c_str());
    }
    std::printf("\n%-40s %9s %9s %9s %8s\n", "latency", "p50 ms", "p99 ms", "max ms", "count");
    auto row = [](const char* name, Latencies& l) {
        std::printf("%-40s %9.2f %9.2f %9.2f %8zu\n", name, l.percentile_ms(0.5),
                    l.percentile_ms(0.99), l.max_ms(), l.size());
    };
    row("POST alone, 202 (baseline)", post);
    row("POST start -> long poll returns it", e2e);
    const double ratio50 =
        post.percentile_ms(0.5) > 0 ? e2e.percentile_ms(0.5) / post.percentile_ms(0.5) : 0;
    const double ratio99 =
        post.percentile_ms(0.99) > 0 ? e2e.percentile_ms(0.99) / post.percentile_ms(0.99) : 0;
    std::printf("%-40s %9.2f %9.2f\n", "ratio e2e / POST", ratio50, ratio99);
    row(options.ack_list ? "ack request (a list), 204" : "ack request (one item), 204",
        run.ack_latency);
    row("POST start behind schedule (client lag)", lag);
    std::printf("\nhub CPU: %.0f%% of one core over %.1f s (%.3f ms per envelope posted)\n",
                run_seconds > 0 ? 100 * hub_cpu / run_seconds : 0, run_seconds,
                sent > 0 ? hub_cpu / static_cast<double>(sent) * 1e3 : 0);

    boost::json::object json = json_preamble(options, env);
    auto latency_json = [](Latencies& l) {
        return boost::json::object{{"p50_ms", l.percentile_ms(0.5)},
                                   {"p99_ms", l.percentile_ms(0.99)},
                                   {"max_ms", l.max_ms()},
                                   {"count", l.size()}};
    };
    json["workload"] =
        strf("W1 (%d-byte PDF MAIN, %s) at %d/s, %zu senders -> %zu recipients", options.pdf_bytes,
             format_name(options.format), options.rate, sender_count, recipient_count);
    json["envelopes"] = {{"scheduled", total},
                         {"posted", sent},
                         {"accepted_202", accepted},
                         {"post_failures", run.post_failures.count},
                         {"first_post_failure", run.post_failures.first},
                         {"delivered", delivered},
                         {"lost", lost},
                         {"duplicates", run.duplicates},
                         {"wrong_inbox", run.misrouted},
                         {"unknown_items", run.unknown_items},
                         {"status_notices", run.status_notices},
                         {"delivered_without_202", received_unaccepted},
                         {"acks", run.acks},
                         {"ack_mode", options.ack_list ? "list" : "each"},
                         {"ack_failures", run.ack_failures.count},
                         {"first_ack_failure", run.ack_failures.first},
                         {"poll_failures", run.poll_failures.count},
                         {"first_poll_failure", run.poll_failures.first},
                         {"send_seconds", send_seconds}};
    json["latency"] = {{"post", latency_json(post)},           {"e2e", latency_json(e2e)},
                       {"ratio_e2e_over_post_p50", ratio50},   {"ratio_e2e_over_post_p99", ratio99},
                       {"ack", latency_json(run.ack_latency)}, {"client_lag", latency_json(lag)}};
    json["daemon_cpu_seconds"] = hub_cpu;
    json["run_seconds"] = run_seconds;
    report_daemon_end(env, json);
    if (!options.json_file.empty()) {
        write_json_file(options.json_file, json);
        std::printf("JSON summary: %s\n", options.json_file.c_str());
    }
    const bool ok = run.post_failures.count == 0 && lost == 0 && run.ack_failures.count == 0 &&
                    run.poll_failures.count == 0 && run.misrouted == 0;
    if (!ok) {
        std::printf("\nRESULT: failures, losses or misdeliveries; see above\n");
    }
    return ok ? 0 : 1;
}

}  // namespace bench
