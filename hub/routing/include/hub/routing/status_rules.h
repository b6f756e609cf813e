#pragma once
/// The edXML status lifecycle of one delivery (envelope.md "Status codes"): who may send
/// which code, and in what order.

#include "hub/core/result.h"

#include <cstddef>
#include <string_view>
#include <vector>

namespace hub {

/// Most 04 and 05 reports one delivery may collect.
inline constexpr std::size_t kMaxProgressReports = 50;

/// Who reports a status about a delivery.
enum class StatusParty { hub, recipient, sender };

/// True for the codes the edXML status package defines (01-06, 13, 15, 16).
bool is_known_status(std::string_view code) noexcept;

/// Checks that `code` may follow the codes already recorded for the delivery (oldest
/// first) when reported by `party`, and that a reason is present where one is required.
/// Errors: INVALID_STATUS "code" (unknown code, wrong party, out of order, after a final
/// 02, a 04/05 past kMaxProgressReports), REASON_REQUIRED "description" (02 and 13 without
/// a description).
Result<void> check_status(const std::vector<std::string>& recorded,
                          std::string_view code,
                          StatusParty party,
                          std::string_view description);

/// True when a delivery with these statuses is still waiting to be handled (no 02 and no
/// 03): what R-08's overdue rule looks at.
bool awaiting_handling(const std::vector<std::string>& recorded) noexcept;

}  // namespace hub
