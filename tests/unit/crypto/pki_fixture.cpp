#include "pki_fixture.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

namespace crypto_test {

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lienthong-crypto-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string TempDir::sub(const std::string& name) const {
    fs::create_directories(path_ / name);
    return (path_ / name).string();
}

hub::Instant now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

void write_text(const fs::path& dir, const std::string& name, const std::string& text) {
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::shared_ptr<const hub::crypto::TrustStore> load_store(const std::string& anchors,
                                                          const std::string& crls) {
    auto store = hub::crypto::TrustStore::load(anchors, crls);
    INFO((store ? std::string() : store.error().field + ": " + store.error().message));
    REQUIRE(store.has_value());
    return *store;
}

hub::crypto::CmsSigner load_signer(const TempDir& dir,
                                   const IssuedCert& cert,
                                   const std::string& name,
                                   bool with_chain) {
    IssuedCert copy = cert;
    if (!with_chain) {
        copy.chain_pem = cert.cert_pem;
    }
    const auto files = copy.write_files(dir.sub("signers"), name);
    auto signer = hub::crypto::CmsSigner::load(files.key_path, files.cert_path);
    INFO((signer ? std::string() : signer.error().message));
    REQUIRE(signer.has_value());
    return *signer;
}

TestCa long_lived_ca(const std::string& name) {
    const auto t = std::chrono::system_clock::now();
    return TestCa::create(name, Validity{t - std::chrono::days(365), t + std::chrono::days(3650)});
}

}  // namespace crypto_test
