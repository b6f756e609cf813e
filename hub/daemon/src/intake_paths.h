#pragma once
// The second half of the intake endpoints, shared by every wire form a document or a status
// arrives in (protobuf/JSON on /v1/envelopes and /v1/status, edXML on /v1/edxml, the
// provincial API): once the body is read, validated and its signature verified, the same
// registry checks, idempotency, ledger accept path and answers apply, so each rule has one home.

#include "hub/core/validation.h"
#include "hub/http/server.h"
#include "lienthong/v1/api.pb.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "api_common.h"
#include "envelope_body.h"

namespace hub {

/// Who signed the document, whichever form the signature took (CMS, XMLDSig).
struct DocumentSigner {
    std::string cert_sha256;  ///< lowercase hex
    std::string uid;          ///< the subject's UID attribute, empty when none
};

/// A document whose header passed validate_header, whose attachments passed
/// check_attachments against it and whose signature verified and chained (or that is unsigned
/// edXML its sender may post).
struct CheckedIntake {
    CheckedEnvelope checked;
    IncomingEnvelope body;                 ///< `header` = the exact header bytes
    std::optional<DocumentSigner> signer;  ///< nullopt only for allowed unsigned edXML
    /// What "the same envelope again" compares: empty means the header's SHA-256; edXML uses
    /// the package's, so other bytes under the same id are a conflict.
    std::string content_digest;
    std::string edxml_package;          ///< the package as received, for edXML
    std::vector<std::string> warnings;  ///< for the trace
};

/// Checks the sender against the registry (registered, the signer its own and not revoked,
/// the caller itself), routes, checks replies and the document acted on, then accepts
/// idempotently: 202 + Receipt, 200 + the first Receipt for the same content, 409
/// DUPLICATE_CONFLICT for other content under the same id; refusals audited under `action`.
/// Runs on the listener's executor; `request` must outlive the call.
boost::asio::awaitable<http::Response> accept_checked(IntakeDeps& deps,
                                                      const http::Request& request,
                                                      const Caller& caller,
                                                      std::string action,
                                                      CheckedIntake intake);

/// Records a status update from `caller` (POST /v1/status after parsing): its checks, the
/// delivery it is about, the status rules, the notice; 202 + StatusReceipt, 200 for the same
/// report again. `request` must outlive the call.
boost::asio::awaitable<http::Response> record_status(StatusDeps& deps,
                                                     const http::Request& request,
                                                     const Caller& caller,
                                                     std::string action,
                                                     lienthong::v1::StatusUpdate update);

}  // namespace hub
