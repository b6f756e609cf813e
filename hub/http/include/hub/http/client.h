#pragma once
/// A small blocking HTTPS client for lienthongctl and the tests: one connection at a time,
/// kept alive between requests, server certificate always verified. Not for the daemon's
/// data path (it blocks the calling thread).

#include "hub/core/result.h"

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hub::http {

struct ClientOptions {
    std::string host = "127.0.0.1";  // also the name checked against the server certificate
    std::uint16_t port = 0;
    /// PEM CA certificates to verify the server with; empty: the system's default paths.
    std::string ca_file;
    /// Optional client certificate (PEM chain, leaf first) and its key.
    std::string cert_file;
    std::string key_file;
    /// Allowed TLS versions as 10, 11, 12, 13 (a test can offer TLS 1.1 only).
    int min_tls = 12;
    int max_tls = 13;
    /// TLS 1.2 cipher list to offer, in OpenSSL syntax (a test offers only CBC suites);
    /// empty: OpenSSL's default.
    std::string tls12_ciphers;
    /// Each connect, handshake, request write and response read must finish within this.
    std::chrono::milliseconds timeout{30'000};
};

struct ClientResponse {
    unsigned status = 0;
    std::string body;
    /// Header names in lower case; repeated headers joined with ", ".
    std::map<std::string, std::string> headers;

    /// The value of header `lower_name`, or "" when absent.
    const std::string& header(const std::string& lower_name) const;
};

class ClientConnection;

/// Not thread-safe; use one Client per thread.
class Client {
public:
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Connects and completes the TLS handshake (closing any previous connection).
    /// Errors: UNAVAILABLE with the system or TLS error text; bad cert/key files: INTERNAL.
    Result<void> connect();

    /// Sends one request on the open connection (connecting first when there is none) and
    /// reads the whole response. When a kept-alive connection turns out to have been closed
    /// by the server before any answer (idle timeout), the request is sent once more on a new
    /// connection. The connection is closed afterwards when the server says Connection: close
    /// or anything failed. Errors: UNAVAILABLE (network, TLS, timeout).
    Result<ClientResponse> request(
        boost::beast::http::verb method,
        const std::string& target,
        const std::string& body = {},
        const std::string& content_type = {},
        const std::string& accept = {},
        const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

    /// True while a connection is open.
    bool connected() const;
    /// Closes the connection, if any.
    void close();

private:
    ClientOptions options_;
    std::unique_ptr<ClientConnection> connection_;
};

}  // namespace hub::http
