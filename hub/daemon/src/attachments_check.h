#pragma once
// The attachment half of envelope validation for bodies read by read_envelope_body, where
// content may sit in temp files rather than memory.

#include "hub/core/result.h"
#include "lienthong/v1/envelope.pb.h"

#include "envelope_body.h"

namespace hub {

/// Every reference has exactly one attachment and every attachment a reference
/// (ATTACHMENT_DIGEST "attachments[i]" for an extra or repeated one, "attachments" when one
/// is missing); sizes and SHA-256 agree (ATTACHMENT_DIGEST "attachments[i]"); content
/// matches the declared type by magic bytes (ATTACHMENT_TYPE "attachments[i]").
/// Reads temp files through a read-only mapping: call where blocking is allowed.
Result<void> check_attachments(const lienthong::v1::EnvelopeHeader& header,
                               const IncomingEnvelope& envelope);

}  // namespace hub
