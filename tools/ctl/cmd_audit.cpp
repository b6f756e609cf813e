// lienthongctl audit verify: the audit chain of a ledger file, offline. Exit 0 intact,
// 1 broken (the first changed, inserted or deleted row named by its seq), 2 usage.

#include "hub/store/audit_file.h"

#include <filesystem>
#include <iostream>

#include "args.h"
#include "commands.h"

namespace ctl {

int cmd_audit(const Words& words) {
    if (words.empty() || words[0] != "verify") {
        throw UsageError("usage: audit verify --ledger FILE [--from N] [--head SEQ:HEX]");
    }
    Args args(Words(words.begin() + 1, words.end()), {"ledger", "from", "head"}, {"json"});
    const std::string path = args.require("ledger");
    if (!std::filesystem::is_regular_file(path)) {
        throw UsageError("--ledger " + path + ": no such file");
    }
    hub::AuditCheck check;
    if (auto from = args.get("from")) {
        try {
            check.from = std::stoll(*from);
        } catch (const std::logic_error&) {
            throw UsageError("--from: a row number");
        }
        if (check.from < 1) {
            throw UsageError("--from: a row number (1 or more)");
        }
    }
    if (auto head = args.get("head")) {
        check.head = hub::parse_audit_head(*head);
        if (!check.head) {
            throw UsageError("--head: SEQ:HEX, as in the hub's log line event=audit_head");
        }
    }
    auto v = hub::verify_audit_file(path, check);
    if (!v) {
        std::cerr << "lienthongctl audit verify: " << v.error().text() << "\n";
        return 1;
    }
    if (!v->ok) {
        std::cout << "BROKEN at row " << v->culprit_seq << ": " << v->explanation << " ("
                  << v->entries << " rows read)\n";
        return 1;
    }
    std::cout << "OK " << v->entries << " rows, head " << hub::format_audit_head(v->last)
              << (check.head ? " (matches the recorded head)" : "") << "\n";
    return 0;
}

}  // namespace ctl
