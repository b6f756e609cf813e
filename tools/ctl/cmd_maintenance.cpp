// lienthongctl maintenance on|off|show: maintenance mode through the operator listener. While
// it is on, agencies are answered 503 MAINTENANCE with the notice (api.md "Errors").

#include <boost/json.hpp>

#include <iostream>

#include "args.h"
#include "commands.h"
#include "env.h"

namespace ctl {
using boost::beast::http::verb;

int cmd_maintenance(const Words& words) {
    if (words.empty()) {
        throw UsageError(
            "usage: maintenance on --notice TEXT [--retry-after S] | off | show, with --env DIR "
            "or --operator URL --cert C --key K --ca CA");
    }
    const std::string& action = words[0];
    std::set<std::string> valued(std::begin(kOperatorFlags), std::end(kOperatorFlags));
    valued.insert({"notice", "retry-after"});
    Args args(Words(words.begin() + 1, words.end()), valued, {"json"});
    boost::json::object body;
    if (action == "on") {
        body["on"] = true;
        body["notice"] = args.require("notice");
        if (auto retry = args.get("retry-after")) {
            try {
                body["retry_after_s"] = std::stoll(*retry);
            } catch (const std::logic_error&) {
                throw UsageError("--retry-after: seconds");
            }
        }
    } else if (action == "off") {
        body["on"] = false;
    } else if (action != "show") {
        throw UsageError("unknown maintenance action '" + action + "'");
    }
    hub::http::Client client(operator_options(args));
    auto response = action == "show" ? call(client, verb::get, "/admin/v1/maintenance")
                                     : call(client, verb::put, "/admin/v1/maintenance",
                                            boost::json::serialize(body), "application/json");
    if (response.status != 200) {
        std::cerr << "HTTP " << response.status << ": " << response.body << "\n";
        return response.status / 100 == 4 ? 2 : 1;
    }
    if (args.has("json")) {
        std::cout << response.body << "\n";
        return 0;
    }
    const auto state = boost::json::parse(response.body).as_object();
    if (state.at("on").as_bool()) {
        std::cout << "maintenance ON (Retry-After " << state.at("retry_after_s").as_int64()
                  << " s): " << state.at("notice").as_string().c_str() << "\n";
    } else {
        std::cout << "maintenance off\n";
    }
    return 0;
}

}  // namespace ctl
