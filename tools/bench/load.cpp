#include "load.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>
#include <vector>

#include "messages.h"

namespace bench {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds kRequestTimeout = 30s;

// What one connection saw; merged once its thread has stopped, so never shared.
struct ConnectionTally {
    long ok = 0;
    long errors = 0;
    Latencies latencies;
    std::string first_error;
    SteadyClock::time_point first_error_at = SteadyClock::time_point::max();
    bool exhausted = false;
    std::string connect_error;

    void error(std::string text) {
        ++errors;
        if (first_error.empty()) {
            first_error = std::move(text);
            first_error_at = SteadyClock::now();
        }
    }
};

// The references point into run_phase's frame, which outlives the io_contexts' runs.
asio::awaitable<void> connect_one(Connection& connection, ConnectionTally& tally) {
    if (auto connected = co_await connection.connect(kRequestTimeout); !connected) {
        tally.connect_error = connected.error().text();
    }
}

asio::awaitable<void> drive(Connection& connection,
                            ConnectionTally& tally,
                            const PhaseSpec& spec,
                            SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline) {
        auto request = spec.next();
        if (!request) {
            tally.exhausted = true;
            co_return;
        }
        const auto start = SteadyClock::now();
        auto response = co_await connection.exchange(*request, kRequestTimeout);
        const auto end = SteadyClock::now();
        if (!response) {
            tally.error(response.error().text());
            continue;  // exchange reconnects; a dead daemon ends the loop at the deadline
        }
        if (response->status == spec.expected_status) {
            ++tally.ok;
            tally.latencies.add(end - start);
        } else {
            tally.error(describe_failure(*response));
        }
    }
}

// Runs each io_context on its own thread until it has no work left.
void run_all(std::vector<std::unique_ptr<asio::io_context>>& contexts) {
    std::vector<std::thread> threads;
    for (auto& io : contexts) {
        io->restart();
        threads.emplace_back([&io] { io->run(); });
    }
    for (auto& thread : threads) {
        thread.join();
    }
}

}  // namespace

PhaseResult run_phase(const PhaseSpec& spec) {
    const auto n = static_cast<std::size_t>(spec.connections);
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int t = 0; t < spec.threads; ++t) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    std::vector<std::unique_ptr<Connection>> connections;
    std::vector<ConnectionTally> tallies(n);
    for (std::size_t c = 0; c < n; ++c) {
        auto& io = *contexts[c % contexts.size()];
        connections.push_back(std::make_unique<Connection>(io.get_executor(), spec.tls, spec.port));
    }
    auto on_exit = [](ConnectionTally& tally) {
        return [&tally](std::exception_ptr failure) {
            if (!failure) {
                return;
            }
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                tally.error(std::string("client bug: ") + e.what());
            }
        };
    };

    for (std::size_t c = 0; c < n; ++c) {
        asio::co_spawn(connections[c]->executor(), connect_one(*connections[c], tallies[c]),
                       on_exit(tallies[c]));
    }
    run_all(contexts);
    for (const auto& tally : tallies) {
        if (!tally.connect_error.empty()) {
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(spec.port) +
                                     ": " + tally.connect_error);
        }
    }

    PhaseResult result;
    const double client_cpu_before = process_cpu_seconds();
    const double daemon_cpu_before = spec.daemon_pid > 0 ? proc_cpu_seconds(spec.daemon_pid) : -1;
    const auto start = SteadyClock::now();
    const auto deadline = start + spec.duration;
    for (std::size_t c = 0; c < n; ++c) {
        asio::co_spawn(connections[c]->executor(),
                       drive(*connections[c], tallies[c], spec, deadline), on_exit(tallies[c]));
    }
    run_all(contexts);
    const auto end = SteadyClock::now();
    result.client_cpu_seconds = process_cpu_seconds() - client_cpu_before;
    if (daemon_cpu_before >= 0) {
        const double after = proc_cpu_seconds(spec.daemon_pid);
        result.daemon_cpu_seconds = after >= 0 ? after - daemon_cpu_before : -1;
    }
    result.seconds = std::chrono::duration<double>(end - start).count();

    auto first_at = SteadyClock::time_point::max();
    for (std::size_t c = 0; c < n; ++c) {
        auto& tally = tallies[c];
        result.ok += tally.ok;
        result.errors += tally.errors;
        result.latencies.add_all(tally.latencies);
        result.exhausted = result.exhausted || tally.exhausted;
        result.reconnects += connections[c]->connects() - 1;
        if (!tally.first_error.empty() && tally.first_error_at < first_at) {
            first_at = tally.first_error_at;
            result.first_error = tally.first_error;
        }
    }
    return result;
}

}  // namespace bench
