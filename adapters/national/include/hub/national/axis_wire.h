#pragma once
/// A wire profile of the axis: how each operation becomes one HTTP request and how the
/// answer becomes a result. The transport (axis_http.h) only moves bytes; everything an axis
/// flavour decides (paths, headers, signing, answer shapes) lives behind this interface, one
/// implementation per profile (VDXP today; a provincial LGSP's Bearer-token API can be added
/// beside it).

#include "hub/core/result.h"
#include "hub/national/axis_client.h"

#include <string>
#include <utility>
#include <vector>

namespace hub::national {

/// One HTTP request a profile asks the transport to make. `path` is appended to the
/// endpoint's path.
struct WireRequest {
    bool post = true;
    std::string path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type;
    std::string body;
};

/// The answer as it came: status and body (bounded by the transport).
struct WireResponse {
    unsigned status = 0;
    std::string body;
};

/// Pure functions of their arguments and the profile's credentials; thread-safe.
class AxisWire {
public:
    virtual ~AxisWire() = default;

    virtual WireRequest send_edoc(const std::string& package,
                                  MessageType type,
                                  const std::string& from) const = 0;
    virtual WireRequest received_list(MessageType type) const = 0;
    virtual WireRequest get_edoc(const std::string& doc_id) const = 0;
    virtual WireRequest update_status(const std::string& doc_id, TransportStatus status) const = 0;
    virtual WireRequest sent_list(const std::string& doc_id) const = 0;
    virtual WireRequest agencies(const std::string& level) const = 0;

    /// The digest the axis records for a sent package (compared with SentItem::hash_file).
    virtual std::string package_digest(const std::string& package) const = 0;

    /// Errors as AxisClient documents them.
    virtual Result<std::string> parse_send(const WireResponse& response) const = 0;
    virtual Result<std::vector<ReceivedItem>> parse_received(
        const WireResponse& response) const = 0;
    virtual Result<std::string> parse_edoc(const WireResponse& response) const = 0;
    virtual Result<void> parse_update(const WireResponse& response) const = 0;
    virtual Result<std::vector<SentItem>> parse_sent(const WireResponse& response) const = 0;
    virtual Result<std::vector<Agency>> parse_agencies(const WireResponse& response) const = 0;
};

}  // namespace hub::national
