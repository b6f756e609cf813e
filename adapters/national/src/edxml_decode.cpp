// Decoding edXML packages from a guarded libxml2 tree into the plain structs of edxml.h.

#include "hub/core/document_id.h"
#include "hub/core/org_code.h"
#include "hub/core/time.h"
#include "hub/national/edxml.h"

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "xml_doc.h"

namespace hub::national {
namespace {

using detail::is_element;
using detail::path_of;
using detail::refusal;

constexpr std::string_view kDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

std::string trim(std::string text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// Elements of the package are in the edXML namespace; producers that write them without any
// namespace are read too (the tree, not the prefix, is what the standard fixes).
bool named(const xmlNode* node, std::string_view name) {
    return is_element(node, kEdxmlNamespace, name) || is_element(node, "", name);
}

const xmlNode* child(const xmlNode* parent, std::string_view name) {
    if (parent == nullptr) {
        return nullptr;
    }
    for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
        if (named(c, name)) {
            return c;
        }
    }
    return nullptr;
}

std::vector<const xmlNode*> children(const xmlNode* parent, std::string_view name) {
    std::vector<const xmlNode*> out;
    if (parent != nullptr) {
        for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
            if (named(c, name)) {
                out.push_back(c);
            }
        }
    }
    return out;
}

// Reads values and applies the mode: in strict mode the first rule broken is the answer; in
// lenient mode every one becomes a flag and decoding goes on with the value as written.
class Reader {
public:
    explicit Reader(DecodeMode mode) : mode_(mode) {}

    bool strict() const { return mode_ == DecodeMode::strict; }
    std::vector<std::string>& flags() { return flags_; }
    const std::optional<Failure>& failure() const { return failure_; }

    // A fatal problem in both modes.
    void fatal(Failure f) {
        if (!failure_) {
            failure_ = std::move(f);
        }
    }

    // A rule of the standard: an error in strict mode, a flag in lenient mode.
    void rule(std::string_view kind, const std::string& where, Failure f) {
        if (strict()) {
            fatal(std::move(f));
        } else {
            flags_.push_back(std::string(kind) + ":" + where);
        }
    }

    std::string where(const xmlNode* parent, std::string_view name) const {
        return parent != nullptr ? path_of(parent) + "/" + std::string(name) : std::string(name);
    }

    // The trimmed text of parent/name. "null" (as the axis writes for absent values) reads as
    // empty in lenient mode, flagged. `required` missing: error (strict) or flag (lenient).
    std::string value(const xmlNode* parent, std::string_view name, bool required = false) {
        const xmlNode* node = child(parent, name);
        std::string text = node != nullptr ? trim(detail::text_of(node)) : std::string();
        if (!strict() && text == "null") {
            flags_.push_back("null_value:" + where(parent, name));
            return {};
        }
        if (required && text.empty()) {
            missing(parent, name);
        }
        return text;
    }

    void missing(const xmlNode* parent, std::string_view name) {
        const std::string at = where(parent, name);
        rule(refused::kMissing, at, refusal(refused::kMissing, at, "required element is absent"));
    }

    void org_code(const std::string& code, const std::string& at) {
        if (!code.empty() && !parse_org_code(code)) {
            rule("org_code_unparsed", at,
                 fail(errc::invalid_org_code, at, "not an organization code: " + code));
        }
    }

    void document_id(const std::string& id, const std::string& at) {
        if (!id.empty() && !parse_document_id(id)) {
            rule("document_id_unparsed", at,
                 fail(errc::invalid_document_id, at, "not a document identifier"));
        }
    }

    void date(const std::string& text, const std::string& at) {
        if (!text.empty() && !parse_edxml_date(text)) {
            rule("date_unparsed", at, fail(errc::invalid_time, at, "not a yyyy/MM/dd date"));
        }
    }

    void timestamp(const std::string& text, const std::string& at) {
        if (!text.empty() && !parse_edxml_timestamp(text)) {
            rule("time_unparsed", at,
                 fail(errc::invalid_time, at, "not a yyyy/MM/dd HH:mm:ss timestamp"));
        }
    }

private:
    DecodeMode mode_;
    std::vector<std::string> flags_;
    std::optional<Failure> failure_;
};

EdxmlOrganization read_org(Reader& r, const xmlNode* node, bool required) {
    EdxmlOrganization o;
    o.organ_id = r.value(node, "OrganId", required);
    o.organization_in_charge = r.value(node, "OrganizationInCharge");
    o.organ_name = r.value(node, "OrganName");
    o.organ_add = r.value(node, "OrganAdd");
    o.email = r.value(node, "Email");
    o.telephone = r.value(node, "Telephone");
    o.fax = r.value(node, "Fax");
    o.website = r.value(node, "Website");
    r.org_code(o.organ_id, r.where(node, "OrganId"));
    return o;
}

EdxmlStaff read_staff(Reader& r, const xmlNode* node) {
    EdxmlStaff s;
    s.department = r.value(node, "Department");
    s.staff = r.value(node, "Staff");
    s.mobile = r.value(node, "Mobile");
    s.email = r.value(node, "Email");
    return s;
}

EdxmlResponseFor read_response_for(Reader& r, const xmlNode* node, bool required) {
    EdxmlResponseFor f;
    f.organ_id = r.value(node, "OrganId", required);
    f.code = r.value(node, "Code");
    f.promulgation_date = r.value(node, "PromulgationDate");
    f.document_id = r.value(node, "DocumentId", required);
    r.org_code(f.organ_id, r.where(node, "OrganId"));
    r.date(f.promulgation_date, r.where(node, "PromulgationDate"));
    r.document_id(f.document_id, r.where(node, "DocumentId"));
    return f;
}

struct Tree {
    detail::XmlDocPtr doc;
    const xmlNode* root = nullptr;
    const xmlNode* header = nullptr;          // edXMLEnvelope/edXMLHeader
    const xmlNode* message_header = nullptr;  // .../MessageHeader
};

// The guard, then the fixed top of the tree that both package kinds share.
Result<Tree> open_tree(std::string_view xml, const XmlLimits& limits, Reader* reader) {
    auto doc = detail::parse_guarded(xml, limits);
    if (!doc) {
        return doc.error();
    }
    Tree t;
    t.doc = std::move(*doc);
    t.root = xmlDocGetRootElement(t.doc.get());
    if (t.root == nullptr ||
        std::string_view(reinterpret_cast<const char*>(t.root->name)) != "edXML") {
        return refusal(refused::kNamespace, t.root != nullptr ? path_of(t.root) : "",
                       "the root element must be edXML");
    }
    if (!is_element(t.root, kEdxmlNamespace, "edXML")) {
        if (reader == nullptr || reader->strict()) {
            return refusal(refused::kNamespace, "edXML",
                           "the root element must be in " + std::string(kEdxmlNamespace));
        }
        reader->flags().push_back("namespace:edXML");
    }
    const xmlNode* envelope = child(t.root, "edXMLEnvelope");
    t.header = child(envelope, "edXMLHeader");
    t.message_header = child(t.header, "MessageHeader");
    if (t.message_header == nullptr) {
        return refusal(refused::kMissing, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader",
                       "required element is absent");
    }
    return t;
}

// An XMLDSig Signature in edXMLHeader; one outside that namespace is no signature (flagged).
bool find_signature(Reader& r, const xmlNode* header) {
    bool found = false;
    for (const xmlNode* c = header->children; c != nullptr; c = c->next) {
        if (is_element(c, kDsigNamespace, "Signature")) {
            found = true;
        } else if (c->type == XML_ELEMENT_NODE &&
                   std::string_view(reinterpret_cast<const char*>(c->name)) == "Signature") {
            r.flags().push_back("not_a_signature:" + path_of(c));
        }
    }
    return found;
}

bool is_zip_declared(const EdxmlAttachment& a) {
    auto ends_with = [](const std::string& s, std::string_view suffix) {
        if (s.size() < suffix.size()) {
            return false;
        }
        for (std::size_t i = 0; i < suffix.size(); ++i) {
            const char c = s[s.size() - suffix.size() + i];
            if (static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c) != suffix[i]) {
                return false;
            }
        }
        return true;
    };
    return a.content_type == "application/zip" ||
           a.content_type == "application/x-zip-compressed" || ends_with(a.attachment_name, ".zip");
}

std::string strip_cid(const std::string& id) {
    return id.rfind("cid:", 0) == 0 ? id.substr(4) : id;
}

void read_attachments(Reader& r,
                      const xmlNode* root,
                      const DecodeOptions& options,
                      EnvelopePackage& p) {
    const xmlNode* encoded = child(root, "AttachmentEncoded");
    for (const xmlNode* node : children(encoded, "Attachment")) {
        EdxmlAttachment a;
        a.content_id = r.value(node, "ContentId", true);
        a.attachment_name = r.value(node, "AttachmentName", true);
        a.description = r.value(node, "Description");
        a.content_type = r.value(node, "ContentType");
        const std::string at = path_of(node) + "[" + std::to_string(p.attachments.size()) + "]";
        const xmlNode* bytes = child(node, "ContentTransferEncoded");
        if (bytes == nullptr) {
            r.fatal(refusal(refused::kMissing, at + "/ContentTransferEncoded",
                            "the attachment's bytes are absent"));
            return;
        }
        auto decoded = base64_decode(detail::text_of(bytes));
        if (!decoded) {
            r.fatal(refusal(refused::kBase64, at + "/ContentTransferEncoded",
                            "the attachment is not valid base64"));
            return;
        }
        a.carried = std::move(*decoded);
        if (is_zip_declared(a) && looks_like_zip(a.carried)) {
            auto entry = open_single_entry_zip(a.carried, options.max_inflated_bytes, at);
            if (!entry) {
                r.fatal(entry.error());
                return;
            }
            a.zipped = true;
            a.inner_name = std::move(entry->name);
            a.content = std::move(entry->content);
        } else {
            a.content = a.carried;
        }
        p.attachments.push_back(std::move(a));
    }
    // Every manifest reference names an attachment that is there.
    for (const auto& ref : p.references) {
        bool found = false;
        for (const auto& a : p.attachments) {
            found = found || strip_cid(a.content_id) == strip_cid(ref.content_id);
        }
        if (!found) {
            const std::string where = "edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference";
            r.rule("reference_unmatched", where,
                   refusal(refused::kValue, where,
                           "no attachment for manifest reference " + ref.content_id));
        }
    }
}

}  // namespace

bool is_status_code(std::string_view code) noexcept {
    for (std::string_view known : {"01", "02", "03", "04", "05", "06", "13", "15", "16"}) {
        if (code == known) {
            return true;
        }
    }
    return false;
}

Result<PackageKind> package_kind(std::string_view xml, const XmlLimits& limits) {
    Reader lenient(DecodeMode::lenient);
    auto tree = open_tree(xml, limits, &lenient);
    if (!tree) {
        return tree.error();
    }
    return child(tree->message_header, "StatusCode") != nullptr ? PackageKind::status
                                                                : PackageKind::envelope;
}

Result<EnvelopePackage> decode_envelope_package(std::string_view xml,
                                                const DecodeOptions& options) {
    Reader r(options.mode);
    auto tree = open_tree(xml, options.limits, &r);
    if (!tree) {
        return tree.error();
    }
    EnvelopePackage p;
    EdxmlMessageHeader& h = p.header;
    const xmlNode* mh = tree->message_header;

    const xmlNode* from = child(mh, "From");
    if (from == nullptr) {
        r.missing(mh, "From");
    }
    h.from = read_org(r, from, true);
    for (const xmlNode* to : children(mh, "To")) {
        h.to.push_back(read_org(r, to, true));
    }
    if (h.to.empty()) {
        r.missing(mh, "To");
    }
    h.document_id = r.value(mh, "DocumentId", true);
    r.document_id(h.document_id, r.where(mh, "DocumentId"));
    const xmlNode* code = child(mh, "Code");
    h.code_number = r.value(code, "CodeNumber");
    h.code_notation = r.value(code, "CodeNotation");
    if (code == nullptr) {
        r.missing(mh, "Code");
    }
    const xmlNode* promulgation = child(mh, "PromulgationInfo");
    h.promulgation_place = r.value(promulgation, "Place");
    h.promulgation_date = r.value(promulgation, "PromulgationDate");
    if (promulgation == nullptr) {
        r.missing(mh, "PromulgationInfo");
    } else if (h.promulgation_date.empty()) {
        r.missing(promulgation, "PromulgationDate");
    }
    r.date(h.promulgation_date, r.where(promulgation, "PromulgationDate"));
    const xmlNode* type = child(mh, "DocumentType");
    h.type = r.value(type, "Type");
    h.type_detail = r.value(type, "TypeDetail");
    h.type_name = r.value(type, "TypeName");
    h.subject = r.value(mh, "Subject", true);
    h.content = r.value(mh, "Content");
    const xmlNode* signer = child(mh, "SignerInfo");
    h.signer_competence = r.value(signer, "Competence");
    h.signer_position = r.value(signer, "Position");
    h.signer_full_name = r.value(signer, "FullName");
    h.due_date = r.value(mh, "DueDate");
    if (!h.due_date.empty() && !parse_edxml_date(h.due_date)) {
        r.timestamp(h.due_date, r.where(mh, "DueDate"));
    }
    const xmlNode* other = child(mh, "OtherInfo");
    EdxmlOtherInfo& o = h.other_info;
    o.priority = r.value(other, "Priority");
    o.sphere_of_promulgation = r.value(other, "SphereOfPromulgation");
    o.typer_notation = r.value(other, "TyperNotation");
    o.promulgation_amount = r.value(other, "PromulgationAmount");
    o.page_amount = r.value(other, "PageAmount");
    o.direction = r.value(other, "Direction");
    for (const xmlNode* a : children(child(other, "Appendixes"), "Appendix")) {
        o.appendixes.push_back(trim(detail::text_of(a)));
    }
    h.steering_type = r.value(mh, "SteeringType");
    for (const xmlNode* place : children(child(mh, "ToPlaces"), "Place")) {
        h.to_places.push_back(trim(detail::text_of(place)));
    }
    for (const xmlNode* f : children(mh, "ResponseFor")) {
        h.response_for.push_back(read_response_for(r, f, false));
    }

    const xmlNode* traces = child(tree->header, "TraceHeaderList");
    for (const xmlNode* t : children(traces, "TraceHeader")) {
        EdxmlTraceHeader th;
        th.organ_id = r.value(t, "OrganId");
        th.timestamp = r.value(t, "Timestamp");
        r.org_code(th.organ_id, r.where(t, "OrganId"));
        r.timestamp(th.timestamp, r.where(t, "Timestamp"));
        p.traces.push_back(std::move(th));
    }
    const xmlNode* business = child(traces, "Bussiness");
    EdxmlBusiness& b = p.business;
    if (business == nullptr) {
        r.missing(traces, "Bussiness");
        b.doc_type = "0";
    } else {
        b.document_id = r.value(business, "DocumentId");
        b.doc_type = r.value(business, "BussinessDocType", true);
        b.doc_reason = r.value(business, "BussinessDocReason");
        b.paper = r.value(business, "Paper");
        b.staff = read_staff(r, child(business, "StaffInfo"));
        if (const xmlNode* info = child(business, "BussinessDocumentInfo")) {
            b.has_document_info = true;
            b.document_info = r.value(info, "DocumentInfo");
            b.document_receiver = r.value(info, "DocumentReceiver");
            for (const xmlNode* rc : children(child(info, "ReceiverList"), "Receiver")) {
                b.receivers.push_back({r.value(rc, "OrganId"), r.value(rc, "ReceiverType")});
            }
        }
        for (const xmlNode* ri :
             children(child(business, "ReplacementInfoList"), "ReplacementInfo")) {
            EdxmlReplacementInfo info;
            info.document_id = r.value(ri, "DocumentId");
            for (const xmlNode* id : children(child(ri, "OrganIdList"), "OrganId")) {
                info.organ_ids.push_back(trim(detail::text_of(id)));
            }
            b.replacements.push_back(std::move(info));
        }
        if (b.doc_type.empty()) {
            b.doc_type = "0";
        } else if (b.doc_type != "0" && b.doc_type != "1" && b.doc_type != "2" &&
                   b.doc_type != "3") {
            const std::string at = r.where(business, "BussinessDocType");
            r.rule("business_type_unknown", at,
                   refusal(refused::kValue, at, "BussinessDocType must be 0, 1, 2 or 3"));
        }
    }
    p.has_signature = tree->header != nullptr && find_signature(r, tree->header);

    const xmlNode* manifest =
        child(child(child(tree->root, "edXMLEnvelope"), "edXMLBody"), "edXMLManifest");
    for (const xmlNode* ref : children(manifest, "Reference")) {
        p.references.push_back({r.value(ref, "ContentId"), r.value(ref, "ContentType"),
                                r.value(ref, "Description"), r.value(ref, "AttachmentName")});
    }
    read_attachments(r, tree->root, options, p);
    if (r.failure()) {
        return *r.failure();
    }
    p.flags = std::move(r.flags());
    return p;
}

Result<StatusPackage> decode_status_package(std::string_view xml, const DecodeOptions& options) {
    Reader r(options.mode);
    auto tree = open_tree(xml, options.limits, &r);
    if (!tree) {
        return tree.error();
    }
    StatusPackage p;
    const xmlNode* mh = tree->message_header;
    const xmlNode* from = child(mh, "From");
    if (from == nullptr) {
        r.missing(mh, "From");
    }
    p.from = read_org(r, from, true);
    const xmlNode* response_for = child(mh, "ResponseFor");
    if (response_for == nullptr) {
        r.missing(mh, "ResponseFor");
    }
    p.response_for = read_response_for(r, response_for, true);
    p.staff = read_staff(r, child(mh, "StaffInfo"));
    p.status_code = r.value(mh, "StatusCode", true);
    if (!p.status_code.empty() && !is_status_code(p.status_code)) {
        const std::string at = r.where(mh, "StatusCode");
        r.rule("status_unknown", at, fail(errc::invalid_status, at, "not an edXML status code"));
    }
    p.description = r.value(mh, "Description");
    p.timestamp = r.value(mh, "Timestamp", true);
    r.timestamp(p.timestamp, r.where(mh, "Timestamp"));
    p.has_signature = tree->header != nullptr && find_signature(r, tree->header);
    if (r.failure()) {
        return *r.failure();
    }
    p.flags = std::move(r.flags());
    return p;
}

}  // namespace hub::national
