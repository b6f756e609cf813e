// lienthongctl code check CODE...

#include "hub/core/org_code.h"

#include <boost/json.hpp>

#include <iostream>

#include "args.h"
#include "commands.h"

namespace ctl {

int cmd_code(const Words& words) {
    if (words.empty() || words[0] != "check") {
        throw UsageError("usage: code check CODE... [--json]");
    }
    Args args(Words(words.begin() + 1, words.end()), {}, {"json"});
    if (args.positionals().empty()) {
        throw UsageError("code check needs at least one CODE");
    }
    const bool json = args.has("json");
    boost::json::array results;
    int exit_code = 0;
    for (const auto& text : args.positionals()) {
        auto code = hub::parse_org_code(text);
        if (!code) {
            exit_code = 2;
            const auto name = hub::code_name(code.error().code);
            if (json) {
                results.push_back({{"code", text},
                                   {"valid", false},
                                   {"error", name},
                                   {"message", code.error().text()}});
            } else {
                std::cout << text << " " << name << ": " << code.error().text() << "\n";
            }
            continue;
        }
        const std::string province =
            code->province() ? std::to_string(code->province()) : std::string("-");
        if (json) {
            boost::json::object o{
                {"code", text},
                {"valid", true},
                {"canonical", code->canonical},
                {"form", code->form == hub::OrgCodeForm::edxml ? "edxml" : "qd20"},
                {"kind", std::string(1, code->kind)},
                {"kind_name", hub::org_kind_name(code->kind)},
                {"level1", code->level1()},
                {"parent", code->parent()},
                {"edxml", code->edxml()}};
            if (code->province()) {
                o["province"] = code->province();
            } else {
                o["province"] = nullptr;
            }
            results.push_back(std::move(o));
        } else {
            std::cout << text << " canonical=" << code->canonical << " kind=" << code->kind
                      << " province=" << province << "\n";
        }
    }
    if (json) {
        std::cout << boost::json::serialize(results) << "\n";
    }
    return exit_code;
}

}  // namespace ctl
