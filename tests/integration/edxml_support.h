#pragma once
// edXML packages as an existing agency document system builds them (the national codec's
// encoder, signed with xmlsec1 through the codec's sign function), and the requests such a
// system makes to POST /v1/edxml.

#include "hub/http/client.h"
#include "hub/national/edxml.h"
#include "hub/national/xmldsig.h"

#include <string>
#include <vector>

#include "harness.h"

namespace it {

inline constexpr const char* kXml = "application/xml";

/// A valid new-document package from `from` to `to` (codes as written): DocumentId
/// "<from>,<today yyyy/MM/dd>,<unique number>/UBND-VP", a trace entry now (Vietnam time), a PDF
/// raw PDF attachment (as the Lạng Sơn builder sends them).
hub::national::EnvelopePackage edxml_package(const std::string& from,
                                             const std::vector<std::string>& to);

/// The package's XML, unsigned.
std::string encode(const hub::national::EnvelopePackage& package);

/// `xml` signed with the key and certificate files given (PEM).
std::string sign_with(
    const std::string& xml,
    const std::string& key_file,
    const std::string& cert_file,
    hub::national::XmlSignatureMethod method = hub::national::XmlSignatureMethod::automatic);

/// encode() then signed with the sender's signer.{key,crt} of the hub's dev environment.
std::string signed_package(
    const Hub& hub,
    const hub::national::EnvelopePackage& package,
    hub::national::XmlSignatureMethod method = hub::national::XmlSignatureMethod::automatic);

/// POST /v1/edxml with the XML body; `accept` as the Accept header.
hub::http::ClientResponse post_edxml(hub::http::Client& client,
                                     const std::string& xml,
                                     const std::string& accept = "application/json");

/// The contents of a file; throws std::runtime_error when it cannot be read.
std::string read_text(const std::string& path);

}  // namespace it

namespace it {

/// One Item of an XML InboxBatch: its attributes and its package (base64-decoded).
struct XmlInboxItem {
    std::string delivery_id;
    std::string kind;  ///< "envelope" or "status"
    std::string envelope_id;
    std::string from;
    std::string package;
};

/// GET /v1/inbox?max=10&wait=1 with Accept: application/xml until `count` items of `kind`
/// about `envelope_id` arrived (each acked when `acknowledge`) or the deadline passed; REQUIREs
/// 200, the XML content type and a body that schemas/lienthong-v1.xsd validates.
std::vector<XmlInboxItem> collect_xml(hub::http::Client& client,
                                      const std::string& kind,
                                      const std::string& envelope_id,
                                      std::size_t count,
                                      bool acknowledge = true);

/// REQUIREs that `xml` is valid against schemas/lienthong-v1.xsd (xmllint --schema).
void require_schema_valid(const std::string& xml);

/// A status package from `from` about `document_id` (issued by `to`, number/notation and date
/// taken from the id), Timestamp now.
hub::national::StatusPackage status_package(const std::string& from,
                                            const std::string& to,
                                            const std::string& document_id,
                                            const std::string& code);

}  // namespace it
