#pragma once
// The two measurements. Each makes its own environment and daemon, prints its report and
// returns the exit code: 0 when every request met its expectation, 1 otherwise.

#include "options.h"

namespace bench {

/// W1 intake (POST /v1/envelopes) against GET /healthz, alternating rounds.
int run_intake(const Options& options);

/// Fixed-rate senders and long-polling recipients: POST start to inbox arrival, against
/// the POST latency alone.
int run_e2e(const Options& options);

/// rabbitmq-c publisher confirms alone, --rounds phases of --seconds.
int run_raw_confirm(const Options& options);

}  // namespace bench
