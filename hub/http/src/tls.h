#pragma once
// Internal: OpenSSL set-up of the server context and reading the verified peer certificate.

#include "hub/core/result.h"
#include "hub/http/server.h"

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>

#include <optional>
#include <string>

namespace hub::http {

// TLS 1.2+ only, the certificate chain and key, and client verification per the options.
Result<void> configure_server_tls(boost::asio::ssl::context& ctx, const ServerOptions& options);

// Lower-case hex SHA-256 of the peer's leaf certificate DER; nullopt when the peer sent none
// or it did not verify.
std::optional<std::string> peer_certificate_sha256(SSL* ssl);

// Maps 10..13 to the OpenSSL protocol version constant; 0 when unknown.
int tls_version(int short_version);

// Text of the last OpenSSL errors, for messages when Asio gives only a generic code.
std::string openssl_errors();

}  // namespace hub::http
