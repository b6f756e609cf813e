// lienthongctl time official|add-business

#include "hub/core/default_calendar.h"
#include "hub/core/time.h"

#include <boost/json.hpp>

#include <cmath>
#include <iostream>

#include "args.h"
#include "commands.h"

namespace ctl {
namespace {

hub::BusinessCalendar calendar_from(const Args& args) {
    auto calendar = hub::load_calendar_or_default(args.get("calendar").value_or(""));
    if (!calendar) {
        throw UsageError("calendar: " + calendar.error().text());
    }
    return std::move(*calendar);
}

// An invalid instant is the user's input error: print its code like the API would.
std::optional<hub::Instant> instant_arg(const Args& args, const std::string& flag, bool json) {
    const auto text = args.require(flag);
    auto t = hub::parse_instant(text);
    if (!t) {
        if (json) {
            std::cout << boost::json::serialize(
                             boost::json::object{{"error", hub::code_name(t.error().code)},
                                                 {"field", flag},
                                                 {"message", t.error().text()}})
                      << "\n";
        } else {
            std::cerr << hub::code_name(t.error().code) << " --" << flag << ": " << t.error().text()
                      << "\n";
        }
        return std::nullopt;
    }
    return *t;
}

void print(const char* key, hub::Instant at, hub::Instant result, bool json) {
    if (json) {
        std::cout << boost::json::serialize(boost::json::object{{"input", hub::format_instant(at)},
                                                                {key, hub::format_instant(result)}})
                  << "\n";
    } else {
        std::cout << hub::format_instant(result) << "\n";
    }
}

}  // namespace

int cmd_time(const Words& words) {
    if (words.empty() || (words[0] != "official" && words[0] != "add-business")) {
        throw UsageError(
            "usage: time official --at INSTANT | time add-business --from INSTANT --hours H "
            "[--calendar FILE] [--json]");
    }
    Args args(Words(words.begin() + 1, words.end()), {"at", "from", "hours", "calendar"}, {"json"});
    if (!args.positionals().empty()) {
        throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
    }
    const bool json = args.has("json");
    const auto calendar = calendar_from(args);
    if (words[0] == "official") {
        auto at = instant_arg(args, "at", json);
        if (!at) {
            return 2;
        }
        print("official", *at, calendar.official_receipt(*at), json);
        return 0;
    }
    const auto hours_text = args.require("hours");
    double hours = 0;
    try {
        std::size_t used = 0;
        hours = std::stod(hours_text, &used);
        if (used != hours_text.size()) {
            throw std::invalid_argument(hours_text);
        }
    } catch (const std::exception&) {
        throw UsageError("--hours must be a number, not '" + hours_text + "'");
    }
    if (!std::isfinite(hours) || hours < 0 || hours > 24 * 366) {
        throw UsageError("--hours must be between 0 and 8784");
    }
    auto from = instant_arg(args, "from", json);
    if (!from) {
        return 2;
    }
    const auto amount = std::chrono::milliseconds(std::llround(hours * 3600 * 1000));
    print("result", *from, calendar.add_business(*from, amount), json);
    return 0;
}

}  // namespace ctl
