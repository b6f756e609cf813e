#pragma once
/// edXML packages (QCVN 102:2016, namespace kEdxmlNamespace) as plain structs, decoded from and
/// encoded to XML with libxml2's tree API. Every value is kept exactly as written (strings), so
/// a package that crossed the boundary can be described without loss; the mapping to the hub's
/// messages (edxml_mapping.h) interprets them.
///
/// Two decoding modes: strict for our own agencies (envelope.md's rules: codes, document id,
/// dates and the required elements), lenient for packages from the national axis, whose
/// untidiness (system ids where a code should be, a UUID as DocumentId, "null" in trace entries,
/// missing optional elements) is decoded, kept and listed in `flags`, never a failure.

#include "hub/core/result.h"
#include "hub/national/xml_guard.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::national {

inline constexpr std::string_view kEdxmlNamespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

/// From / To (`OrganId`, `OrganizationInCharge`, `OrganName`, `OrganAdd`, `Email`, `Telephone`,
/// `Fax`, `Website`).
struct EdxmlOrganization {
    std::string organ_id;
    std::string organization_in_charge;
    std::string organ_name;
    std::string organ_add;
    std::string email;
    std::string telephone;
    std::string fax;
    std::string website;
};

/// `ResponseFor`: the document a package answers (envelopes) or reports on (statuses).
struct EdxmlResponseFor {
    std::string organ_id;
    std::string code;               ///< "number/notation" as written
    std::string promulgation_date;  ///< yyyy/MM/dd as written
    std::string document_id;
};

/// `StaffInfo`.
struct EdxmlStaff {
    std::string department;
    std::string staff;
    std::string mobile;
    std::string email;
};

/// `OtherInfo`.
struct EdxmlOtherInfo {
    std::string priority;
    std::string sphere_of_promulgation;
    std::string typer_notation;
    std::string promulgation_amount;
    std::string page_amount;
    std::string direction;
    std::vector<std::string> appendixes;  ///< `Appendixes/Appendix`
};

/// `MessageHeader` of an envelope package.
struct EdxmlMessageHeader {
    EdxmlOrganization from;
    std::vector<EdxmlOrganization> to;
    std::string document_id;
    std::string code_number;
    std::string code_notation;
    std::string promulgation_place;
    std::string promulgation_date;  ///< yyyy/MM/dd as written
    std::string type;
    std::string type_detail;
    std::string type_name;
    std::string subject;
    std::string content;
    std::string signer_competence;
    std::string signer_position;
    std::string signer_full_name;
    std::string due_date;  ///< yyyy/MM/dd (or a timestamp) as written; empty when absent
    EdxmlOtherInfo other_info;
    std::string steering_type;
    std::vector<std::string> to_places;
    std::vector<EdxmlResponseFor> response_for;
};

/// `TraceHeader`.
struct EdxmlTraceHeader {
    std::string organ_id;
    std::string timestamp;  ///< yyyy/MM/dd HH:mm:ss, Vietnam time, as written
};

/// `BussinessDocumentInfo/ReceiverList/Receiver`.
struct EdxmlReceiver {
    std::string organ_id;
    std::string receiver_type;
};

/// `ReplacementInfoList/ReplacementInfo`.
struct EdxmlReplacementInfo {
    std::string document_id;
    std::vector<std::string> organ_ids;  ///< `OrganIdList/OrganId`
};

/// `Bussiness` (the standard's spelling).
struct EdxmlBusiness {
    std::string document_id;
    std::string doc_type;  ///< BussinessDocType: "0" new, "1" recall, "2" update, "3" replace
    std::string doc_reason;
    std::string paper;  ///< "0" / "1"
    EdxmlStaff staff;
    bool has_document_info = false;  ///< BussinessDocumentInfo present
    std::string document_info;       ///< BussinessDocumentInfo/DocumentInfo
    std::string document_receiver;   ///< BussinessDocumentInfo/DocumentReceiver
    std::vector<EdxmlReceiver> receivers;
    std::vector<EdxmlReplacementInfo> replacements;
};

/// `edXMLManifest/Reference`.
struct EdxmlReference {
    std::string content_id;  ///< "cid:..." as written
    std::string content_type;
    std::string description;
    std::string attachment_name;
};

/// `AttachmentEncoded/Attachment`: the bytes as carried (`carried`, base64-decoded) and, when
/// they are a zip holding one file, that file opened (`content`, `inner_name`); otherwise
/// `content` equals `carried`.
struct EdxmlAttachment {
    std::string content_id;
    std::string attachment_name;
    std::string description;
    std::string content_type;
    std::string carried;
    bool zipped = false;
    std::string inner_name;  ///< the zip entry's name, when zipped
    std::string content;     ///< the file itself
};

/// An envelope package: a new document, a recall, an update or a replacement.
struct EnvelopePackage {
    EdxmlMessageHeader header;
    std::vector<EdxmlTraceHeader> traces;
    EdxmlBusiness business;
    std::vector<EdxmlReference> references;
    std::vector<EdxmlAttachment> attachments;
    /// An XMLDSig `Signature` (XMLDSig namespace) in edXMLHeader; check it with xmldsig.h.
    bool has_signature = false;
    /// Lenient mode: what was not as the standard wants, one stable "<kind>:<element path>"
    /// each (kinds: missing, null_value, org_code_unparsed, document_id_unparsed,
    /// date_unparsed, time_unparsed, business_type_unknown, status_unknown, not_a_signature,
    /// reference_unmatched, namespace).
    std::vector<std::string> flags;
};

/// A status package (01-06, 13, 15, 16).
struct StatusPackage {
    EdxmlOrganization from;
    EdxmlResponseFor response_for;
    EdxmlStaff staff;
    std::string status_code;
    std::string description;
    std::string timestamp;  ///< yyyy/MM/dd HH:mm:ss, Vietnam time, as written
    bool has_signature = false;
    std::vector<std::string> flags;  ///< as EnvelopePackage::flags
};

/// Which package a document is, read from its tree (a MessageHeader with StatusCode is a status).
enum class PackageKind { envelope, status };

enum class DecodeMode {
    strict,   ///< our agencies: envelope.md's rules, failures are errors
    lenient,  ///< the national axis: decode what is there, flag the rest
};

struct DecodeOptions {
    DecodeMode mode = DecodeMode::strict;
    XmlLimits limits;
    /// Largest file accepted inside a zipped attachment, once inflated (zip bombs).
    std::size_t max_inflated_bytes = 64u * 1024 * 1024;
};

/// The status codes a status package may carry.
bool is_status_code(std::string_view code) noexcept;

/// Tells an envelope package from a status package (after the guard). Errors: the guard's,
/// MALFORMED "namespace"/"missing" when the root is not edXML or has no MessageHeader.
Result<PackageKind> package_kind(std::string_view xml, const XmlLimits& limits = {});

/// Decodes an envelope package. Errors (all MALFORMED with the element path as field and a
/// refusal word of xml_guard.h, or the core code for a strict check): the guard's refusals;
/// `namespace` (root not edXML, or, in strict mode, not in kEdxmlNamespace); `missing` (a
/// required element in strict mode; MessageHeader and an attachment's bytes in both modes);
/// `base64`; `zip_entries`, `zip_size`, `zip_invalid` for a zipped attachment; strict mode adds
/// INVALID_ORG_CODE, INVALID_DOCUMENT_ID, INVALID_TIME and MALFORMED `value`
/// (BussinessDocType not 0-3, a Reference without its Attachment). Thread-safe.
Result<EnvelopePackage> decode_envelope_package(std::string_view xml,
                                                const DecodeOptions& options = {});

/// Decodes a status package. Errors as decode_envelope_package; strict mode also refuses a
/// StatusCode that is not a status code (INVALID_STATUS) and a missing ResponseFor/DocumentId.
Result<StatusPackage> decode_status_package(std::string_view xml,
                                            const DecodeOptions& options = {});

/// Builds an envelope package's XML (UTF-8, root edXML in the default namespace, the envelope's
/// children prefixed `edXML:`). Empty optional values are left out; an attachment is written
/// from `carried` (base64, lines of 76). No signature: sign the result with xmldsig.h.
/// Error: INTERNAL when libxml2 fails. Thread-safe.
Result<std::string> encode_envelope_package(const EnvelopePackage& package);

/// Builds a status package's XML. Error: INTERNAL when libxml2 fails. Thread-safe.
Result<std::string> encode_status_package(const StatusPackage& package);

/// Base64 as edXML carries it: encode without line breaks when `line` is 0; decode skips
/// whitespace. Error (decode): MALFORMED `base64`.
std::string base64_encode(std::string_view bytes, std::size_t line = 0);
Result<std::string> base64_decode(std::string_view text);

/// Opens a zip that must hold exactly one file no larger than `max_inflated` bytes once
/// inflated (the declared size is not trusted: reading stops at the limit). Returns the entry's
/// name and content. Errors: MALFORMED `zip_entries`, `zip_size`, `zip_invalid` (field as given).
struct ZipEntry {
    std::string name;
    std::string content;
};
Result<ZipEntry> open_single_entry_zip(std::string_view zip,
                                       std::size_t max_inflated,
                                       const std::string& field = {});

/// True when `bytes` start like a zip archive (local file header).
bool looks_like_zip(std::string_view bytes) noexcept;

}  // namespace hub::national
