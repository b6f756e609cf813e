#pragma once
// Envelopes as an agency system would build them: a real minimal PDF as MAIN, a header that
// agrees with itself, a detached CMS signature from the agency's signer certificate. Tests
// break them on purpose: by changing the Draft before signing (a signed but invalid header)
// or the SignedEnvelope after signing (tampering).

#include "lienthong/v1/envelope.pb.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"

namespace it {

/// A one-page PDF with a correct xref table; `text` goes into a comment so that documents
/// differ.
std::string minimal_pdf(std::string_view text = "lienthong");
/// A 1x1 PNG.
std::string minimal_png();
/// A random version 4 UUID.
std::string new_uuid();
/// A protobuf length-delimited field (tag, length, bytes): appended to serialized bytes it
/// overrides a singular string field, which is how a test puts bytes (invalid UTF-8) into a
/// header that protobuf itself would refuse to write.
std::string wire_field(int number, std::string_view bytes);

/// An envelope before signing.
struct Draft {
    lienthong::v1::EnvelopeHeader header;
    std::vector<lienthong::v1::Attachment> attachments;
    std::string sign_key;   ///< PEM key file; the sender's signer.key by default
    std::string sign_cert;  ///< PEM certificate file; the sender's signer.crt by default
    /// Raw protobuf wire bytes appended to the serialized header before signing.
    std::string header_suffix;

    /// Adds an attachment and its matching reference (size, SHA-256); returns the reference.
    lienthong::v1::AttachmentRef& add(const std::string& content_id,
                                      const std::string& name,
                                      const std::string& media_type,
                                      lienthong::v1::AttachmentRole role,
                                      const std::string& content);
    /// Serializes the header (plus header_suffix) and signs it. Throws std::runtime_error
    /// when the signer files cannot be used.
    lienthong::v1::SignedEnvelope sign() const;
};

/// A valid draft from `from` to `to` (codes as written): fresh envelope_id, document id
/// "<from>,<today>,<unique number>/UBND-VP" agreeing with code and promulgation, created_at
/// now, Vietnamese subject, a PDF as MAIN, the sender's signer files.
Draft draft(const Hub& hub, const std::string& from, const std::vector<std::string>& to);

/// draft(), then `before` on the draft, sign(), then `after` on the signed envelope.
lienthong::v1::SignedEnvelope make_envelope(
    const Hub& hub,
    const std::string& from,
    const std::vector<std::string>& to,
    const std::function<void(Draft&)>& before = {},
    const std::function<void(lienthong::v1::SignedEnvelope&)>& after = {});

}  // namespace it
