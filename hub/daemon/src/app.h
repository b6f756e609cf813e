#pragma once
// lienthongd's wiring: the one place that names concrete types (SqliteLedger, SqliteQueue)
// and owns every part, in the order they must be destroyed.

#include "hub/core/logger.h"
#include "hub/core/result.h"
#include "lienthong/v1/config.pb.h"

#include <memory>

namespace hub {

class App {
public:
    /// Opens the store, queue, keys, registry and listeners per `config` (already completed
    /// by load_config). Errors name the failing part.
    static Result<std::unique_ptr<App>> create(lienthong::v1::Config config, Logger& log);
    ~App();

    /// Serves until SIGTERM or SIGINT, then drains and returns the exit code.
    int run();

    struct Parts;

private:
    explicit App(std::unique_ptr<Parts> parts);
    std::unique_ptr<Parts> parts_;
};

}  // namespace hub
