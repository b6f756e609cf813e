// Field-by-field mapping between edXML packages and the hub's messages (envelope.md).

#include "hub/national/edxml_mapping.h"

#include "hub/core/digest.h"
#include "hub/core/document_id.h"
#include "hub/core/media_type.h"
#include "hub/core/org_code.h"
#include "hub/core/time.h"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <utility>

namespace hub::national {
namespace {

namespace v1 = lienthong::v1;

// Collects the first strict-mode failure, or lenient-mode flags, like the decoder's Reader.
class Mapper {
public:
    Mapper(const CodeLookup& lookup, DecodeMode mode) : lookup_(lookup), mode_(mode) {}

    bool strict() const { return mode_ == DecodeMode::strict; }
    std::vector<std::string>& flags() { return flags_; }
    const std::optional<Failure>& failure() const { return failure_; }

    void rule(std::string_view kind, const std::string& at, Failure f) {
        if (strict()) {
            if (!failure_) {
                failure_ = std::move(f);
            }
        } else {
            flags_.push_back(std::string(kind) + ":" + at);
        }
    }

    // The hub-side (canonical) form of a code; a code nothing maps is kept as written.
    std::string canonical(const std::string& code, const std::string& at) {
        if (code.empty()) {
            return code;
        }
        if (auto forms = code_forms(code, lookup_)) {
            return forms->canonical;
        }
        rule("org_code_unmapped", at,
             fail(errc::invalid_org_code, at, "not an organization code: " + code));
        return code;
    }

private:
    const CodeLookup& lookup_;
    DecodeMode mode_;
    std::vector<std::string> flags_;
    std::optional<Failure> failure_;
};

// The edXML-side form of a code: its QCVN 102 form when it has one.
std::string edxml_code(const std::string& code, const CodeLookup& lookup) {
    if (code.empty()) {
        return code;
    }
    if (auto forms = code_forms(code, lookup)) {
        return !forms->edxml.empty() ? forms->edxml : forms->canonical;
    }
    return code;
}

std::optional<int> to_int(const std::string& text) {
    int value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return value;
}

std::string strip_cid(const std::string& id) {
    return id.rfind("cid:", 0) == 0 ? id.substr(4) : id;
}

std::string lower_extension(const std::string& name) {
    const auto dot = name.rfind('.');
    std::string ext = dot == std::string::npos ? std::string() : name.substr(dot + 1);
    for (char& c : ext) {
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return ext;
}

// A zip carries no content type for the file inside it: the entry's extension names it.
std::string media_type_of_name(const std::string& name) {
    static const std::pair<std::string_view, std::string_view> kTypes[] = {
        {"pdf", "application/pdf"},
        {"doc", "application/msword"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xls", "application/vnd.ms-excel"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"odt", "application/vnd.oasis.opendocument.text"},
        {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
        {"rtf", "application/rtf"},
        {"txt", "text/plain"},
        {"csv", "text/csv"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"tif", "image/tiff"},
        {"tiff", "image/tiff"},
        {"svg", "image/svg+xml"},
    };
    const std::string ext = lower_extension(name);
    for (const auto& [e, type] : kTypes) {
        if (ext == e) {
            return std::string(type);
        }
    }
    return "application/octet-stream";
}

bool is_pdf(std::string_view content) { return content_matches("application/pdf", content); }

std::string iso_date(const std::string& edxml_date) {
    auto d = parse_edxml_date(edxml_date);
    return d ? format_date(*d) : std::string();
}

std::string iso_instant(const std::string& edxml_timestamp) {
    auto t = parse_edxml_timestamp(edxml_timestamp);
    return t ? format_instant(*t) : std::string();
}

// "number/notation" of a document id, and its date in edXML form.
struct DocParts {
    std::string issuer;
    std::string code;
    std::string date;
};
std::optional<DocParts> doc_parts(const std::string& document_id) {
    auto id = parse_document_id(document_id);
    if (!id) {
        return std::nullopt;
    }
    return DocParts{id->issuer, id->number + "/" + id->notation, format_edxml_date(id->date)};
}

v1::BusinessType business_type_of(const std::string& doc_type) {
    if (doc_type == "1") {
        return v1::RECALL;
    }
    if (doc_type == "2") {
        return v1::UPDATE;
    }
    if (doc_type == "3") {
        return v1::REPLACE;
    }
    return v1::NEW;
}

}  // namespace

CodeLookup registry_lookup(std::shared_ptr<const Registry> registry) {
    return [registry = std::move(registry)](std::string_view code) -> std::optional<CodeForms> {
        if (!registry) {
            return std::nullopt;
        }
        const OrgInfo* org = registry->find(code);
        if (org == nullptr) {
            return std::nullopt;
        }
        return CodeForms{org->code, org->edxml};
    };
}

std::optional<CodeForms> code_forms(std::string_view code, const CodeLookup& lookup) {
    if (lookup) {
        if (auto forms = lookup(code)) {
            return forms;
        }
    }
    auto parsed = parse_org_code(code);
    if (!parsed) {
        return std::nullopt;
    }
    return CodeForms{parsed->canonical, parsed->edxml()};
}

std::string edxml_envelope_id(std::string_view sender_canonical,
                              std::string_view document_id,
                              std::string_view business_doc_type) {
    // RFC 4122 section 4.3: SHA-1 over the namespace's 16 bytes and the name.
    std::array<unsigned char, 16> ns{};
    std::size_t n = 0;
    for (std::size_t i = 0; i + 1 < kEdxmlIdNamespace.size() && n < ns.size(); ++i) {
        if (kEdxmlIdNamespace[i] == '-') {
            continue;
        }
        unsigned value = 0;
        std::from_chars(kEdxmlIdNamespace.data() + i, kEdxmlIdNamespace.data() + i + 2, value, 16);
        ns[n++] = static_cast<unsigned char>(value);
        ++i;
    }
    std::string name(sender_canonical);
    name += '\n';
    name += document_id;
    name += '\n';
    name += business_doc_type;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
    EVP_DigestUpdate(ctx, ns.data(), ns.size());
    EVP_DigestUpdate(ctx, name.data(), name.size());
    EVP_DigestFinal_ex(ctx, digest.data(), &size);
    EVP_MD_CTX_free(ctx);
    digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
    digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
    std::string out;
    char hex[3];
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        std::snprintf(hex, sizeof hex, "%02x", digest[i]);
        out += hex;
    }
    return out;
}

Result<MappedEnvelope> to_signed_envelope(const EnvelopePackage& p,
                                          std::string_view original,
                                          const CodeLookup& lookup,
                                          DecodeMode mode) {
    Mapper m(lookup, mode);
    m.flags() = p.flags;
    MappedEnvelope out;
    v1::EnvelopeHeader& h = out.header;
    const EdxmlMessageHeader& mh = p.header;
    const std::string from =
        m.canonical(mh.from.organ_id, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId");

    h.set_business_type(business_type_of(p.business.doc_type));
    h.set_envelope_id(edxml_envelope_id(from, mh.document_id,
                                        p.business.doc_type.empty() ? "0" : p.business.doc_type));
    h.set_document_id(mh.document_id);
    v1::Organization* f = h.mutable_from();
    f->set_code(from);
    f->set_name(mh.from.organ_name);
    f->set_address(mh.from.organ_add);
    f->set_email(mh.from.email);
    f->set_phone(mh.from.telephone);
    f->set_website(mh.from.website);
    f->set_in_charge(mh.from.organization_in_charge);
    for (std::size_t i = 0; i < mh.to.size(); ++i) {
        h.add_to(m.canonical(
            mh.to[i].organ_id,
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[" + std::to_string(i) + "]/OrganId"));
    }
    h.mutable_code()->set_number(mh.code_number);
    h.mutable_code()->set_notation(mh.code_notation);
    h.mutable_promulgation()->set_place(mh.promulgation_place);
    h.mutable_promulgation()->set_date(iso_date(mh.promulgation_date));
    auto set_int = [&](const std::string& text, const char* at, auto setter) {
        if (text.empty()) {
            return;
        }
        if (auto v = to_int(text)) {
            setter(*v);
        } else {
            m.rule("number_unparsed", at, fail(errc::malformed, at, "not a number: " + text));
        }
    };
    set_int(mh.type, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/DocumentType/Type",
            [&](int v) { h.mutable_document_type()->set_type(v); });
    set_int(mh.type_detail, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/DocumentType/TypeDetail",
            [&](int v) { h.mutable_document_type()->set_type_detail(v); });
    h.mutable_document_type()->set_type_name(mh.type_name);
    h.set_subject(mh.subject);
    h.set_content(mh.content);
    h.mutable_signer()->set_competence(mh.signer_competence);
    h.mutable_signer()->set_position(mh.signer_position);
    h.mutable_signer()->set_full_name(mh.signer_full_name);
    const auto priority = to_int(mh.other_info.priority);
    if (priority && *priority >= 0 && *priority <= 3) {
        h.set_priority(static_cast<v1::Priority>(*priority));
    } else if (!mh.other_info.priority.empty()) {
        const char* at = "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/Priority";
        m.rule("priority_unknown", at, fail(errc::malformed, at, "Priority must be 0 to 3"));
    }
    h.set_secrecy(v1::NONE);
    h.set_paper_copy_follows(p.business.paper == "1");
    if (!mh.due_date.empty()) {
        std::string due = iso_date(mh.due_date);
        if (due.empty()) {
            due = iso_instant(mh.due_date);
        }
        h.set_reply_due(due);
        h.set_reply_requested(!due.empty());
    }
    for (const auto& r : mh.response_for) {
        if (!r.document_id.empty()) {
            h.add_in_reply_to(r.document_id);
        }
    }
    if (h.business_type() != v1::NEW) {
        std::string acted_on = p.business.document_id;
        if (acted_on.empty() && !p.business.replacements.empty()) {
            acted_on = p.business.replacements.front().document_id;
        }
        h.mutable_replaces()->set_document_id(acted_on);
        h.mutable_replaces()->set_reason(p.business.doc_reason);
    }
    set_int(mh.steering_type, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/SteeringType",
            [&](int v) { h.set_steering_type(v); });
    h.set_sphere_of_promulgation(mh.other_info.sphere_of_promulgation);
    set_int(mh.other_info.page_amount,
            "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/PageAmount",
            [&](int v) { h.set_page_amount(v); });
    for (const auto& place : mh.to_places) {
        h.add_to_places(place);
    }
    // created_at: the sender's own trace entry, else the first entry with a time.
    std::string created;
    for (const auto& t : p.traces) {
        const std::string at = iso_instant(t.timestamp);
        if (at.empty()) {
            continue;
        }
        auto forms = code_forms(t.organ_id, lookup);
        if (forms && forms->canonical == from) {
            created = at;
            break;
        }
        if (created.empty()) {
            created = at;
        }
    }
    if (created.empty()) {
        const char* at = "edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/TraceHeader/Timestamp";
        m.rule("created_at_missing", at,
               fail(errc::invalid_time, at, "no trace entry gives the sending time"));
    }
    h.set_created_at(created);

    bool main_found = false;
    for (std::size_t i = 0; i < p.attachments.size(); ++i) {
        const EdxmlAttachment& a = p.attachments[i];
        v1::AttachmentRef* ref = h.add_attachments();
        const std::string id = strip_cid(a.content_id);
        ref->set_content_id(id);
        ref->set_name(a.zipped ? a.inner_name : a.attachment_name);
        std::string type =
            a.zipped ? media_type_of_name(a.inner_name) : normalize_media_type(a.content_type);
        if (type.empty()) {
            type = media_type_of_name(a.attachment_name);
        }
        const bool pdf = is_pdf(a.content);
        if (pdf) {
            type = "application/pdf";
        }
        ref->set_media_type(type);
        ref->set_size(a.content.size());
        ref->set_sha256(sha256_hex(a.content));
        ref->set_role(pdf && !main_found ? v1::MAIN : v1::APPENDIX);
        main_found = main_found || pdf;
        ref->set_description(a.description);
        v1::Attachment* bytes = out.envelope.add_attachments();
        bytes->set_content_id(id);
        bytes->set_content(a.content);
    }
    if (!main_found) {
        m.rule("main_document_missing", "attachments",
               fail(errc::attachment_type, "attachments", "no attachment is a PDF document"));
    }
    if (m.failure()) {
        return *m.failure();
    }
    out.envelope.set_header(h.SerializeAsString());
    out.envelope.set_edxml_package(std::string(original));
    out.flags = std::move(m.flags());
    return out;
}

Result<EnvelopePackage> from_signed_envelope(const v1::SignedEnvelope& envelope,
                                             const CodeLookup& lookup) {
    v1::EnvelopeHeader h;
    if (!h.ParseFromString(envelope.header())) {
        return fail(errc::malformed, "header", "the header does not parse");
    }
    EnvelopePackage p;
    EdxmlMessageHeader& mh = p.header;
    auto org = [&](const v1::Organization& o) {
        EdxmlOrganization e;
        e.organ_id = edxml_code(o.code(), lookup);
        e.organization_in_charge = o.in_charge();
        e.organ_name = o.name();
        e.organ_add = o.address();
        e.email = o.email();
        e.telephone = o.phone();
        e.website = o.website();
        return e;
    };
    mh.from = org(h.from());
    for (const auto& to : h.to()) {
        EdxmlOrganization e;
        e.organ_id = edxml_code(to, lookup);
        mh.to.push_back(std::move(e));
    }
    // The issuer inside the document id is written in the edXML form too.
    mh.document_id = h.document_id();
    if (auto id = parse_document_id(h.document_id())) {
        id->issuer = edxml_code(id->issuer, lookup);
        mh.document_id = format_document_id(*id);
    }
    mh.code_number = h.code().number();
    mh.code_notation = h.code().notation();
    mh.promulgation_place = h.promulgation().place();
    auto date = parse_date(h.promulgation().date());
    if (!date) {
        return fail(errc::invalid_time, "header.promulgation.date", "not a yyyy-MM-dd date");
    }
    mh.promulgation_date = format_edxml_date(*date);
    mh.type = std::to_string(h.document_type().type());
    mh.type_detail = std::to_string(h.document_type().type_detail());
    mh.type_name = h.document_type().type_name();
    mh.subject = h.subject();
    mh.content = h.content();
    mh.signer_competence = h.signer().competence();
    mh.signer_position = h.signer().position();
    mh.signer_full_name = h.signer().full_name();
    if (!h.reply_due().empty()) {
        if (auto d = parse_date(h.reply_due())) {
            mh.due_date = format_edxml_date(*d);
        } else if (auto t = parse_instant(h.reply_due())) {
            mh.due_date = format_edxml_timestamp(*t);
        } else {
            return fail(errc::invalid_time, "header.reply_due", "not a date or an instant");
        }
    }
    mh.other_info.priority = std::to_string(static_cast<int>(h.priority()));
    mh.other_info.sphere_of_promulgation = h.sphere_of_promulgation();
    if (h.page_amount() > 0) {
        mh.other_info.page_amount = std::to_string(h.page_amount());
    }
    mh.steering_type = std::to_string(h.steering_type());
    mh.to_places.assign(h.to_places().begin(), h.to_places().end());
    for (const auto& reply : h.in_reply_to()) {
        EdxmlResponseFor r;
        r.document_id = reply;
        if (auto parts = doc_parts(reply)) {
            r.organ_id = edxml_code(parts->issuer, lookup);
            r.code = parts->code;
            r.promulgation_date = parts->date;
        }
        mh.response_for.push_back(std::move(r));
    }
    auto created = parse_instant(h.created_at());
    if (!created) {
        return fail(errc::invalid_time, "header.created_at", "not an ISO 8601 instant");
    }
    p.traces.push_back({mh.from.organ_id, format_edxml_timestamp(*created)});
    EdxmlBusiness& b = p.business;
    b.doc_type = std::to_string(static_cast<int>(h.business_type()));
    b.paper = h.paper_copy_follows() ? "1" : "0";
    if (h.business_type() != v1::NEW) {
        b.document_id = h.replaces().document_id();
        b.doc_reason = h.replaces().reason();
    }
    if (h.business_type() == v1::REPLACE) {
        EdxmlReplacementInfo info;
        info.document_id = h.replaces().document_id();
        for (const auto& to : mh.to) {
            info.organ_ids.push_back(to.organ_id);
        }
        b.replacements.push_back(std::move(info));
    }
    for (int i = 0; i < h.attachments_size(); ++i) {
        const v1::AttachmentRef& ref = h.attachments(i);
        const v1::Attachment* bytes = nullptr;
        for (const auto& a : envelope.attachments()) {
            if (a.content_id() == ref.content_id()) {
                bytes = &a;
            }
        }
        if (bytes == nullptr || !bytes->download_path().empty()) {
            return fail(errc::malformed, "attachments[" + std::to_string(i) + "]",
                        "the attachment's bytes are not in the envelope");
        }
        const std::string cid =
            ref.content_id().rfind("cid:", 0) == 0 ? ref.content_id() : "cid:" + ref.content_id();
        p.references.push_back({cid, ref.media_type(), ref.description(), ref.name()});
        EdxmlAttachment a;
        a.content_id = cid;
        a.attachment_name = ref.name();
        a.description = ref.description();
        a.content_type = ref.media_type();
        a.carried = bytes->content();
        a.content = bytes->content();
        p.attachments.push_back(std::move(a));
    }
    return p;
}

Result<MappedStatus> to_status_update(const StatusPackage& p,
                                      const CodeLookup& lookup,
                                      DecodeMode mode) {
    Mapper m(lookup, mode);
    m.flags() = p.flags;
    MappedStatus out;
    out.from =
        m.canonical(p.from.organ_id, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId");
    v1::StatusUpdate& u = out.update;
    u.set_document_id(p.response_for.document_id);
    u.set_to(m.canonical(p.response_for.organ_id,
                         "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/ResponseFor/OrganId"));
    u.set_code(p.status_code);
    u.set_description(p.description);
    u.mutable_staff()->set_department(p.staff.department);
    u.mutable_staff()->set_name(p.staff.staff);
    u.mutable_staff()->set_mobile(p.staff.mobile);
    u.mutable_staff()->set_email(p.staff.email);
    u.set_timestamp(iso_instant(p.timestamp));
    if (u.timestamp().empty()) {
        const char* at = "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Timestamp";
        m.rule("time_unparsed", at,
               fail(errc::invalid_time, at, "not a yyyy/MM/dd HH:mm:ss timestamp"));
    }
    if (m.failure()) {
        return *m.failure();
    }
    out.flags = std::move(m.flags());
    return out;
}

Result<StatusPackage> from_status_update(const v1::StatusUpdate& update,
                                         const v1::Organization& from,
                                         const CodeLookup& lookup) {
    auto parts = doc_parts(update.document_id());
    if (!parts) {
        return fail(errc::invalid_document_id, "document_id", "not a document identifier");
    }
    if (!is_status_code(update.code())) {
        return fail(errc::invalid_status, "code", "not an edXML status code");
    }
    auto at = parse_instant(update.timestamp());
    if (!at) {
        return fail(errc::invalid_time, "timestamp", "not an ISO 8601 instant");
    }
    StatusPackage p;
    p.from.organ_id = edxml_code(from.code(), lookup);
    p.from.organ_name = from.name();
    p.from.organ_add = from.address();
    p.from.email = from.email();
    p.from.telephone = from.phone();
    p.from.website = from.website();
    p.from.organization_in_charge = from.in_charge();
    p.response_for.organ_id = edxml_code(update.to().empty() ? parts->issuer : update.to(), lookup);
    p.response_for.code = parts->code;
    p.response_for.promulgation_date = parts->date;
    p.response_for.document_id = update.document_id();
    p.staff = {update.staff().department(), update.staff().name(), update.staff().mobile(),
               update.staff().email()};
    p.status_code = update.code();
    p.description = update.description();
    p.timestamp = format_edxml_timestamp(*at);
    return p;
}

Result<StatusPackage> from_status_notice(const v1::StatusNotice& notice, const CodeLookup& lookup) {
    v1::StatusUpdate update;
    update.set_document_id(notice.document_id());
    update.set_envelope_id(notice.envelope_id());
    update.set_to(notice.to());
    update.set_code(notice.code());
    update.set_description(notice.description());
    *update.mutable_staff() = notice.staff();
    // The reporter's own time is optional in a StatusUpdate; the hub's record of it is not.
    update.set_timestamp(notice.timestamp().empty() ? notice.recorded_at() : notice.timestamp());
    v1::Organization from;
    from.set_code(notice.from());
    if (const auto forms = code_forms(notice.from(), lookup)) {
        from.set_code(forms->canonical);
    }
    return from_status_update(update, from, lookup);
}

}  // namespace hub::national
