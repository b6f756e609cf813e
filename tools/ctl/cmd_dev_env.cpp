// lienthongctl dev-env DIR: a test CA, certificates, registry and daemon config in DIR.

#include "lienthong/devenv/dev_env.h"

#include <boost/json.hpp>

#include <filesystem>
#include <iostream>
#include <limits>

#include "args.h"
#include "commands.h"

namespace ctl {
namespace {

int number_arg(const Args& args, const std::string& flag, int fallback, int low, int high) {
    const auto text = args.get(flag);
    if (!text) {
        return fallback;
    }
    try {
        std::size_t used = 0;
        const int value = std::stoi(*text, &used);
        if (used == text->size() && value >= low && value <= high) {
            return value;
        }
    } catch (const std::exception&) {
        // Reported below, with the range, like an out-of-range number.
    }
    throw UsageError("--" + flag + " must be a whole number from " + std::to_string(low) + " to " +
                     std::to_string(high) + ", not '" + *text + "'");
}

}  // namespace

int cmd_dev_env(const Words& words) {
    Args args(words, {"agencies", "agency-port", "operator-port"}, {"json"});
    if (args.positionals().size() != 1) {
        throw UsageError(
            "usage: dev-env DIR [--agencies N] [--agency-port P] [--operator-port P] [--json]");
    }
    lienthong::devenv::DevEnvOptions options;
    options.agencies =
        number_arg(args, "agencies", options.agencies, 1, lienthong::devenv::kMaxAgencies);
    constexpr int kMaxPort = std::numeric_limits<std::uint16_t>::max();
    options.agency_port =
        static_cast<std::uint16_t>(number_arg(args, "agency-port", 0, 0, kMaxPort));
    options.operator_port =
        static_cast<std::uint16_t>(number_arg(args, "operator-port", 0, 0, kMaxPort));

    const auto dir = std::filesystem::absolute(args.positionals()[0]).lexically_normal();
    lienthong::devenv::make_dev_env(dir.string(), options);
    const auto agencies = lienthong::devenv::dev_env_agencies(options.agencies);
    const auto config = (dir / "lienthongd.json").string();

    if (args.has("json")) {
        boost::json::array list;
        for (const auto& a : agencies) {
            list.push_back({{"code", a.code},
                            {"name", a.name},
                            {"dir", (dir / "agencies" / a.code).string()}});
        }
        std::cout << boost::json::serialize(
                         boost::json::object{{"dir", dir.string()},
                                             {"config", config},
                                             {"registry", (dir / "registry.json").string()},
                                             {"agencies", std::move(list)}})
                  << "\n";
        return 0;
    }
    std::cout << "dev environment in " << dir.string() << "\n";
    for (const auto& a : agencies) {
        std::cout << "  agency " << a.code << "  " << a.name << "\n";
    }
    std::cout << "config: " << config << "\n"
              << "start:  lienthongd --config " << config << "\n";
    return 0;
}

}  // namespace ctl
