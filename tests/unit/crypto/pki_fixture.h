#pragma once
/// Shared by the crypto tests: a temporary directory and a test PKI made at test time.

#include "hub/core/time.h"
#include "hub/crypto/cms_signer.h"
#include "hub/crypto/trust_store.h"
#include "lienthong/testca/test_ca.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace crypto_test {

namespace fs = std::filesystem;
using lienthong::testca::IssuedCert;
using lienthong::testca::KeyType;
using lienthong::testca::TestCa;
using lienthong::testca::Validity;

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string sub(const std::string& name) const;  // creates path()/name

private:
    fs::path path_;
};

hub::Instant now();

/// Writes `text` to `dir/name`, creating `dir`.
void write_text(const fs::path& dir, const std::string& name, const std::string& text);

/// Loads a store, failing the test (REQUIRE) when it does not load.
std::shared_ptr<const hub::crypto::TrustStore> load_store(const std::string& anchors,
                                                          const std::string& crls);

/// Loads a signer from an issued certificate written under `dir`; `with_chain` false writes
/// the leaf alone, so the CMS carries no intermediate.
hub::crypto::CmsSigner load_signer(const TempDir& dir,
                                   const IssuedCert& cert,
                                   const std::string& name,
                                   bool with_chain = true);

/// A CA whose own certificates have been valid for a year and stay so for ten, so that
/// signers can be checked at past instants.
TestCa long_lived_ca(const std::string& name);

}  // namespace crypto_test
