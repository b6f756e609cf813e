#pragma once
/// Mapping between edXML packages (edxml.h) and the hub's messages, field by field as
/// envelope.md lists: a package <-> SignedEnvelope/EnvelopeHeader, a status package <->
/// StatusUpdate/StatusNotice. Organization codes in either written form go through a lookup
/// the caller passes in (the registry and the national directory), so the hub side carries the
/// canonical QĐ 20/2020 form and the edXML side the QCVN 102 form where one exists.

#include "hub/core/result.h"
#include "hub/national/edxml.h"
#include "hub/routing/registry.h"
#include "lienthong/v1/api.pb.h"
#include "lienthong/v1/envelope.pb.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::national {

/// Both written forms of one organization's code; `edxml` may be empty (no QCVN 102 form).
struct CodeForms {
    std::string canonical;  ///< QĐ 20/2020 form, e.g. "H39.01"
    std::string edxml;      ///< QCVN 102 form, e.g. "000.00.01.H39"
};

/// Answers the forms of a code it knows (a registered organization, a directory entry), or
/// nullopt. Called on the caller's thread, during the mapping call only.
using CodeLookup = std::function<std::optional<CodeForms>(std::string_view code)>;

/// A lookup over a registry snapshot (which the returned function keeps alive).
CodeLookup registry_lookup(std::shared_ptr<const Registry> registry);

/// The forms of `code`: the lookup's answer, or else what parsing the code gives; nullopt when
/// neither knows it (a system id such as "vxp.saas.03").
std::optional<CodeForms> code_forms(std::string_view code, const CodeLookup& lookup);

/// The envelope id of a package: a name-based UUID (RFC 4122 version 5, SHA-1) in the
/// namespace kEdxmlIdNamespace over "<sender canonical code>\n<DocumentId>\n<BussinessDocType>",
/// so the same package always gets the same id and another business type of the same document
/// another one.
inline constexpr std::string_view kEdxmlIdNamespace = "6b1f0c7e-2a4d-5e3b-9c8a-0d1e2f3a4b5c";
std::string edxml_envelope_id(std::string_view sender_canonical,
                              std::string_view document_id,
                              std::string_view business_doc_type);

/// An envelope package as the hub carries it.
struct MappedEnvelope {
    /// `header` = the serialized `header` below, no CMS `signature` (the package's XMLDSig,
    /// when it has one, is the document signature), the attachments' file bytes (a zipped
    /// attachment opened), and `edxml_package` = the original package bytes.
    lienthong::v1::SignedEnvelope envelope;
    lienthong::v1::EnvelopeHeader header;
    /// The package's lenient-mode flags, then the mapping's own ("org_code_unmapped:<edXML path>",
    /// "priority_unknown", "main_document_missing", ...).
    std::vector<std::string> flags;
};

/// Maps a decoded envelope package (with `original`, the exact bytes it was decoded from).
/// Main document rule (issue 9): the first attachment whose content (a zip opened) is a PDF is
/// MAIN, the others APPENDIX. Strict mode errors: INVALID_ORG_CODE (a code nothing maps, field
/// the edXML path), INVALID_TIME, ATTACHMENT_TYPE "attachments" (no PDF). Lenient mode maps
/// what maps, keeps the rest as written and flags it. Thread-safe when `lookup` is.
Result<MappedEnvelope> to_signed_envelope(const EnvelopePackage& package,
                                          std::string_view original,
                                          const CodeLookup& lookup,
                                          DecodeMode mode = DecodeMode::strict);

/// The reverse: an envelope package from a SignedEnvelope (its `header` bytes parsed) for the
/// national axis. Codes are written in their edXML form when they have one; times and dates in
/// edXML's Vietnam-time formats; attachments raw (not zipped); the first TraceHeader is the
/// sender at created_at. Errors: MALFORMED "header" (does not parse), INVALID_TIME (created_at
/// or a date that does not parse), MALFORMED "attachments[i]" (bytes missing for a reference).
Result<EnvelopePackage> from_signed_envelope(const lienthong::v1::SignedEnvelope& envelope,
                                             const CodeLookup& lookup);

/// A status package as the hub carries it.
struct MappedStatus {
    lienthong::v1::StatusUpdate update;  ///< timestamp as ISO 8601 +07:00, `to` canonical
    std::string from;                    ///< the reporter's canonical code (or as written)
    std::vector<std::string> flags;
};

/// Maps a decoded status package. Errors as to_signed_envelope (strict mode), INVALID_TIME for
/// a Timestamp that does not parse.
Result<MappedStatus> to_status_update(const StatusPackage& package,
                                      const CodeLookup& lookup,
                                      DecodeMode mode = DecodeMode::strict);

/// A status package from what a local party reported: `from` is the reporter (its code and
/// what else the registry knows of it), ResponseFor is taken from the update's document id
/// (issuer, date, number/notation) and `to`. Errors: INVALID_DOCUMENT_ID "document_id",
/// INVALID_TIME "timestamp", INVALID_STATUS "code".
Result<StatusPackage> from_status_update(const lienthong::v1::StatusUpdate& update,
                                         const lienthong::v1::Organization& from,
                                         const CodeLookup& lookup);

/// The same from a StatusNotice (its `from` and `to` codes).
Result<StatusPackage> from_status_notice(const lienthong::v1::StatusNotice& notice,
                                         const CodeLookup& lookup);

}  // namespace hub::national
