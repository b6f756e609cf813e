#include "hub/core/validation.h"

#include "hub/core/digest.h"
#include "hub/core/media_type.h"
#include "hub/core/text.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <cctype>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace hub {
namespace {

namespace pb = google::protobuf;
using lienthong::v1::AttachmentRef;
using lienthong::v1::EnvelopeHeader;

std::string indexed(std::string_view field, int i) {
    return std::string(field) + "[" + std::to_string(i) + "]";
}

// --- Rule 1: the header bytes ------------------------------------------------------------

enum class Scan { unchanged, rewritten, not_wire_format };

// Protobuf's proto3 parser refuses a `string` field holding invalid UTF-8, which would turn a
// text error into MALFORMED and lose the field's name. So the wire bytes are walked first,
// guided by the schema, and every string field that is not valid text is replaced by a single
// NUL: protobuf accepts it, is_valid_utf8 does not, so the reflection pass of rule 3 reports
// INVALID_TEXT with the exact path, after the checks that come before it.
Scan blank_invalid_text(std::string_view wire, const pb::Descriptor& type, std::string& out) {
    pb::UnknownFieldSet fields;
    if (!fields.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
        return Scan::not_wire_format;
    }
    bool changed = false;
    for (int i = 0; i < fields.field_count(); ++i) {
        pb::UnknownField* field = fields.mutable_field(i);
        if (field->type() != pb::UnknownField::TYPE_LENGTH_DELIMITED) {
            continue;
        }
        const pb::FieldDescriptor* fd = type.FindFieldByNumber(field->number());
        if (fd == nullptr) {
            continue;
        }
        if (fd->type() == pb::FieldDescriptor::TYPE_STRING) {
            if (!is_valid_utf8(field->length_delimited())) {
                *field->mutable_length_delimited() = std::string(1, '\0');
                changed = true;
            }
        } else if (fd->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
            std::string nested;
            const Scan scan =
                blank_invalid_text(field->length_delimited(), *fd->message_type(), nested);
            if (scan == Scan::not_wire_format) {
                return scan;
            }
            if (scan == Scan::rewritten) {
                *field->mutable_length_delimited() = std::move(nested);
                changed = true;
            }
        }
    }
    if (!changed) {
        return Scan::unchanged;
    }
    out.clear();
    return fields.SerializeToString(&out) ? Scan::rewritten : Scan::not_wire_format;
}

Result<EnvelopeHeader> decode_header(std::string_view bytes) {
    if (bytes.empty()) {
        return fail(errc::malformed, "header", "the header is empty");
    }
    std::string rewritten;
    const Scan scan = blank_invalid_text(bytes, *EnvelopeHeader::descriptor(), rewritten);
    const std::string_view wire = scan == Scan::rewritten ? std::string_view(rewritten) : bytes;
    EnvelopeHeader header;
    if (scan == Scan::not_wire_format ||
        !header.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
        return fail(errc::malformed, "header", "the header is not a serialized EnvelopeHeader");
    }
    return header;
}

// --- Rule 2: required fields -------------------------------------------------------------

bool is_uuid(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

Result<void> check_required(const EnvelopeHeader& h) {
    if (h.envelope_id().empty()) {
        return fail(errc::malformed, "header.envelope_id", "envelope_id is required");
    }
    if (!is_uuid(h.envelope_id())) {
        return fail(errc::malformed, "header.envelope_id", "envelope_id must be a UUID");
    }
    const std::pair<bool, const char*> required[] = {
        {h.document_id().empty(), "header.document_id"},
        {h.from().code().empty(), "header.from.code"},
        {h.to().empty(), "header.to"},
        {h.code().number().empty(), "header.code.number"},
        {h.code().notation().empty(), "header.code.notation"},
        {h.promulgation().date().empty(), "header.promulgation.date"},
        {h.subject().empty(), "header.subject"},
        {h.created_at().empty(), "header.created_at"},
        {h.attachments().empty(), "header.attachments"},
    };
    for (const auto& [missing, field] : required) {
        if (missing) {
            return fail(errc::malformed, field, std::string(field) + " is required");
        }
    }
    return {};
}

// --- Rule 3: text ------------------------------------------------------------------------

// Path of the first string field, in declaration order and depth first, that is not valid
// text; empty when all are.
std::string find_invalid_text(const pb::Message& m, const std::string& prefix) {
    const pb::Descriptor* d = m.GetDescriptor();
    const pb::Reflection* r = m.GetReflection();
    std::string scratch;
    for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor* f = d->field(i);
        const std::string path = prefix + "." + f->name();
        if (f->type() == pb::FieldDescriptor::TYPE_STRING) {
            if (f->is_repeated()) {
                for (int j = 0; j < r->FieldSize(m, f); ++j) {
                    if (!is_valid_utf8(r->GetRepeatedStringReference(m, f, j, &scratch))) {
                        return indexed(path, j);
                    }
                }
            } else if (!is_valid_utf8(r->GetStringReference(m, f, &scratch))) {
                return path;
            }
        } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
            if (f->is_repeated()) {
                for (int j = 0; j < r->FieldSize(m, f); ++j) {
                    std::string bad =
                        find_invalid_text(r->GetRepeatedMessage(m, f, j), indexed(path, j));
                    if (!bad.empty()) {
                        return bad;
                    }
                }
            } else if (r->HasField(m, f)) {
                std::string bad = find_invalid_text(r->GetMessage(m, f), path);
                if (!bad.empty()) {
                    return bad;
                }
            }
        }
    }
    return {};
}

// the hub stores text in NFC, so every later comparison and every recipient sees one
// spelling of a Vietnamese word whichever input method produced it.
void normalize_text(pb::Message& m) {
    const pb::Descriptor* d = m.GetDescriptor();
    const pb::Reflection* r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor* f = d->field(i);
        if (f->type() == pb::FieldDescriptor::TYPE_STRING) {
            if (f->is_repeated()) {
                for (int j = 0; j < r->FieldSize(m, f); ++j) {
                    std::string value = r->GetRepeatedString(m, f, j);
                    std::string nfc = to_nfc(value);
                    if (nfc != value) {
                        r->SetRepeatedString(&m, f, j, std::move(nfc));
                    }
                }
            } else {
                std::string value = r->GetString(m, f);
                std::string nfc = to_nfc(value);
                if (nfc != value) {
                    r->SetString(&m, f, std::move(nfc));
                }
            }
        } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
            if (f->is_repeated()) {
                for (int j = 0; j < r->FieldSize(m, f); ++j) {
                    normalize_text(*r->MutableRepeatedMessage(&m, f, j));
                }
            } else if (r->HasField(m, f)) {
                normalize_text(*r->MutableMessage(&m, f));
            }
        }
    }
}

// --- Rules 5-8: codes, times, document ids, business type --------------------------------

Result<void> check_codes(const EnvelopeHeader& h, CheckedEnvelope& out) {
    auto from = parse_org_code(h.from().code());
    if (!from) {
        return fail(errc::invalid_org_code, "header.from.code",
                    "the sender's code is not an organization code");
    }
    out.from = std::move(*from);
    std::unordered_set<std::string> seen;
    for (int i = 0; i < h.to_size(); ++i) {
        auto to = parse_org_code(h.to(i));
        if (!to) {
            return fail(errc::invalid_org_code, indexed("header.to", i),
                        "a recipient's code is not an organization code");
        }
        // The same organization written in both forms is still one delivery.
        if (seen.insert(to->canonical).second) {
            out.to.push_back(std::move(*to));
        }
    }
    return {};
}

Result<std::chrono::year_month_day> check_times(const EnvelopeHeader& h, CheckedEnvelope& out) {
    auto created = parse_instant(h.created_at());
    if (!created) {
        return fail(errc::invalid_time, "header.created_at",
                    "created_at must be an ISO 8601 instant with an offset");
    }
    out.created_at = *created;
    if (!h.reply_due().empty() && !parse_date(h.reply_due()) && !parse_instant(h.reply_due())) {
        return fail(errc::invalid_time, "header.reply_due",
                    "reply_due must be a yyyy-MM-dd date or an ISO 8601 instant");
    }
    auto promulgated = parse_date(h.promulgation().date());
    if (!promulgated) {
        return fail(errc::invalid_time, "header.promulgation.date",
                    "promulgation.date must be a yyyy-MM-dd date");
    }
    return *promulgated;
}

Result<void> check_document_ids(const EnvelopeHeader& h,
                                std::chrono::year_month_day promulgated,
                                CheckedEnvelope& out) {
    constexpr const char* kField = "header.document_id";
    // An issuer that is not an org code is reported against the document id, where it sits.
    auto id = parse_document_id(h.document_id());
    if (!id) {
        return fail(errc::invalid_document_id, kField, id.error().text());
    }
    if (canonical_org_code(id->issuer) != out.from.canonical) {
        return fail(errc::invalid_document_id, kField,
                    "the document id's issuer is not the sender");
    }
    if (id->date != promulgated) {
        return fail(errc::invalid_document_id, kField,
                    "the document id's date is not the promulgation date");
    }
    if (to_nfc(id->number) != to_nfc(h.code().number())) {
        return fail(errc::invalid_document_id, kField,
                    "the document id's number is not code.number");
    }
    if (to_nfc(id->notation) != to_nfc(h.code().notation())) {
        return fail(errc::invalid_document_id, kField,
                    "the document id's notation is not code.notation");
    }
    out.document = std::move(*id);
    for (int i = 0; i < h.in_reply_to_size(); ++i) {
        if (!parse_document_id(h.in_reply_to(i))) {
            return fail(errc::invalid_document_id, indexed("header.in_reply_to", i),
                        "in_reply_to must hold document ids");
        }
    }
    return {};
}

Result<void> check_business_type(const EnvelopeHeader& h) {
    using lienthong::v1::BusinessType;
    const BusinessType type = h.business_type();
    if (type == lienthong::v1::NEW) {
        return {};  // a stray `replaces` on a new document changes nothing
    }
    if (type != lienthong::v1::RECALL && type != lienthong::v1::UPDATE &&
        type != lienthong::v1::REPLACE) {
        return fail(errc::malformed, "header.business_type", "unknown business type");
    }
    if (!h.has_replaces()) {
        return fail(errc::malformed, "header.replaces",
                    "RECALL, UPDATE and REPLACE name the document they act on");
    }
    if (h.replaces().document_id().empty()) {
        return fail(errc::malformed, "header.replaces.document_id",
                    "replaces.document_id is required");
    }
    if (!parse_document_id(h.replaces().document_id())) {
        return fail(errc::invalid_document_id, "header.replaces.document_id",
                    "replaces.document_id is not a document id");
    }
    if (h.replaces().reason().empty()) {
        return fail(errc::malformed, "header.replaces.reason", "replaces.reason is required");
    }
    return {};
}

// --- Rule 9: attachment references -------------------------------------------------------

bool is_sha256_hex(std::string_view s) {
    if (s.size() != 64) {
        return false;
    }
    for (const char c : s) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

// Reads one code point of well-formed UTF-8 (check_header has checked it) at `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
    for (int k = 0; k < extra && i + 1 < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F);
    }
    ++i;
    return cp;
}

// Unicode bidirectional formatting characters: they make "exe.pdf" of "fdp.exe" on screen.
bool is_bidi_control(char32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

// Why an attachment name cannot be a plain file name on the recipient's disk; empty when it
// can. Agencies save attachments under this name, so it must not climb out of a directory,
// hide its real extension or break a log line.
std::string bad_file_name(std::string_view name) {
    if (name == "." || name == "..") {
        return "a name may not be . or ..";
    }
    for (std::size_t i = 0; i < name.size();) {
        const char32_t cp = next_code_point(name, i);
        if (cp == '/' || cp == '\\') {
            return "a name may not contain / or \\";
        }
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return "a name may not contain control characters";
        }
        if (is_bidi_control(cp)) {
            return "a name may not contain bidirectional control characters";
        }
    }
    return {};
}

Result<void> check_attachment_refs(const EnvelopeHeader& h) {
    std::unordered_map<std::string_view, int> ids;
    int mains = 0;
    for (int i = 0; i < h.attachments_size(); ++i) {
        const AttachmentRef& ref = h.attachments(i);
        const std::string field = indexed("header.attachments", i);
        if (ref.content_id().empty() || !ids.emplace(ref.content_id(), i).second) {
            return fail(errc::malformed, field + ".content_id",
                        "content_id must be present and unique");
        }
        if (!is_sha256_hex(ref.sha256())) {
            return fail(errc::malformed, field + ".sha256", "sha256 must be 64 hex digits");
        }
        if (std::string why = bad_file_name(ref.name()); !why.empty()) {
            return fail(errc::malformed, field + ".name", "not a plain file name: " + why);
        }
        mains += ref.role() == lienthong::v1::MAIN ? 1 : 0;
    }
    if (mains != 1) {
        return fail(errc::malformed, "header.attachments",
                    "exactly one attachment must have the MAIN role");
    }
    for (int i = 0; i < h.attachments_size(); ++i) {
        const AttachmentRef& ref = h.attachments(i);
        const std::string field = indexed("header.attachments", i) + ".media_type";
        if (!is_allowed_media_type(ref.media_type())) {
            return fail(errc::attachment_type, field, "this media type is not allowed (R-06)");
        }
        if (ref.role() == lienthong::v1::MAIN && media_kind(ref.media_type()) != MediaKind::pdf) {
            return fail(errc::attachment_type, field, "the main document must be a PDF (R-06)");
        }
    }
    return {};
}

// Rules 2-9 on a decoded header.
Result<CheckedEnvelope> check_header(EnvelopeHeader header) {
    if (auto r = check_required(header); !r) {
        return r.error();
    }
    if (std::string bad = find_invalid_text(header, "header"); !bad.empty()) {
        return fail(errc::invalid_text, bad, "text must be valid UTF-8 without control characters");
    }
    normalize_text(header);
    if (header.secrecy() != lienthong::v1::NONE) {
        return fail(errc::secret_not_allowed, "header.secrecy",
                    "classified documents may not travel through the hub (R-02)");
    }
    CheckedEnvelope out;
    if (auto r = check_codes(header, out); !r) {
        return r.error();
    }
    auto promulgated = check_times(header, out);
    if (!promulgated) {
        return promulgated.error();
    }
    if (auto r = check_document_ids(header, *promulgated, out); !r) {
        return r.error();
    }
    if (auto r = check_business_type(header); !r) {
        return r.error();
    }
    if (auto r = check_attachment_refs(header); !r) {
        return r.error();
    }
    out.header = std::move(header);
    return out;
}

// --- Rule 10: attachment content ---------------------------------------------------------

Result<void> check_attachments(const lienthong::v1::SignedEnvelope& envelope,
                               const EnvelopeHeader& header) {
    std::unordered_map<std::string, int> ref_of;
    for (int i = 0; i < header.attachments_size(); ++i) {
        ref_of.emplace(header.attachments(i).content_id(), i);
    }
    // Header content ids are already NFC; compare the attachments' ids in the same form.
    std::vector<int> matched(header.attachments_size(), -1);
    std::vector<int> ref_index(envelope.attachments_size(), -1);
    for (int j = 0; j < envelope.attachments_size(); ++j) {
        const auto it = ref_of.find(to_nfc(envelope.attachments(j).content_id()));
        if (it == ref_of.end()) {
            return fail(errc::attachment_digest, indexed("attachments", j),
                        "this attachment is not listed in the header");
        }
        if (matched[it->second] != -1) {
            return fail(errc::attachment_digest, indexed("attachments", j),
                        "this attachment is sent twice");
        }
        matched[it->second] = j;
        ref_index[j] = it->second;
    }
    for (int i = 0; i < header.attachments_size(); ++i) {
        if (matched[i] == -1) {
            return fail(errc::attachment_digest, "attachments",
                        "attachment '" + header.attachments(i).content_id() +
                            "' listed in the header is missing");
        }
    }
    for (int j = 0; j < envelope.attachments_size(); ++j) {
        auto r =
            check_attachment_content(header.attachments(ref_index[j]),
                                     envelope.attachments(j).content(), indexed("attachments", j));
        if (!r) {
            return r;
        }
    }
    return {};
}

}  // namespace

Result<CheckedEnvelope> validate_envelope(const lienthong::v1::SignedEnvelope& envelope) {
    auto header = decode_header(envelope.header());
    if (!header) {
        return header.error();
    }
    auto checked = check_header(std::move(*header));
    if (!checked) {
        return checked;
    }
    if (auto r = check_attachments(envelope, checked->header); !r) {
        return r.error();
    }
    // Last, so that an unsigned draft (envelope build without a key) still reports what is
    // wrong with its content.
    if (envelope.signature().empty()) {
        return fail(errc::malformed, "signature", "the envelope carries no signature");
    }
    return checked;
}

Result<CheckedEnvelope> validate_header(std::string_view header_bytes) {
    auto header = decode_header(header_bytes);
    if (!header) {
        return header.error();
    }
    return check_header(std::move(*header));
}

Result<void> check_attachment_content(const AttachmentRef& ref,
                                      std::string_view content,
                                      const std::string& field) {
    if (ref.size() != content.size()) {
        return fail(errc::attachment_digest, field, "the size differs from the header's");
    }
    const std::string digest = sha256_hex(content);
    std::string declared = ref.sha256();
    for (char& c : declared) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (declared != digest) {
        return fail(errc::attachment_digest, field, "the SHA-256 differs from the header's");
    }
    if (!is_allowed_media_type(ref.media_type())) {
        return fail(errc::attachment_type, field, "this media type is not allowed (R-06)");
    }
    if (!content_matches(ref.media_type(), content)) {
        return fail(errc::attachment_type, field, "the content is not of the declared type");
    }
    return {};
}

}  // namespace hub
