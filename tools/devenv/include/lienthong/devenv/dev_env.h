#pragma once
/// A complete development environment for lienthongd in one directory: a test CA, the hub's
/// TLS and receipt certificates, an operator certificate, N Long An agencies with client and
/// signer certificates (plus deliberately bad signers for negative tests), the registry and
/// a daemon config whose paths are relative to the directory. Used by `lienthongctl dev-env`
/// and the integration tests; never for production keys.
///
/// Failures throw std::runtime_error (or std::invalid_argument for bad options): this is
/// tool and test set-up code, never on the hub's data path.

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace lienthong::devenv {

/// Upper bound on DevEnvOptions::agencies; keeps H39.77, H39.98 and H39.99 free for tests
/// that need well-formed but unregistered codes.
inline constexpr int kMaxAgencies = 60;

struct DevEnvOptions {
    /// Number of agencies, 1..kMaxAgencies.
    int agencies = 3;
    /// Listener ports written to the config; 0 lets the daemon pick (see run/ports.json).
    std::uint16_t agency_port = 0;
    std::uint16_t operator_port = 0;
    /// Merged into the top level of lienthongd.json after everything else: a key whose
    /// value and the existing value are both objects is merged one level deep (so
    /// {"limits": {"max_body_bytes": 100000}} or {"tls": {"operator_open_health": true}}
    /// add to what is there); any other key replaces. Keys may be snake_case or
    /// lowerCamelCase; they are written snake_case like the rest of the file.
    boost::json::object config_overrides;
};

/// One agency of the environment.
struct DevAgency {
    std::string code;  ///< as written in the registry and in the directory name
    std::string name;
};

/// The agencies make_dev_env creates for `count`, in order: 000.00.00.H39 (UBND tỉnh Long
/// An), 000.00.01.H39 (Sở Nội vụ), H39.02 (Sở Tài chính), 000.00.03.H39 (Sở Tư pháp), then
/// H39.04, H39.05, ... ("Đơn vị NN"). Throws std::invalid_argument when count is out of range.
std::vector<DevAgency> dev_env_agencies(int count);

/// Creates (or overwrites) the environment in `dir`, creating it if needed. Layout:
///   ca/{root,intermediate}.{crt,key}    test CA (TestCa::save); ca/trust/ its certificates
///   ca/crl/intermediate.crl.pem         CRL listing the first agency's signer-revoked
///   foreign-ca/                         an untrusted CA
///   hub/server.{crt,key}                TLS server (localhost, 127.0.0.1)
///   hub/receipt.{crt,key}               EC P-256 receipt signer, UID=H39
///   operator/client.{crt,key}           operator client certificate
///   agencies/<code>/{client,signer}.{crt,key}
///   agencies/<first>/signer-{revoked,expired,other-org}.{crt,key}
///   foreign/signer.{crt,key}            first agency's UID, issued by foreign-ca
///   unregistered/client.{crt,key}       our CA, UID H39.98, not in the registry
///   registry.json, lienthongd.json, README.txt; empty data/ and run/
void make_dev_env(const std::string& dir, const DevEnvOptions& options);

}  // namespace lienthong::devenv
