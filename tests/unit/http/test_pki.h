#pragma once
// Test certificates made with the openssl command line in a temporary directory: a CA, a
// server certificate for 127.0.0.1/localhost, a client certificate, and a second CA with a
// client certificate of its own (which our listener must refuse).

#include <string>

namespace hub::http::test {

struct TestPki {
    std::string dir;
    std::string ca_cert;
    std::string server_cert;
    std::string server_key;
    std::string client_cert;
    std::string client_key;
    std::string other_ca_cert;
    std::string other_client_cert;
    std::string other_client_key;

    /// Created on first use, removed at process exit. Throws when openssl fails.
    static const TestPki& get();
};

/// Lower-case hex SHA-256 fingerprint of a PEM certificate, as `openssl x509 -fingerprint`
/// computes it (independent of the code under test).
std::string cli_fingerprint(const std::string& cert_file);

}  // namespace hub::http::test
