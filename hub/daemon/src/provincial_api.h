#pragma once
// The provincial axis API façade (issue 9): the calls today's eOffice clients make to a
// provincial axis, under provincial_api.path_prefix on the agency listener, mapped onto the
// hub's own intake (edXML), inbox, ack and status paths. The wire is adapters/provincial's.
//
// Identity stays with mutual TLS. A system's certificate acts for the units the registry lists
// for it, named by X-SystemId and proved by X-SecretKey; an organization's certificate acts
// as that organization only. The login token is required, as the clients expect, but it is
// bound to the certificate that logged in and is never an identity.

#include "hub/http/server.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "edxml_intake.h"
#include "endpoint_deps.h"

namespace hub {

/// Login tokens, in memory: a restart makes the clients log in again (they do on a 401).
/// Bounded: a certificate holds at most 8 (a new one replaces its oldest), and past `max`
/// tokens the oldest goes. Thread-safe.
class ProvincialTokens {
public:
    ProvincialTokens(std::chrono::seconds ttl, std::size_t max = 4096);
    /// A new random token for the client certificate `cert_sha256`, good until now + ttl.
    std::string issue(const std::string& cert_sha256, Instant now);
    /// Whether `token` was issued to `cert_sha256` and is still good at `now`.
    bool valid(const std::string& token, const std::string& cert_sha256, Instant now) const;
    unsigned ttl_s() const { return static_cast<unsigned>(ttl_.count()); }

private:
    struct Entry {
        std::string cert_sha256;
        Instant expires;
    };
    std::chrono::seconds ttl_;
    std::size_t max_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> tokens_;  // token -> entry
};

struct ProvincialDeps {
    EdxmlDeps edxml;
    InboxDeps& inbox;
    ProvincialTokens& tokens;
    std::string prefix;  ///< provincial_api.path_prefix; not empty
};

/// Whether `path` is under the façade's prefix.
bool is_provincial_path(const std::string& prefix, const std::string& path);

/// The listener's own refusal of a façade request (the Gate's: maintenance, rate, an unknown
/// certificate) in the façade's shape; `answer`'s headers (Retry-After) are kept.
http::Response provincial_refusal(const Failure& failure, http::Response answer);

/// Answers one façade request (the Gate has let its certificate through).
boost::asio::awaitable<http::Response> provincial_dispatch(ProvincialDeps& deps,
                                                           http::Request request);

}  // namespace hub
