#pragma once
// Agencies for handler tests: each code gets a made-up client certificate fingerprint, the
// registry snapshot that knows them, and requests as they reach a handler after TLS.

#include "hub/http/server.h"
#include "hub/routing/registry.h"

#include <initializer_list>
#include <memory>
#include <string>

namespace daemon_test {

/// A fingerprint for `code` (64 hex-ish characters, unique per code).
inline std::string cert_of(const std::string& code) {
    std::string sha(64, 'a');
    sha.replace(sha.size() - code.size(), code.size(), code);
    return sha;
}

/// A registry of these organizations, each with its cert_of certificate.
inline std::shared_ptr<const hub::Registry> registry_of(std::initializer_list<std::string> codes) {
    lienthong::v1::Registry r;
    for (const auto& code : codes) {
        auto* org = r.add_organizations();
        org->set_code(code);
        org->add_client_cert_sha256(cert_of(code));
    }
    return hub::Registry::build(r);
}

/// A request from `as`'s certificate, asking for JSON; a JSON body when `body` is given.
inline hub::http::Request request(const std::string& as,
                                  boost::beast::http::verb method,
                                  const std::string& path,
                                  const std::string& body = {}) {
    hub::http::Request r;
    r.method = method;
    r.path = path;
    r.client_cert_sha256 = cert_of(as);
    r.request_id = "test";
    r.accept = "application/json";
    r.content_type = body.empty() ? "" : "application/json";
    r.body = body;
    return r;
}

}  // namespace daemon_test
