#pragma once
/// A throw-away certificate authority for tests and `lienthongctl dev-env`: a root and an
/// issuing (intermediate) CA, both EC P-256, issuing real server, client and signer
/// certificates and CRLs in-process with OpenSSL. Never for production keys.
///
/// Failures throw std::runtime_error: this code runs in test set-up and in a command-line
/// tool, never on the hub's data path.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace lienthong::testca {

using TimePoint = std::chrono::system_clock::time_point;

/// rsa1024 is too short for the hub's signature policy: only for tests of that refusal.
enum class KeyType { ec_p256, rsa2048, rsa1024 };

/// An unencrypted private key (PKCS#8 PEM) and its public key (SubjectPublicKeyInfo PEM).
struct KeyPair {
    std::string private_pem;
    std::string public_pem;
};

/// A fresh key pair.
KeyPair generate_key(KeyType type);

/// A certificate's validity; the defaults (read when the value is made) cover an hour ago to a
/// year ahead, so a test wanting an expired certificate sets both ends in the past.
struct Validity {
    TimePoint not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    TimePoint not_after = std::chrono::system_clock::now() + std::chrono::days(365);
};

/// Paths written by IssuedCert::write_files.
struct CertFiles {
    std::string cert_path;
    std::string key_path;
};

/// A certificate issued by the intermediate, with its private key.
struct IssuedCert {
    std::string cert_pem;   ///< the leaf alone
    std::string chain_pem;  ///< the leaf, then the intermediate
    std::string cert_der;   ///< the leaf's DER
    std::string key_pem;    ///< its private key, PKCS#8 PEM
    std::string serial;     ///< uppercase hex, as hub::crypto::SignerIdentity::serial

    /// Writes `dir/name.crt` (chain_pem, mode 0644) and `dir/name.key` (key_pem, mode 0600),
    /// creating `dir` if needed and replacing existing files.
    CertFiles write_files(const std::string& dir, const std::string& name) const;
};

/// Key usage and extended key usage of a certificate from TestCa::issue_signer, as OpenSSL
/// extension values ("critical,digitalSignature", "clientAuth,serverAuth", an OID such as
/// "1.3.6.1.5.5.7.3.36"); an empty string leaves the extension out.
struct SignerUsage {
    std::string key_usage = "critical,digitalSignature,nonRepudiation";
    std::string extended_key_usage = "emailProtection";
};

/// The CA. Movable, not copyable, not thread-safe.
class TestCa {
public:
    /// New root ("<name> Root CA") and intermediate ("<name> Issuing CA"), valid from a day ago
    /// for ten years, or for `ca_validity`.
    static TestCa create(const std::string& name = "Lienthong Test");
    static TestCa create(const std::string& name, Validity ca_validity);

    /// Reads a CA written by save(): `dir/root.crt`, `dir/root.key`, `dir/intermediate.crt`,
    /// `dir/intermediate.key`, and `dir/revoked.txt` when present.
    static TestCa load(const std::string& dir);
    /// Writes those files (keys 0600), creating `dir` if needed.
    void save(const std::string& dir) const;

    /// A TLS server certificate (EC P-256, serverAuth) for the given DNS names and IP
    /// addresses as subjectAltName.
    IssuedCert issue_server(const std::string& common_name,
                            const std::vector<std::string>& dns_names = {"localhost"},
                            const std::vector<std::string>& ip_addresses = {"127.0.0.1"},
                            Validity validity = {});
    /// A TLS client certificate (EC P-256, clientAuth); subject CN and UID=org_code.
    IssuedCert issue_client(const std::string& common_name,
                            const std::string& org_code,
                            Validity validity = {});
    /// A document-signing certificate: subject CN and UID=org_code, digitalSignature and
    /// nonRepudiation, emailProtection.
    IssuedCert issue_signer(const std::string& common_name,
                            const std::string& org_code,
                            KeyType key_type = KeyType::rsa2048,
                            Validity validity = {});

    /// The same with the given usages (a signer that is only good for TLS, say).
    IssuedCert issue_signer(const std::string& common_name,
                            const std::string& org_code,
                            const SignerUsage& usage,
                            KeyType key_type = KeyType::ec_p256,
                            Validity validity = {});

    /// Lists `serial` (hex, any case) in later CRLs, revoked at `when`.
    void revoke(const std::string& serial, TimePoint when = std::chrono::system_clock::now());
    /// A CRL signed by the intermediate: thisUpdate now, nextUpdate in 30 days.
    std::string crl_pem() const;
    /// The same with explicit times (e.g. a stale CRL).
    std::string crl_pem(TimePoint this_update, TimePoint next_update) const;

    const std::string& root_pem() const;
    const std::string& intermediate_pem() const;

    TestCa(TestCa&&) noexcept;
    TestCa& operator=(TestCa&&) noexcept;
    ~TestCa();

private:
    struct State;
    explicit TestCa(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace lienthong::testca
