// XMLDSig with certificates made at test time: sign, verify, chain to the trust store,
// tampering detected, SHA-1 flagged weak, a Signature outside the XMLDSig namespace ignored.

#include "hub/national/xmldsig.h"

#include "hub/crypto/trust_store.h"
#include "hub/crypto/verify.h"
#include "hub/national/edxml.h"
#include "hub/national/package_signer.h"
#include "lienthong/testca/test_ca.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "golden.h"

using namespace hub::national;
using lienthong::testca::IssuedCert;
using lienthong::testca::KeyType;
using lienthong::testca::SignerUsage;
using lienthong::testca::TestCa;
using national_test::golden;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "lienthong-xmldsig-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string write(const std::string& sub, const std::string& name, const std::string& text) {
        fs::create_directories(path_ / sub);
        std::ofstream(path_ / sub / name, std::ios::binary) << text;
        return (path_ / sub).string();
    }
    std::string path() const { return path_.string(); }

private:
    fs::path path_;
};

hub::Instant now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

std::shared_ptr<const hub::crypto::TrustStore> store_of(TempDir& dir, const TestCa& ca) {
    const std::string anchors = dir.write("anchors", "root.pem", ca.root_pem());
    const std::string crls = dir.write("crls", "ca.crl", ca.crl_pem());
    auto store = hub::crypto::TrustStore::load(anchors, crls);
    REQUIRE(store.has_value());
    return *store;
}

std::string sign(const std::string& xml,
                 const IssuedCert& cert,
                 XmlSignatureMethod method = XmlSignatureMethod::automatic) {
    auto signed_xml = sign_xmldsig(xml, cert.key_pem, cert.chain_pem, method);
    INFO((signed_xml ? std::string() : signed_xml.error().message));
    REQUIRE(signed_xml.has_value());
    return *signed_xml;
}

XmlSignature verified(const std::string& xml) {
    auto sig = verify_xmldsig(xml);
    INFO((sig ? std::string() : sig.error().message));
    REQUIRE(sig.has_value());
    REQUIRE(sig->has_value());
    return **sig;
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a package signed rsa-sha256 verifies and its signer chains to the anchors",
          "[national][xmldsig]") {
    TestCa ca = TestCa::create("Edxml Test");
    const IssuedCert signer = ca.issue_signer("Van thu UBND", "000.00.00.H39", KeyType::rsa2048);
    const std::string xml = sign(golden("new.edxml"), signer);
    CHECK(xml.find("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">") !=
          std::string::npos);

    const XmlSignature sig = verified(xml);
    CHECK(sig.cert_der == signer.cert_der);
    CHECK(sig.signature_algorithm == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    CHECK(sig.digest_algorithm == "http://www.w3.org/2001/04/xmlenc#sha256");
    CHECK_FALSE(sig.weak);
    CHECK(sig.chain_der.size() == 1);  // the intermediate, as the chain file had it

    TempDir dir;
    auto store = store_of(dir, ca);
    auto identity = hub::crypto::verify_certificate(sig.cert_der, sig.chain_der, *store, now());
    INFO((identity ? std::string() : identity.error().message));
    REQUIRE(identity.has_value());
    CHECK(identity->uid == "000.00.00.H39");
    CHECK(identity->serial == signer.serial);

    // The decoder sees the signature, and the package still decodes the same.
    auto p = decode_envelope_package(xml);
    REQUIRE(p.has_value());
    CHECK(p->has_signature);
    CHECK(p->header.document_id == "000.00.00.H39,2026/11/25,125/UBND-VP");
}

TEST_CASE("ecdsa-sha256 signatures verify", "[national][xmldsig]") {
    TestCa ca = TestCa::create("Edxml Test");
    const IssuedCert signer =
        ca.issue_signer("Van thu", "000.00.00.H39", SignerUsage{}, KeyType::ec_p256);
    const XmlSignature sig = verified(sign(golden("status_02.edxml"), signer));
    CHECK(sig.signature_algorithm == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256");
    CHECK(sig.cert_der == signer.cert_der);
}

TEST_CASE("any change to the signed package is SIGNATURE_INVALID", "[national][xmldsig]") {
    TestCa ca = TestCa::create("Edxml Test");
    const IssuedCert signer = ca.issue_signer("Van thu", "000.00.00.H39", KeyType::rsa2048);
    const std::string xml = sign(golden("new.edxml"), signer);

    auto expect_invalid = [](const std::string& tampered) {
        auto sig = verify_xmldsig(tampered);
        REQUIRE_FALSE(sig.has_value());
        CHECK(sig.error().code == hub::errc::signature_invalid);
        CHECK(sig.error().field == "Signature");
    };
    SECTION("a header value") {
        std::string t = xml;
        replace_once(t, "Về việc triển khai", "Về việc hủy bỏ");
        expect_invalid(t);
    }
    SECTION("an attachment's bytes, outside the envelope") {
        std::string t = xml;
        const auto at = t.find("<edXML:ContentTransferEncoded>") + 40;
        t[at] = t[at] == 'A' ? 'B' : 'A';
        expect_invalid(t);
    }
    SECTION("a reference to something else than the whole package") {
        std::string t = xml;
        replace_once(t, "URI=\"\"", "URI=\"#x\"");
        expect_invalid(t);
    }
    SECTION("a second signature") {
        std::string t = xml;
        const auto start = t.find("<Signature xmlns=");
        const auto end = t.find("</Signature>") + 12;
        t.insert(end, t.substr(start, end - start));
        expect_invalid(t);
    }
}

TEST_CASE("rsa-sha1, as the national SDK signs, verifies and is reported weak",
          "[national][xmldsig]") {
    TestCa ca = TestCa::create("Edxml Test");
    const IssuedCert signer = ca.issue_signer("Van thu", "000.00.00.G22", KeyType::rsa2048);
    const XmlSignature sig =
        verified(sign(golden("new.edxml"), signer, XmlSignatureMethod::rsa_sha1));
    CHECK(sig.signature_algorithm == "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
    CHECK(sig.weak);
    CHECK(kWeakSignatureFlag == "signature_algorithm_weak");
}

TEST_CASE("unsigned packages and non-XMLDSig Signature elements are no signature",
          "[national][xmldsig]") {
    auto none = verify_xmldsig(golden("new.edxml"));
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());
    auto foreign = verify_xmldsig(golden("axis_lenient.edxml"));
    REQUIRE(foreign.has_value());
    CHECK_FALSE(foreign->has_value());
    // Hostile XML never reaches xmlsec1.
    auto hostile =
        verify_xmldsig("<!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><edXML/>");
    REQUIRE_FALSE(hostile.has_value());
    CHECK(refusal_of(hostile.error()) == refused::kDoctype);
}

TEST_CASE("the signer certificate's chain: untrusted and revoked", "[national][xmldsig]") {
    TestCa ca = TestCa::create("Edxml Test");
    TestCa other = TestCa::create("Somebody Else");
    const IssuedCert stranger = other.issue_signer("Mao danh", "000.00.00.H39", KeyType::rsa2048);
    const IssuedCert signer = ca.issue_signer("Van thu", "000.00.00.H39", KeyType::rsa2048);
    ca.revoke(signer.serial);
    TempDir dir;
    auto store = store_of(dir, ca);

    const XmlSignature foreign = verified(sign(golden("new.edxml"), stranger));
    auto untrusted =
        hub::crypto::verify_certificate(foreign.cert_der, foreign.chain_der, *store, now());
    REQUIRE_FALSE(untrusted.has_value());
    CHECK(untrusted.error().code == hub::errc::certificate_untrusted);

    const XmlSignature revoked_sig = verified(sign(golden("new.edxml"), signer));
    auto revoked =
        hub::crypto::verify_certificate(revoked_sig.cert_der, revoked_sig.chain_der, *store, now());
    REQUIRE_FALSE(revoked.has_value());
    CHECK(revoked.error().code == hub::errc::certificate_revoked);

    auto garbage = hub::crypto::verify_certificate("not a certificate", {}, *store, now());
    REQUIRE_FALSE(garbage.has_value());
    CHECK(garbage.error().code == hub::errc::signature_invalid);
}

TEST_CASE("signing refuses an already signed package and a key of another certificate",
          "[national][xmldsig]") {
    TestCa ca = TestCa::create("Edxml Test");
    const IssuedCert a = ca.issue_signer("A", "000.00.00.H39", KeyType::rsa2048);
    const IssuedCert b = ca.issue_signer("B", "000.00.00.H39", KeyType::rsa2048);
    const std::string xml = sign(golden("new.edxml"), a);
    auto twice = sign_xmldsig(xml, a.key_pem, a.chain_pem);
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().code == hub::errc::malformed);
    auto mismatch = sign_xmldsig(golden("new.edxml"), b.key_pem, a.chain_pem);
    REQUIRE_FALSE(mismatch.has_value());
    CHECK(mismatch.error().field == "key");
}

TEST_CASE("package signer: the hub's RSA key signs the same package to the same bytes, verifiable",
          "[national][xmldsig]") {
    TempDir dir;
    auto ca = TestCa::create("Signer Test");
    const auto hub_cert = ca.issue_signer("Truc", "000.00.00.H39", KeyType::rsa2048);
    const auto files = hub_cert.write_files(dir.path(), "hub");
    auto signer = PackageSigner::load(files.key_path, files.cert_path);
    REQUIRE(signer.has_value());
    const auto once = signer->sign(golden("new.edxml"));
    const auto again = signer->sign(golden("new.edxml"));
    REQUIRE(once.has_value());
    REQUIRE(again.has_value());
    // The relay recognises a package the axis already holds by its digest after a restart.
    CHECK(*once == *again);
    auto verified = verify_xmldsig(*once);
    REQUIRE(verified.has_value());
    REQUIRE(verified->has_value());
    CHECK((*verified)->cert_der == hub_cert.cert_der);
    CHECK_FALSE((*verified)->weak);
}

TEST_CASE("package signer: an EC key, a foreign certificate or a missing file is refused at load",
          "[national][xmldsig]") {
    TempDir dir;
    auto ca = TestCa::create("Signer Test");
    const auto ec =
        ca.issue_signer("Truc", "000.00.00.H39", KeyType::ec_p256).write_files(dir.path(), "ec");
    auto refused = PackageSigner::load(ec.key_path, ec.cert_path);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == hub::errc::malformed);
    CHECK(refused.error().message.find("RSA") != std::string::npos);

    const auto a = ca.issue_signer("A", "000.00.00.H39").write_files(dir.path(), "a");
    const auto b = ca.issue_signer("B", "000.00.00.H39").write_files(dir.path(), "b");
    auto mismatch = PackageSigner::load(a.key_path, b.cert_path);
    REQUIRE_FALSE(mismatch.has_value());
    CHECK(mismatch.error().field == b.cert_path);

    auto missing = PackageSigner::load(dir.path() + "/none.key", a.cert_path);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().field == dir.path() + "/none.key");
}
