#include "hub/store/audit_file.h"

#include <charconv>

#include "ledger_ops.h"

namespace hub {

Result<AuditVerification> verify_audit_file(const std::string& path, const AuditCheck& check) {
    auto db = sqlite::Db::open(path, sqlite::OpenMode::read_only, std::chrono::milliseconds(5000));
    if (!db) {
        return db.error();
    }
    auto has_log = sqlite::has_row(
        *db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'");
    if (!has_log) {
        return has_log.error();
    }
    if (!*has_log) {
        return fail(errc::internal, "", path + " is not a lienthong ledger (no audit_log)");
    }
    return ledger::verify_audit_chain(*db, check);
}

std::optional<AuditHead> parse_audit_head(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return std::nullopt;
    }
    AuditHead head;
    auto [end, ec] = std::from_chars(text.data(), text.data() + colon, head.seq);
    if (ec != std::errc() || end != text.data() + colon || head.seq < 0) {
        return std::nullopt;
    }
    head.hash = std::string(text.substr(colon + 1));
    if (head.hash.size() != 64 ||
        head.hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return std::nullopt;
    }
    return head;
}

std::string format_audit_head(const AuditHead& head) {
    return std::to_string(head.seq) + ":" + head.hash;
}

}  // namespace hub
