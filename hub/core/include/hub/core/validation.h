#pragma once
/// Offline checks of a SignedEnvelope (no registry, no signature): everything envelope.md
/// and ask that can be decided from the bytes alone.

#include "hub/core/document_id.h"
#include "hub/core/org_code.h"
#include "hub/core/result.h"
#include "hub/core/time.h"
#include "lienthong/v1/envelope.pb.h"

#include <string>
#include <string_view>
#include <vector>

namespace hub {

/// An envelope that passed validate_envelope: the parsed header (text in NFC) and the
/// parsed codes, so later stages need not parse again.
struct CheckedEnvelope {
    lienthong::v1::EnvelopeHeader header;  ///< text fields normalized to NFC
    OrgCode from;
    std::vector<OrgCode> to;  ///< in header order, duplicates removed
    DocumentId document;
    Instant created_at{};
};

/// Checks, in this order, each failure yielding exactly one code and the field's proto path:
/// header parses (MALFORMED "header"); required fields present (MALFORMED); all text valid
/// UTF-8 (INVALID_TEXT); secrecy NONE (SECRET_NOT_ALLOWED "header.secrecy"); codes
/// (INVALID_ORG_CODE "header.from.code" / "header.to[i]"); times and dates (INVALID_TIME);
/// document id shape and agreement (INVALID_DOCUMENT_ID "header.document_id"); RECALL /
/// UPDATE / REPLACE carry replaces (MALFORMED "header.replaces"); attachment references and
/// content (ATTACHMENT_TYPE / ATTACHMENT_DIGEST "attachments[i]" or "header.attachments[i].x");
/// last, a signature is present (MALFORMED "signature"; its cryptographic check is hub/crypto's).
Result<CheckedEnvelope> validate_envelope(const lienthong::v1::SignedEnvelope& envelope);

/// Header-only part of validate_envelope, for callers that stream attachments elsewhere;
/// attachment references are checked but not their content.
Result<CheckedEnvelope> validate_header(std::string_view header_bytes);

/// Checks one attachment's bytes against its reference: size and SHA-256
/// (ATTACHMENT_DIGEST), declared media type allowed and matching magic bytes
/// (ATTACHMENT_TYPE). `field` prefixes the reported field.
Result<void> check_attachment_content(const lienthong::v1::AttachmentRef& ref,
                                      std::string_view content,
                                      const std::string& field);

}  // namespace hub
