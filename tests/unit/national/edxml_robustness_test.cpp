// Untidy and broken input never crashes the codec, large attachments pass libxml2's text
// limit, and xmlsec1 is safe to use from several threads at once.

#include "hub/core/digest.h"
#include "hub/national/edxml.h"
#include "hub/national/xmldsig.h"
#include "lienthong/testca/test_ca.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "golden.h"

using namespace hub::national;
using national_test::golden;

TEST_CASE("every truncation and byte flip of a package is an answer, never a crash",
          "[national][edxml][robust]") {
    for (const char* name : {"new.edxml", "axis_lenient.edxml", "status_02.edxml"}) {
        const std::string xml = golden(name);
        DecodeOptions lenient;
        lenient.mode = DecodeMode::lenient;
        std::size_t refused = 0;
        for (std::size_t cut = 0; cut < xml.size(); cut += 37) {
            const std::string part = xml.substr(0, cut);
            refused += decode_envelope_package(part, lenient).has_value() ? 0 : 1;
            refused += decode_status_package(part, lenient).has_value() ? 0 : 1;
            (void)verify_xmldsig(part);
        }
        CHECK(refused > 0);
        for (std::size_t at = 0; at < xml.size(); at += 53) {
            std::string flipped = xml;
            flipped[at] = static_cast<char>(flipped[at] ^ 0x20);
            (void)decode_envelope_package(flipped, lenient);
            (void)decode_envelope_package(flipped);
            (void)decode_status_package(flipped, lenient);
            (void)package_kind(flipped);
        }
    }
}

TEST_CASE("an attachment past libxml2's 10 MB text limit decodes", "[national][edxml][robust]") {
    auto p = decode_envelope_package(golden("new.edxml"));
    REQUIRE(p.has_value());
    std::string big = "%PDF-1.4\n";
    big.resize(11 * 1024 * 1024, 'x');
    p->attachments[1].carried = big;
    auto xml = encode_envelope_package(*p);
    REQUIRE(xml.has_value());
    CHECK(xml->size() > 14 * 1024 * 1024);
    auto back = decode_envelope_package(*xml);
    INFO((back ? std::string() : back.error().message));
    REQUIRE(back.has_value());
    CHECK(hub::sha256_hex(back->attachments[1].content) == hub::sha256_hex(big));

    DecodeOptions small;
    small.limits.max_bytes = 8 * 1024 * 1024;
    auto too_big = decode_envelope_package(*xml, small);
    REQUIRE_FALSE(too_big.has_value());
    CHECK(refusal_of(too_big.error()) == refused::kSize);
}

TEST_CASE("signing and verifying from several threads at once", "[national][xmldsig][robust]") {
    auto ca = lienthong::testca::TestCa::create("Edxml Threads");
    const auto signer =
        ca.issue_signer("Van thu", "000.00.00.H39", lienthong::testca::KeyType::rsa2048);
    const std::string xml = golden("status_01.edxml");
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                auto signed_xml = sign_xmldsig(xml, signer.key_pem, signer.chain_pem);
                if (!signed_xml) {
                    continue;
                }
                auto sig = verify_xmldsig(*signed_xml);
                if (sig && sig->has_value() && (*sig)->cert_der == signer.cert_der) {
                    ++good;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(good == 20);
}
