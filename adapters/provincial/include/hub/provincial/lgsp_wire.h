#pragma once
/// The provincial axis API that today's eOffice clients call (issue 9), as Lạng Sơn's axis
/// speaks it (shared/notes/edxml-and-national-axis.md §8): which call a request is, the
/// headers and parts it carries, the reply shapes and the string error codes. Every wire
/// detail of that variant lives here; another province's variant is another file with these
/// functions, not an edit of the daemon.

#include "hub/core/errc.h"
#include "hub/core/result.h"
#include "hub/core/time.h"
#include "hub/routing/registry.h"

#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hub::provincial {

enum class Call { login, agencies, send, list, get, update_status };

/// The call `method path` makes, `path` taken after the configured prefix
/// ("/v1/sendEdoc"); nullopt when the API has no such call.
std::optional<Call> call_of(boost::beast::http::verb method, std::string_view path);

/// Whether a call acts for a unit (X-SystemId and X-SecretKey); the others only need a token.
bool acts_for_unit(Call call);

/// Request headers (lower case, as http::Request keeps them) and multipart parts.
inline constexpr const char* kSystemIdHeader = "x-systemid";
inline constexpr const char* kSecretHeader = "x-secretkey";
inline constexpr const char* kAuthorizationHeader = "authorization";
inline constexpr std::string_view kPackagePart = "edocFile";
inline constexpr std::string_view kMessageTypePart = "messageType";

/// The bearer token of an Authorization header value; empty when it carries none.
std::string bearer_token(std::string_view authorization);

/// A reply: HTTP status and JSON body.
struct Reply {
    unsigned status = 200;
    std::string body;
};

/// Success: code 200 with `data` (and a root "success": true, which older parsers of the same
/// clients read).
Reply success(boost::json::value data, std::optional<std::size_t> count = std::nullopt);
/// A login answer carrying `token`, good for `ttl_s` seconds.
Reply login_reply(const std::string& token, unsigned ttl_s);
/// A refusal of the hub's `failure`: its string error code (error_code()), the hub's own code
/// name and message, the HTTP status of the hub's code, except 401, which the clients read as
/// "log in again" and so is kept for a missing or expired token (token_refused()).
Reply refusal(const Failure& failure);
Reply token_refused();

/// The API's string error code for a hub error code (one table): "10" invalid file, "15" wrong
/// system id or secret, "18" unknown recipient, "19" sender not registered, "20" axis error
/// (the clients retry), "21" file-processing error, "22" edXML not per the standard.
std::string_view error_code(errc code);

/// The instants a list call's fromDate/toDate ("YYYY/MM/DD", percent-decoded, UTC days)
/// cover: clients send UTC days, so between 00:00 and 07:00 Vietnam time `toDate` is the
/// previous Vietnam day. The window is read inclusively with a day of slack on each side.
/// Error: MALFORMED naming the parameter.
Result<std::pair<Instant, Instant>> list_window(std::string_view from, std::string_view to);

/// What updateStatus asks: the receipt of a package (01, or the transport keyword "done":
/// the item is taken), a processing status for its sender (02-06, 13, 15, 16), or a transport
/// step that changes nothing ("processing", "fail": the package stays owed).
struct StatusChange {
    enum class Kind { receipt, report, transport } kind = Kind::report;
    std::string code;  ///< two digits for receipt and report
};
/// Error: INVALID_STATUS naming "status".
Result<StatusChange> status_change(std::string_view status);

/// One entry of getAgenciesList: `data.content[]`.
boost::json::object agency_entry(const OrgInfo& org);

/// One entry of syncReceivedEdocList's `data[]`.
struct ListedItem {
    std::string doc_id;
    std::string from;
    std::string to;
    Instant created;
};
boost::json::object list_entry(const ListedItem& item);

/// getEdoc's data: the whole package base64 in `data` (the clients take the attachments from
/// its AttachmentEncoded), with the summary fields next to it.
boost::json::object package_data(const ListedItem& item,
                                 std::string_view from_name,
                                 std::string_view edoc_code,
                                 std::string_view abstract,
                                 std::string_view package);

/// sendEdoc's data for an accepted package.
boost::json::object sent_data(std::string_view doc_id);

}  // namespace hub::provincial
