// lienthongctl report: the period report from the operator listener, written as
// the hub rendered it (GET /admin/v1/reports), so the CLI and the API cannot disagree.

#include <iostream>

#include "args.h"
#include "commands.h"
#include "env.h"
#include "files.h"

namespace ctl {

namespace {

// Query values are dates, quarters and format names; anything else is escaped so it reaches
// the hub as one parameter to refuse, not as several.
std::string query_value(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace

int cmd_report(const Words& words) {
    std::set<std::string> valued(std::begin(kOperatorFlags), std::end(kOperatorFlags));
    valued.insert({"quarter", "from", "to", "format", "out"});
    Args args(words, valued, {"json"});
    if (!args.positionals().empty()) {
        throw UsageError(
            "usage: report [--quarter YYYYQn | --from YYYY-MM-DD --to YYYY-MM-DD] "
            "[--format csv|json] [--out FILE], with --env DIR or --operator URL --cert C --key K "
            "--ca CA");
    }
    const std::string format = args.get("format").value_or(args.has("json") ? "json" : "csv");
    if (format != "csv" && format != "json") {
        throw UsageError("--format: csv or json");
    }
    std::string target = "/admin/v1/reports?format=" + format;
    for (const char* name : {"quarter", "from", "to"}) {
        if (auto value = args.get(name)) {
            target += std::string("&") + name + "=" + query_value(*value);
        }
    }
    hub::http::Client client(operator_options(args));
    auto response = call(client, boost::beast::http::verb::get, target);
    return finish(response, args.has("json"), [&](const std::string& body) {
        if (auto out = args.get("out")) {
            write_file(*out, body);
        } else {
            std::cout << body;
            if (!body.empty() && body.back() != '\n') {
                std::cout << "\n";
            }
        }
    });
}

}  // namespace ctl
