// lienthongctl national status|sync|outbox and dead-letters list|retry|discard: the national
// adapter and what no carrier could deliver, through the operator listener.

#include <boost/json.hpp>

#include <functional>
#include <iostream>

#include "args.h"
#include "commands.h"
#include "env.h"

namespace ctl {
using boost::beast::http::verb;
namespace json = boost::json;

namespace {

const char* kOperatorUsage = "with --env DIR or --operator URL --cert C --key K --ca CA";

std::string text_of(const json::value& value) {
    if (value.is_string()) {
        return std::string(value.as_string());
    }
    if (value.is_null()) {
        return "-";
    }
    return json::serialize(value);
}

// An operator call; prints the body as it came with --json, else hands the parsed body over.
int answered(const hub::http::ClientResponse& response,
             const Args& args,
             const std::function<void(const json::object&)>& print) {
    if (response.status != 200) {
        std::cerr << "HTTP " << response.status << ": " << response.body << "\n";
        return response.status / 100 == 4 ? 2 : 1;
    }
    if (args.has("json")) {
        std::cout << response.body << "\n";
        return 0;
    }
    print(json::parse(response.body).as_object());
    return 0;
}

void print_dead_letters(const json::array& letters) {
    if (letters.empty()) {
        std::cout << "no dead letters\n";
        return;
    }
    for (const auto& value : letters) {
        const auto& d = value.as_object();
        std::cout << text_of(d.at("item_id")) << "  " << text_of(d.at("channel")) << "  "
                  << text_of(d.at("kind")) << " to " << text_of(d.at("recipient")) << "  dead "
                  << text_of(d.at("dead_at")) << " after " << text_of(d.at("attempts"))
                  << " attempts: " << text_of(d.at("last_error")) << "\n";
    }
}

}  // namespace

int cmd_national(const Words& words) {
    if (words.empty()) {
        throw UsageError(std::string("usage: national status|sync|outbox, ") + kOperatorUsage);
    }
    const std::string& action = words[0];
    std::set<std::string> valued(std::begin(kOperatorFlags), std::end(kOperatorFlags));
    Args args(Words(words.begin() + 1, words.end()), valued, {"json"});
    if (action != "status" && action != "sync" && action != "outbox") {
        throw UsageError("unknown national action '" + action + "'");
    }
    hub::http::Client client(operator_options(args));
    if (action == "sync") {
        return answered(
            call(client, verb::post, "/admin/v1/national/sync", "{}", "application/json"), args,
            [](const json::object& o) {
                std::cout << "directory synced: " << text_of(o.at("entries")) << " codes ("
                          << text_of(o.at("skipped")) << " agencies without a usable code) at "
                          << text_of(o.at("synced_at")) << "\n";
            });
    }
    if (action == "outbox") {
        return answered(call(client, verb::get, "/admin/v1/national/outbox"), args,
                        [](const json::object& o) {
                            std::cout << "waiting: " << text_of(o.at("depth")) << " (oldest since "
                                      << text_of(o.at("oldest_created_at")) << ")\n";
                            print_dead_letters(o.at("dead_letters").as_array());
                        });
    }
    return answered(call(client, verb::get, "/admin/v1/national"), args, [](const json::object& o) {
        const auto& dir = o.at("directory").as_object();
        std::cout << "reachable: " << text_of(o.at("reachable"))
                  << "  breaker: " << text_of(o.at("breaker"))
                  << "  last poll: " << text_of(o.at("last_poll")) << "\n"
                  << "outbox: " << text_of(o.at("outbox_depth")) << " waiting, oldest "
                  << text_of(o.at("oldest_age_s")) << " s; relayed " << text_of(o.at("relayed"))
                  << ", failed " << text_of(o.at("failed_attempts")) << ", dead "
                  << text_of(o.at("dead_letters")) << "\n"
                  << "received: " << text_of(o.at("received")) << ", refused "
                  << text_of(o.at("refused")) << "\n"
                  << "directory: " << text_of(dir.at("entries")) << " codes, synced "
                  << text_of(dir.at("synced_at")) << "\n"
                  << "signs packages: " << text_of(o.at("signs_packages")) << "\n";
        if (!o.at("last_error").as_string().empty()) {
            std::cout << "last error: " << text_of(o.at("last_error")) << "\n";
        }
    });
}

int cmd_dead_letters(const Words& words) {
    if (words.empty()) {
        throw UsageError(
            std::string("usage: dead-letters list [--channel inbox|national] | retry ID | "
                        "discard ID --reason TEXT, ") +
            kOperatorUsage);
    }
    const std::string& action = words[0];
    std::set<std::string> valued(std::begin(kOperatorFlags), std::end(kOperatorFlags));
    valued.insert({"channel", "reason"});
    Args args(Words(words.begin() + 1, words.end()), valued, {"json"});
    hub::http::Client client(operator_options(args));
    if (action == "list") {
        std::string target = "/admin/v1/dead-letters";
        if (auto channel = args.get("channel")) {
            if (*channel != "inbox" && *channel != "national") {
                throw UsageError("--channel inbox|national");
            }
            target += "?channel=" + *channel;
        }
        return answered(call(client, verb::get, target), args, [](const json::object& o) {
            print_dead_letters(o.at("dead_letters").as_array());
        });
    }
    if (action != "retry" && action != "discard") {
        throw UsageError("unknown dead-letters action '" + action + "'");
    }
    if (args.positionals().size() != 1) {
        throw UsageError("dead-letters " + action + " ID");
    }
    const std::string id = args.positionals().front();
    json::object body;
    if (action == "discard") {
        body["reason"] = args.require("reason");
    }
    return answered(call(client, verb::post, "/admin/v1/dead-letters/" + id + "/" + action,
                         json::serialize(body), "application/json"),
                    args, [&](const json::object&) {
                        std::cout << id
                                  << (action == "retry" ? " will be sent again\n" : " discarded\n");
                    });
}

}  // namespace ctl
