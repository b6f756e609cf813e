#pragma once
// A closed-loop load phase: N keep-alive connections, each sending its next request as soon
// as the previous answer is in, for a fixed time. The same runner times the subject and its
// baseline, so they differ only in the requests.

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "https.h"
#include "stats.h"

namespace bench {

struct PhaseSpec {
    std::shared_ptr<boost::asio::ssl::context> tls;
    std::uint16_t port = 0;
    int connections = 1;
    int threads = 1;  ///< client I/O threads; connection i runs on thread i % threads
    std::chrono::milliseconds duration{1000};
    unsigned expected_status = 200;
    /// The next complete HTTP request to send (valid for the whole phase), or nullopt when
    /// there is none left (the phase then ends early and is marked exhausted). Called from
    /// every client thread.
    std::function<std::optional<std::string_view>()> next;
    int daemon_pid = -1;  ///< for the daemon's CPU time; -1 to skip
};

struct PhaseResult {
    long ok = 0;          ///< answers with the expected status
    long errors = 0;      ///< any other status, and transport failures
    double seconds = 0;   ///< from the start to the last answer
    Latencies latencies;  ///< of the ok answers, from write start to full response
    std::string first_error;
    bool exhausted = false;
    int reconnects = 0;
    double client_cpu_seconds = 0;  ///< this process, all threads
    double daemon_cpu_seconds = -1;

    double rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

/// Connects every connection (untimed; a failure throws std::runtime_error), then runs the
/// timed phase and closes them. Bounded by spec.duration plus one request timeout (30 s).
PhaseResult run_phase(const PhaseSpec& spec);

}  // namespace bench
