#pragma once
// The hub's answers as XML (issue 9) for clients that send Accept: application/xml: Receipt,
// StatusReceipt, Error and InboxBatch rendered in the project's own namespace, as
// schemas/lienthong-v1.xsd describes them. Built with the codec's libxml2 tree writer.

#include "hub/http/server.h"
#include "hub/national/edxml_mapping.h"
#include "lienthong/v1/api.pb.h"

#include <string>

namespace hub {

/// The namespace of the hub's XML answers.
inline constexpr const char* kHubXmlNamespace = "urn:lienthong:v1";

/// True when the request's Accept header asks for application/xml or text/xml (and not
/// protobuf or JSON before it).
bool wants_xml(const http::Request& request);

/// The answer of the protobuf `response` (a Receipt, a StatusReceipt or an Error, by its status
/// and `success_type`) as XML. `success_type` names the message a 2xx body holds: "Receipt" or
/// "StatusReceipt". An unreadable body becomes 500 INTERNAL in XML.
http::Response xml_answer(const http::Response& response, const std::string& success_type);

/// An error as XML.
http::Response xml_error(const Failure& failure);

/// The edXML package of one inbox item: the package received for an envelope that came as
/// edXML, the mapped one otherwise (attachments must travel inline), a status package for a
/// notice. Error: as the codec's mapping.
Result<std::string> edxml_package_of(const lienthong::v1::InboxItem& item,
                                     const national::CodeLookup& lookup);

/// An InboxBatch as XML: each Item carries deliveryId, kind, envelopeId, from and its edXML
/// package in base64 (the package received for envelopes that came as edXML, the mapped one
/// otherwise; a status package for a notice). An item that cannot be mapped (an attachment too
/// large to travel inline) is left out and named in `skipped`, so it stays unacked and the
/// caller can take it through the JSON inbox.
http::Response xml_inbox(const lienthong::v1::InboxBatch& batch,
                         const national::CodeLookup& lookup,
                         std::vector<std::string>& skipped);

}  // namespace hub
