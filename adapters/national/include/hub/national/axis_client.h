#pragma once
/// The national axis (Trục liên thông văn bản quốc gia) as the hub uses it: six operations,
/// package bytes opaque. `AxisClient` is the narrow interface the relays code against (a fake
/// in unit tests); `HttpAxisClient` (axis_http.h) carries it over HTTP(S) with one wire
/// profile (`AxisWire`, e.g. the national VDXP profile in axis_wire_vdxp.h).

#include "hub/core/result.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hub::national {

/// What a package is: a document (`edoc`) or a status package (`status`).
enum class MessageType { edoc, status };

/// "edoc" or "status", as the axis spells it.
std::string_view message_type_name(MessageType type) noexcept;

/// One package waiting for us on the axis (getReceivedEdocList).
struct ReceivedItem {
    std::string doc_id;  ///< the axis' id, for getEdoc and updateStatus
    std::string message_type;
    std::string from;
    std::string to;
    std::string status;
    std::string created_time;
};

/// One package we sent, as the axis recorded it (getSentEdocList).
struct SentItem {
    std::string sender_doc_id;  ///< the id sendEdoc answered
    std::string message_type;
    std::string from_code;
    std::string to_code;
    std::string send_status;
    std::string receive_status;
    std::string hash_file;  ///< the package digest the axis recorded, when it returns it
};

/// One agency of the national directory (getAgenciesListQD20).
struct Agency {
    std::string id;
    std::string code;     ///< QĐ 20/2020 form
    std::string code102;  ///< QCVN 102 (edXML) form
    std::string name;
    std::string mail;
};

/// Transport statuses the hub reports after fetching a package (updateStatus).
enum class TransportStatus { processing, done, fail };
std::string_view transport_status_name(TransportStatus status) noexcept;

/// Errors of every operation: UNAVAILABLE when the axis could not be reached or gave no
/// well-formed answer (timeouts, 5xx without an answer body, a dropped connection: worth a
/// retry); UNAUTHENTICATED when it refused our signature; MALFORMED when it answered with
/// any other error code (its ErrorCode and ErrorDesc in the message). Thread-safe; each call
/// runs on the executor the client was made with.
class AxisClient {
public:
    virtual ~AxisClient() = default;

    /// Sends a package; answers the axis' docId.
    virtual boost::asio::awaitable<Result<std::string>> send_edoc(std::string package,
                                                                  MessageType type,
                                                                  std::string from) = 0;
    /// Packages addressed to us that we have not marked done.
    virtual boost::asio::awaitable<Result<std::vector<ReceivedItem>>> received_list(
        MessageType type) = 0;
    /// The package bytes of one received item.
    virtual boost::asio::awaitable<Result<std::string>> get_edoc(std::string doc_id) = 0;
    /// Reports what we did with a received package.
    virtual boost::asio::awaitable<Result<void>> update_status(std::string doc_id,
                                                               TransportStatus status) = 0;
    /// Packages we sent; with `doc_id` non-empty, only that one (the list may be empty).
    virtual boost::asio::awaitable<Result<std::vector<SentItem>>> sent_list(std::string doc_id) = 0;
    /// The DocId of an earlier send of exactly these package bytes, when the axis' sent list
    /// shows one (the relay asks before re-sending an item it may already have sent).
    virtual boost::asio::awaitable<Result<std::optional<std::string>>> find_sent(
        std::string package) = 0;
    /// The national directory at `level` (empty: every level).
    virtual boost::asio::awaitable<Result<std::vector<Agency>>> agencies(std::string level) = 0;
};

}  // namespace hub::national
