#pragma once
/// The audit chain of a ledger file checked offline (lienthongctl audit verify, restore): the
/// file is opened read-only and nothing in it changes.

#include "hub/core/result.h"
#include "hub/store/records.h"

#include <optional>
#include <string>
#include <string_view>

namespace hub {

/// Walks the chain of the ledger at `path` as `check` says. Error: UNAVAILABLE (cannot open
/// or read the file), INTERNAL (not a ledger).
Result<AuditVerification> verify_audit_file(const std::string& path, const AuditCheck& check);

/// "SEQ:HEX" (as the hub logs it: event=audit_head seq=N hash=HEX) -> a head; nullopt when
/// it is not of that form.
std::optional<AuditHead> parse_audit_head(std::string_view text);

/// "SEQ:HEX".
std::string format_audit_head(const AuditHead& head);

}  // namespace hub
