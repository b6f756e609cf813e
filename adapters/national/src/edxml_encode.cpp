// Building edXML packages with libxml2's tree API (never by concatenating strings), so every
// value is escaped by the library.

#include "hub/national/edxml.h"

#include <libxml/tree.h>

#include <string>

#include "xml_doc.h"

namespace hub::national {
namespace {

using detail::x;

// The namespaces of one document under construction: the default one (unprefixed, the root
// and the attachments) and the same URI under the `edXML:` prefix (the envelope's children,
// which the national axis wants prefixed).
struct Builder {
    detail::XmlDocPtr doc{xmlNewDoc(x("1.0"))};
    xmlNode* root = nullptr;
    xmlNs* plain = nullptr;
    xmlNs* prefixed = nullptr;

    Builder() {
        root = xmlNewNode(nullptr, x("edXML"));
        xmlDocSetRootElement(doc.get(), root);
        const std::string ns(kEdxmlNamespace);
        plain = xmlNewNs(root, x(ns.c_str()), nullptr);
        prefixed = xmlNewNs(root, x(ns.c_str()), x("edXML"));
        xmlSetNs(root, plain);
    }

    // An element with text content; xmlNewTextChild escapes `text`.
    xmlNode* leaf(xmlNode* parent, const char* name, const std::string& text, bool prefix = true) {
        return xmlNewTextChild(parent, prefix ? prefixed : plain, x(name), x(text.c_str()));
    }
    // The same, left out when the value is empty (optional elements).
    void optional(xmlNode* parent, const char* name, const std::string& text, bool prefix = true) {
        if (!text.empty()) {
            leaf(parent, name, text, prefix);
        }
    }
    xmlNode* node(xmlNode* parent, const char* name, bool prefix = true) {
        return xmlNewChild(parent, prefix ? prefixed : plain, x(name), nullptr);
    }

    void organization(xmlNode* parent, const char* name, const EdxmlOrganization& o) {
        xmlNode* n = node(parent, name);
        leaf(n, "OrganId", o.organ_id);
        optional(n, "OrganizationInCharge", o.organization_in_charge);
        optional(n, "OrganName", o.organ_name);
        optional(n, "OrganAdd", o.organ_add);
        optional(n, "Email", o.email);
        optional(n, "Telephone", o.telephone);
        optional(n, "Fax", o.fax);
        optional(n, "Website", o.website);
    }

    void staff(xmlNode* parent, const EdxmlStaff& s) {
        if (s.department.empty() && s.staff.empty() && s.mobile.empty() && s.email.empty()) {
            return;
        }
        xmlNode* n = node(parent, "StaffInfo");
        optional(n, "Department", s.department);
        optional(n, "Staff", s.staff);
        optional(n, "Mobile", s.mobile);
        optional(n, "Email", s.email);
    }

    void response_for(xmlNode* parent, const EdxmlResponseFor& f) {
        xmlNode* n = node(parent, "ResponseFor");
        leaf(n, "OrganId", f.organ_id);
        optional(n, "Code", f.code);
        optional(n, "PromulgationDate", f.promulgation_date);
        leaf(n, "DocumentId", f.document_id);
    }

    Result<std::string> finish() {
        std::string out = detail::serialize(doc.get());
        if (out.empty()) {
            return fail(errc::internal, "", "libxml2 could not serialize the package");
        }
        return out;
    }
};

}  // namespace

Result<std::string> encode_envelope_package(const EnvelopePackage& p) {
    detail::init_libxml();
    Builder b;
    const EdxmlMessageHeader& h = p.header;
    xmlNode* envelope = b.node(b.root, "edXMLEnvelope");
    xmlNode* header = b.node(envelope, "edXMLHeader");
    xmlNode* mh = b.node(header, "MessageHeader");
    b.organization(mh, "From", h.from);
    for (const auto& to : h.to) {
        b.organization(mh, "To", to);
    }
    b.leaf(mh, "DocumentId", h.document_id);
    xmlNode* code = b.node(mh, "Code");
    b.leaf(code, "CodeNumber", h.code_number);
    b.leaf(code, "CodeNotation", h.code_notation);
    xmlNode* promulgation = b.node(mh, "PromulgationInfo");
    b.optional(promulgation, "Place", h.promulgation_place);
    b.leaf(promulgation, "PromulgationDate", h.promulgation_date);
    xmlNode* type = b.node(mh, "DocumentType");
    b.optional(type, "Type", h.type);
    b.optional(type, "TypeDetail", h.type_detail);
    b.optional(type, "TypeName", h.type_name);
    b.leaf(mh, "Subject", h.subject);
    b.optional(mh, "Content", h.content);
    xmlNode* signer = b.node(mh, "SignerInfo");
    b.optional(signer, "Competence", h.signer_competence);
    b.optional(signer, "Position", h.signer_position);
    b.optional(signer, "FullName", h.signer_full_name);
    b.optional(mh, "DueDate", h.due_date);
    const EdxmlOtherInfo& o = h.other_info;
    xmlNode* other = b.node(mh, "OtherInfo");
    b.optional(other, "Priority", o.priority);
    b.optional(other, "SphereOfPromulgation", o.sphere_of_promulgation);
    b.optional(other, "TyperNotation", o.typer_notation);
    b.optional(other, "PromulgationAmount", o.promulgation_amount);
    b.optional(other, "PageAmount", o.page_amount);
    b.optional(other, "Direction", o.direction);
    if (!o.appendixes.empty()) {
        xmlNode* appendixes = b.node(other, "Appendixes");
        for (const auto& a : o.appendixes) {
            b.leaf(appendixes, "Appendix", a);
        }
    }
    b.optional(mh, "SteeringType", h.steering_type);
    if (!h.to_places.empty()) {
        xmlNode* places = b.node(mh, "ToPlaces");
        for (const auto& place : h.to_places) {
            b.leaf(places, "Place", place);
        }
    }
    for (const auto& f : h.response_for) {
        b.response_for(mh, f);
    }

    xmlNode* traces = b.node(header, "TraceHeaderList");
    for (const auto& t : p.traces) {
        xmlNode* th = b.node(traces, "TraceHeader");
        b.leaf(th, "OrganId", t.organ_id);
        b.leaf(th, "Timestamp", t.timestamp);
    }
    const EdxmlBusiness& bu = p.business;
    xmlNode* business = b.node(traces, "Bussiness");
    b.optional(business, "DocumentId", bu.document_id);
    b.leaf(business, "BussinessDocType", bu.doc_type.empty() ? std::string("0") : bu.doc_type);
    b.optional(business, "BussinessDocReason", bu.doc_reason);
    b.leaf(business, "Paper", bu.paper.empty() ? std::string("0") : bu.paper);
    b.staff(business, bu.staff);
    if (bu.has_document_info) {
        xmlNode* info = b.node(business, "BussinessDocumentInfo");
        b.leaf(info, "DocumentInfo", bu.document_info.empty() ? "0" : bu.document_info);
        b.leaf(info, "DocumentReceiver", bu.document_receiver.empty() ? "0" : bu.document_receiver);
        xmlNode* list = b.node(info, "ReceiverList");
        for (const auto& rc : bu.receivers) {
            xmlNode* receiver = b.node(list, "Receiver");
            b.leaf(receiver, "OrganId", rc.organ_id);
            b.optional(receiver, "ReceiverType", rc.receiver_type);
        }
    }
    if (!bu.replacements.empty()) {
        xmlNode* list = b.node(business, "ReplacementInfoList");
        for (const auto& ri : bu.replacements) {
            xmlNode* info = b.node(list, "ReplacementInfo");
            b.leaf(info, "DocumentId", ri.document_id);
            xmlNode* ids = b.node(info, "OrganIdList");
            for (const auto& id : ri.organ_ids) {
                b.leaf(ids, "OrganId", id);
            }
        }
    }

    xmlNode* body = b.node(envelope, "edXMLBody");
    xmlNode* manifest = b.node(body, "edXMLManifest");
    xmlNewProp(manifest, x("version"), x("1.0"));
    for (const auto& ref : p.references) {
        xmlNode* r = b.node(manifest, "Reference");
        b.leaf(r, "ContentId", ref.content_id);
        b.optional(r, "ContentType", ref.content_type);
        b.optional(r, "Description", ref.description);
        b.optional(r, "AttachmentName", ref.attachment_name);
    }
    if (!p.attachments.empty()) {
        xmlNode* encoded = b.node(b.root, "AttachmentEncoded", false);
        for (const auto& a : p.attachments) {
            xmlNode* n = b.node(encoded, "Attachment", false);
            b.leaf(n, "ContentId", a.content_id, false);
            b.leaf(n, "AttachmentName", a.attachment_name, false);
            b.optional(n, "Description", a.description, false);
            b.optional(n, "ContentType", a.content_type, false);
            b.leaf(n, "ContentTransferEncoded", base64_encode(a.carried, 76));
        }
    }
    return b.finish();
}

Result<std::string> encode_status_package(const StatusPackage& p) {
    detail::init_libxml();
    Builder b;
    xmlNode* envelope = b.node(b.root, "edXMLEnvelope");
    xmlNode* header = b.node(envelope, "edXMLHeader");
    xmlNode* mh = b.node(header, "MessageHeader");
    b.organization(mh, "From", p.from);
    b.response_for(mh, p.response_for);
    b.staff(mh, p.staff);
    b.leaf(mh, "StatusCode", p.status_code);
    b.optional(mh, "Description", p.description);
    b.leaf(mh, "Timestamp", p.timestamp);
    return b.finish();
}

}  // namespace hub::national
