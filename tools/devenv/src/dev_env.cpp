#include "lienthong/devenv/dev_env.h"

#include "hub/crypto/fingerprint.h"
#include "lienthong/testca/test_ca.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "documents.h"

namespace lienthong::devenv {
namespace {

namespace fs = std::filesystem;
using testca::IssuedCert;
using testca::KeyType;
using testca::TestCa;

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        throw std::runtime_error("dev-env: cannot write " + path.string());
    }
}

std::string sha256_of(const IssuedCert& cert) {
    return hub::crypto::cert_fingerprint_der(cert.cert_der);
}

// The first agency also gets the signers each negative signature test needs; revoking one
// changes the CA's state, so this runs before the CA and its CRL are saved.
void issue_bad_signers(TestCa& ca, const fs::path& dir, const std::string& code) {
    const IssuedCert revoked = ca.issue_signer("Revoked signer " + code, code, KeyType::rsa2048);
    ca.revoke(revoked.serial);
    revoked.write_files(dir.string(), "signer-revoked");

    const auto now = std::chrono::system_clock::now();
    const testca::Validity past{now - std::chrono::days(400), now - std::chrono::days(35)};
    ca.issue_signer("Expired signer " + code, code, KeyType::rsa2048, past)
        .write_files(dir.string(), "signer-expired");

    // A trusted certificate, but for an organization the registry does not have.
    ca.issue_signer("Other organization", "H39.99", KeyType::rsa2048)
        .write_files(dir.string(), "signer-other-org");
}

}  // namespace

std::vector<DevAgency> dev_env_agencies(int count) {
    if (count < 1 || count > kMaxAgencies) {
        throw std::invalid_argument("dev-env: agencies must be between 1 and " +
                                    std::to_string(kMaxAgencies));
    }
    // Both written forms on purpose: the hub must accept, route and show either.
    std::vector<DevAgency> all{{"000.00.00.H39", "UBND tỉnh Long An"},
                               {"000.00.01.H39", "Sở Nội vụ"},
                               {"H39.02", "Sở Tài chính"},
                               {"000.00.03.H39", "Sở Tư pháp"}};
    for (int i = 5; i <= count; ++i) {
        char number[8];
        std::snprintf(number, sizeof number, "%02d", i - 1);
        all.push_back({std::string("H39.") + number, std::string("Đơn vị ") + number});
    }
    all.resize(static_cast<std::size_t>(count));
    return all;
}

void make_dev_env(const std::string& dir, const DevEnvOptions& options) {
    const auto agencies = dev_env_agencies(options.agencies);
    const fs::path root(dir);
    fs::create_directories(root);

    // The CA predates the expired signer, so that certificate fails on its own dates only.
    const auto now = std::chrono::system_clock::now();
    TestCa ca = TestCa::create("Lienthong Dev",
                               {now - std::chrono::days(730), now + std::chrono::days(3650)});
    ca.issue_server("localhost", {"localhost"}, {"127.0.0.1"})
        .write_files((root / "hub").string(), "server");
    ca.issue_signer("Lienthong hub receipts", "H39", KeyType::ec_p256)
        .write_files((root / "hub").string(), "receipt");
    const IssuedCert operator_cert = ca.issue_client("Lienthong operator", "operator");
    operator_cert.write_files((root / "operator").string(), "client");

    std::vector<detail::AgencyFiles> files;
    for (const auto& agency : agencies) {
        const fs::path adir = root / "agencies" / agency.code;
        const IssuedCert client = ca.issue_client("System " + agency.code, agency.code);
        const IssuedCert signer =
            ca.issue_signer("Van thu " + agency.code, agency.code, KeyType::rsa2048);
        client.write_files(adir.string(), "client");
        signer.write_files(adir.string(), "signer");
        files.push_back({agency, sha256_of(client), sha256_of(signer)});
    }
    issue_bad_signers(ca, root / "agencies" / agencies.front().code, agencies.front().code);
    ca.issue_client("Unregistered system", "H39.98")
        .write_files((root / "unregistered").string(), "client");

    TestCa foreign = TestCa::create("Lienthong Foreign");
    foreign
        .issue_signer("Van thu " + agencies.front().code, agencies.front().code, KeyType::rsa2048)
        .write_files((root / "foreign").string(), "signer");
    foreign.save((root / "foreign-ca").string());

    ca.save((root / "ca").string());
    write_text(root / "ca" / "trust" / "root.crt", ca.root_pem());
    write_text(root / "ca" / "trust" / "intermediate.crt", ca.intermediate_pem());
    write_text(root / "ca" / "crl" / "intermediate.crl.pem", ca.crl_pem());

    write_text(root / "registry.json", detail::registry_json(files));
    write_text(root / "lienthongd.json", detail::config_json(options, sha256_of(operator_cert)));
    write_text(root / "README.txt", detail::readme_text(files));
    fs::create_directories(root / "data" / "blobs");
    fs::create_directories(root / "run");
}

}  // namespace lienthong::devenv
