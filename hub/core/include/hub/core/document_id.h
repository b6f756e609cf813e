#pragma once
/// Document identifiers (mã định danh văn bản):
/// `<issuer org code>,<yyyy/MM/dd>,<number>/<notation>`.

#include "hub/core/result.h"

#include <chrono>
#include <string>
#include <string_view>

namespace hub {

struct DocumentId {
    std::string issuer;                ///< org code as written
    std::chrono::year_month_day date;  ///< promulgation date
    std::string number;                ///< e.g. "7816"
    std::string notation;              ///< e.g. "VPCP-TTĐT"
};

/// Parses the identifier. Error: INVALID_DOCUMENT_ID (bad shape or impossible date);
/// INVALID_ORG_CODE when the issuer part is not an organization code.
Result<DocumentId> parse_document_id(std::string_view text);

/// Formats back to the wire shape (issuer as stored in `id.issuer`).
std::string format_document_id(const DocumentId& id);

}  // namespace hub
