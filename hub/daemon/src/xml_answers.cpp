// XML renderings of the hub's answers (issue 9), element for field, in kHubXmlNamespace;
// schemas/lienthong-v1.xsd is their contract. Bytes fields travel base64.

#include "xml_answers.h"

#include "hub/core/errc.h"
#include "hub/core/media_type.h"
#include "hub/http/message.h"
#include "hub/national/edxml.h"
#include "hub/national/xml_tree.h"

namespace hub {
namespace v1 = lienthong::v1;
using national::XmlElement;

namespace {

constexpr const char* kXmlType = "application/xml; charset=utf-8";

http::Response render(unsigned status, const XmlElement& root) {
    auto xml = national::write_xml(root, kHubXmlNamespace);
    http::Response response;
    if (!xml) {
        // The tree writer only fails when libxml2 cannot allocate: answer without it.
        response.status = 500;
        response.content_type = "text/plain; charset=utf-8";
        response.body = "INTERNAL";
        return response;
    }
    response.status = status;
    response.content_type = kXmlType;
    response.body = std::move(*xml);
    return response;
}

XmlElement receipt_xml(const v1::Receipt& receipt) {
    XmlElement root{"Receipt", {}, {}, {}};
    root.add("EnvelopeId", receipt.envelope_id());
    root.add("DocumentId", receipt.document_id());
    root.add("From", receipt.from());
    root.add("HeaderSha256", receipt.header_sha256());
    root.add("AcceptedAt", receipt.accepted_at());
    root.add("SentAt", receipt.sent_at());
    for (const auto& r : receipt.recipients()) {
        root.add("Recipient")
            .set("code", r.code())
            .set("route", v1::Route_Name(r.route()))
            .set("deliveryId", r.delivery_id());
    }
    // The hub's signature covers the protobuf bytes, so those travel as they were signed.
    root.add("SignedReceipt", national::base64_encode(receipt.signed_().receipt()));
    root.add("Signature", national::base64_encode(receipt.signed_().signature()));
    return root;
}

XmlElement status_receipt_xml(const v1::StatusReceipt& receipt) {
    XmlElement root{"StatusReceipt", {}, {}, {}};
    root.add("StatusId", receipt.status_id());
    root.add("DocumentId", receipt.document_id());
    root.add("EnvelopeId", receipt.envelope_id());
    root.add("Code", receipt.code());
    root.add("RecordedAt", receipt.recorded_at());
    root.add("Route", v1::Route_Name(receipt.route()));
    return root;
}

XmlElement error_xml(const v1::Error& error) {
    XmlElement root{"Error", {}, {}, {}};
    root.add("Code", error.code());
    root.add("Message", error.message());
    if (!error.field().empty()) {
        root.add("Field", error.field());
    }
    return root;
}

}  // namespace

Result<std::string> edxml_package_of(const v1::InboxItem& item,
                                     const national::CodeLookup& lookup) {
    if (item.has_status()) {
        auto package = national::from_status_notice(item.status(), lookup);
        if (!package) {
            return package.error();
        }
        return national::encode_status_package(*package);
    }
    const v1::SignedEnvelope& envelope = item.envelope();
    if (!envelope.edxml_package().empty()) {
        return envelope.edxml_package();
    }
    auto package = national::from_signed_envelope(envelope, lookup);
    if (!package) {
        return package.error();
    }
    return national::encode_envelope_package(*package);
}

bool wants_xml(const http::Request& request) {
    // The first media range that names one of our forms decides (q-values are not weighed:
    // an XML client names XML alone).
    std::string_view accept = request.accept;
    while (!accept.empty()) {
        const auto comma = accept.find(',');
        const std::string type = normalize_media_type(accept.substr(0, comma));
        if (type == "application/xml" || type == "text/xml") {
            return true;
        }
        if (type == "application/json" || type == "application/x-protobuf") {
            return false;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        accept.remove_prefix(comma + 1);
    }
    return false;
}

http::Response xml_error(const Failure& failure) {
    v1::Error error;
    error.set_code(std::string(code_name(failure.code)));
    error.set_message(failure.text());
    error.set_field(failure.field);
    return render(static_cast<unsigned>(http_status(failure.code)), error_xml(error));
}

http::Response xml_answer(const http::Response& response, const std::string& success_type) {
    http::Response out;
    const bool success = response.status >= 200 && response.status < 300;
    if (!success) {
        v1::Error error;
        if (!error.ParseFromString(response.body)) {
            return xml_error(fail(errc::internal, "", "unreadable error answer"));
        }
        out = render(response.status, error_xml(error));
    } else if (success_type == "StatusReceipt") {
        v1::StatusReceipt receipt;
        if (!receipt.ParseFromString(response.body)) {
            return xml_error(fail(errc::internal, "", "unreadable answer"));
        }
        out = render(response.status, status_receipt_xml(receipt));
    } else {
        v1::Receipt receipt;
        if (!receipt.ParseFromString(response.body)) {
            return xml_error(fail(errc::internal, "", "unreadable answer"));
        }
        out = render(response.status, receipt_xml(receipt));
    }
    out.headers = response.headers;
    return out;
}

http::Response xml_inbox(const v1::InboxBatch& batch,
                         const national::CodeLookup& lookup,
                         std::vector<std::string>& skipped) {
    XmlElement root{"InboxBatch", {}, {}, {}};
    for (const auto& item : batch.items()) {
        auto package = edxml_package_of(item, lookup);
        if (!package) {
            skipped.push_back(item.delivery_id() + ":" + package.error().text());
            continue;
        }
        root.add("Item")
            .set("deliveryId", item.delivery_id())
            .set("kind", item.has_status() ? "status" : "envelope")
            .set("envelopeId", item.envelope_id())
            .set("from", item.from())
            .set("enqueuedAt", item.enqueued_at())
            .set("attempt", std::to_string(item.attempt()))
            .add("Package", national::base64_encode(*package));
    }
    return render(200, root);
}

}  // namespace hub
