#include "hub/routing/registry.h"

#include <catch2/catch.hpp>

namespace v1 = lienthong::v1;

namespace {

v1::Registry sample() {
    v1::Registry r;
    auto* sx = r.add_organizations();
    sx->set_code("H39.05");
    sx->add_aliases("000.00.05.H39");
    sx->set_name("Sở X");
    sx->add_client_cert_sha256("ABCDEF01");
    sx->add_signers()->set_sha256("aa11");
    auto* sy = r.add_organizations();
    sy->set_code("000.00.06.H39");
    sy->set_status(v1::SUSPENDED);
    auto* bad = r.add_organizations();
    bad->set_code("not a code");
    return r;
}

hub::OrgCode code(const char* text) { return hub::parse_org_code(text).value(); }

}  // namespace

TEST_CASE("R-03 registry finds organizations by either form and alias", "[registry]") {
    std::vector<std::string> skipped;
    auto reg = hub::Registry::build(sample(), &skipped);
    REQUIRE(skipped == std::vector<std::string>{"not a code"});
    REQUIRE(reg->find("H39.05") != nullptr);
    CHECK(reg->find("000.00.05.H39") == reg->find("H39.05"));
    CHECK(reg->find("H39.06") != nullptr);
    CHECK(reg->find("H39.07") == nullptr);
    CHECK(reg->find("garbage") == nullptr);
}

TEST_CASE("R-04 client certificates map to one organization, any hex case", "[registry]") {
    auto reg = hub::Registry::build(sample());
    const auto* org = reg->by_client_cert("abcdef01");
    REQUIRE(org != nullptr);
    CHECK(org->code == "H39.05");
    CHECK(reg->by_client_cert("abcdef02") == nullptr);
}

TEST_CASE("signers belong by fingerprint or by subject UID", "[registry]") {
    auto reg = hub::Registry::build(sample());
    const auto& org = *reg->find("H39.05");
    CHECK(reg->signer_belongs(org, "AA11", ""));
    CHECK(reg->signer_belongs(org, "ffff", "000.00.05.H39"));
    CHECK(reg->signer_belongs(org, "ffff", "H39.05"));
    CHECK_FALSE(reg->signer_belongs(org, "ffff", "H39.06"));
    CHECK_FALSE(reg->signer_belongs(org, "ffff", ""));
}

TEST_CASE("R-11 a signer revoked in the registry is refused before any rule accepts it",
          "[registry]") {
    v1::Registry source = sample();
    auto* sx = source.mutable_organizations(0);
    sx->add_revoked_signers()->set_sha256("BB22");  // accepted through its UID otherwise
    sx->add_revoked_signers()->set_sha256("aa11");  // also listed as an active signer
    sx->add_revoked_signers()->set_uid("retired-uid");
    sx->add_signers()->set_uid("retired-uid");
    auto reg = hub::Registry::build(source);
    const auto& org = *reg->find("H39.05");
    for (const auto& [sha, uid] :
         {std::pair{"bb22", "H39.05"}, std::pair{"AA11", ""}, std::pair{"cc33", "retired-uid"}}) {
        INFO(sha << " " << uid);
        auto result = reg->check_signer(org, sha, uid);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == hub::errc::certificate_revoked);
        CHECK(result.error().field == "signature");
        CHECK_FALSE(reg->signer_belongs(org, sha, uid));
    }
    // Revoked by fingerprint is revoked for every organization.
    CHECK(reg->check_signer(*reg->find("H39.06"), "bb22", "000.00.06.H39").error().code ==
          hub::errc::certificate_revoked);
    CHECK(reg->check_signer(org, "cc33", "H39.05").has_value());
    CHECK(reg->check_signer(org, "cc33", "H39.06").error().code == hub::errc::signer_mismatch);
}

TEST_CASE("R-01 routing: local, suspended, national, unknown", "[registry]") {
    auto reg = hub::Registry::build(sample());
    CHECK(reg->route(code("000.00.05.H39"), "H39", false).kind == hub::RouteKind::local);
    CHECK(reg->route(code("H39.05"), "H39", false).code == "H39.05");
    CHECK(reg->route(code("H39.06"), "H39", true).kind == hub::RouteKind::unknown);
    CHECK(reg->route(code("H41"), "H39", false).kind == hub::RouteKind::unknown);
    CHECK(reg->route(code("H41"), "H39", true).kind == hub::RouteKind::national);
    CHECK(reg->route(code("H39.09"), "H39", true).kind == hub::RouteKind::unknown);
    CHECK(reg->route(code("H39.09"), "H39", true, {"H39.09"}).kind == hub::RouteKind::national);
}
