// --mode raw-confirm: the broker's publisher-confirm ceiling without the hub (amqp_raw.h).

#include <cstdio>
#include <vector>

#include "amqp_raw.h"
#include "modes.h"
#include "stats.h"

namespace bench {

int run_raw_confirm(const Options& options) {
    std::printf(
        "raw rabbitmq-c publisher confirms: %d-byte persistent messages, quorum queue, "
        "window %d, %d round(s) of %d s\n",
        options.raw_bytes, options.raw_window, options.rounds, options.seconds);
    std::vector<double> rates;
    for (int round = 1; round <= options.rounds; ++round) {
        const auto r = raw_confirm(options.amqp_url, std::chrono::seconds(options.seconds),
                                   static_cast<std::size_t>(options.raw_bytes),
                                   static_cast<std::size_t>(options.raw_window));
        std::printf("%-6d %-4s %10.1f msg/s (%llu confirmed)\n", round, "C", r.rate(),
                    static_cast<unsigned long long>(r.confirmed));
        rates.push_back(r.rate());
    }
    std::printf("\nmedian: %.1f msg/s\n", median(rates));
    return 0;
}

}  // namespace bench
