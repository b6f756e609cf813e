// The registry tables: import and load round trip, replace, status and credential changes.

#include "unit/store/store_fixture.h"

using namespace store_test;
namespace v1 = lienthong::v1;

namespace {

v1::Registry sample() {
    v1::Registry r;
    auto* ubnd = r.add_organizations();
    ubnd->set_code("000.00.00.H39");  // edXML form as registered
    ubnd->add_aliases("H39");
    ubnd->set_name("UBND tỉnh Long An");
    ubnd->set_category("agency");
    ubnd->add_client_cert_sha256(std::string(64, 'A'));  // stored lowercase
    auto* s = ubnd->add_signers();
    s->set_uid("000.00.00.H39");
    auto* snv = r.add_organizations();
    snv->set_code("H39.05");
    snv->set_name("Sở Nội vụ");
    snv->set_parent("H39");
    snv->add_client_cert_sha256(std::string(64, 'b'));
    auto* s2 = snv->add_signers();
    s2->set_sha256(std::string(64, 'c'));
    auto* vpcp = r.add_organizations();
    vpcp->set_code("G22");
    vpcp->set_route(v1::NATIONAL);
    vpcp->set_status(v1::SUSPENDED);
    return r;
}

const v1::OrgEntry* find(const v1::Registry& r, const std::string& given) {
    for (const auto& o : r.organizations()) {
        if (o.code() == given) {
            return &o;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("R-03 registry: an imported registry loads back as registered", "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false));
    auto r = f.ok(f.ledger().load_registry());
    REQUIRE(r.organizations_size() == 3);
    const auto* ubnd = find(r, "000.00.00.H39");
    REQUIRE(ubnd != nullptr);
    CHECK(ubnd->name() == "UBND tỉnh Long An");
    REQUIRE(ubnd->aliases_size() == 1);
    CHECK(ubnd->aliases(0) == "H39");
    REQUIRE(ubnd->client_cert_sha256_size() == 1);
    CHECK(ubnd->client_cert_sha256(0) == std::string(64, 'a'));
    REQUIRE(ubnd->signers_size() == 1);
    CHECK(ubnd->signers(0).uid() == "000.00.00.H39");
    CHECK(ubnd->route() == v1::LOCAL);
    const auto* vpcp = find(r, "G22");
    REQUIRE(vpcp != nullptr);
    CHECK(vpcp->route() == v1::NATIONAL);
    CHECK(vpcp->status() == v1::SUSPENDED);
    CHECK(find(r, "H39.05")->parent() == "H39");
}

TEST_CASE("registry: both written forms of a code are one organization", "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false));
    v1::Registry again;
    auto* o = again.add_organizations();
    o->set_code("H39");  // the QĐ 20 form of 000.00.00.H39
    o->set_name("Ủy ban nhân dân tỉnh Long An");
    f.ok(f.ledger().import_registry(again, false));
    auto r = f.ok(f.ledger().load_registry());
    CHECK(r.organizations_size() == 3);
    CHECK(find(r, "H39")->name() == "Ủy ban nhân dân tỉnh Long An");
    // Upsert keeps credentials the new entry does not list.
    CHECK(find(r, "H39")->client_cert_sha256_size() == 1);
}

TEST_CASE("registry: replace removes what the new registry does not list", "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false));
    v1::Registry smaller;
    auto* snv = smaller.add_organizations();
    snv->set_code("H39.05");
    snv->add_client_cert_sha256(std::string(64, 'd'));
    f.ok(f.ledger().import_registry(smaller, true));
    auto r = f.ok(f.ledger().load_registry());
    REQUIRE(r.organizations_size() == 1);
    REQUIRE(r.organizations(0).client_cert_sha256_size() == 1);
    CHECK(r.organizations(0).client_cert_sha256(0) == std::string(64, 'd'));
    CHECK(r.organizations(0).signers_size() == 0);
}

TEST_CASE("registry: a code that is no organization code is refused", "[store][registry]") {
    LedgerFixture f;
    v1::Registry bad = sample();
    bad.mutable_organizations(1)->set_code("not-a-code");
    auto failure = f.failure(f.ledger().import_registry(bad, false));
    CHECK(failure.code == hub::errc::invalid_org_code);
    CHECK(failure.field == "organizations[1].code");
    CHECK(f.ok(f.ledger().load_registry()).organizations_size() == 0);  // all or nothing
}

TEST_CASE("registry: add, suspend and activate an organization", "[store][registry]") {
    LedgerFixture f;
    v1::OrgEntry org;
    org.set_code("H39.07");
    org.set_name("Sở Tài chính");
    f.ok(f.ledger().add_org(org));
    CHECK(f.failure(f.ledger().add_org(org)).code == hub::errc::duplicate_conflict);

    f.ok(f.ledger().set_org_status("000.00.07.H39", v1::SUSPENDED));  // either form
    CHECK(f.ok(f.ledger().load_registry()).organizations(0).status() == v1::SUSPENDED);
    f.ok(f.ledger().set_org_status("H39.07", v1::ACTIVE));
    CHECK(f.ok(f.ledger().load_registry()).organizations(0).status() == v1::ACTIVE);
    CHECK(f.failure(f.ledger().set_org_status("H39.99", v1::ACTIVE)).code == hub::errc::not_found);
}

TEST_CASE("R-04 registry: a revoked client certificate is cut off and stays revoked",
          "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false));
    std::string fresh(64, 'e');
    f.ok(f.ledger().add_client_cert("H39.05", fresh));
    f.ok(f.ledger().add_client_cert("H39.05", fresh));  // idempotent
    CHECK(f.failure(f.ledger().add_client_cert("G22", fresh)).code ==
          hub::errc::duplicate_conflict);
    CHECK(f.failure(f.ledger().add_client_cert("H39.99", fresh)).code == hub::errc::not_found);
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->client_cert_sha256_size() == 2);

    CHECK(f.ok(f.ledger().revoke_client_cert(std::string(64, 'B'))));
    CHECK_FALSE(f.ok(f.ledger().revoke_client_cert(std::string(64, 'b'))));
    CHECK(f.failure(f.ledger().revoke_client_cert(std::string(64, 'f'))).code ==
          hub::errc::not_found);
    auto r = f.ok(f.ledger().load_registry());
    REQUIRE(find(r, "H39.05")->client_cert_sha256_size() == 1);
    CHECK(find(r, "H39.05")->client_cert_sha256(0) == fresh);

    // Listing it again (a registry file reload) does not bring it back.
    f.ok(f.ledger().import_registry(sample(), false));
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->client_cert_sha256_size() == 1);
    CHECK(f.failure(f.ledger().add_client_cert("H39.05", std::string(64, 'b'))).code ==
          hub::errc::duplicate_conflict);
}

TEST_CASE("registry: signers are added and revoked", "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false));
    v1::SignerCert by_uid;
    by_uid.set_uid("H39.05");
    f.ok(f.ledger().add_signer("H39.05", by_uid));
    f.ok(f.ledger().add_signer("H39.05", by_uid));  // idempotent
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->signers_size() == 2);

    v1::SignerCert by_sha;
    by_sha.set_sha256(std::string(64, 'c'));
    CHECK(f.ok(f.ledger().revoke_signer("H39.05", by_sha)));
    CHECK_FALSE(f.ok(f.ledger().revoke_signer("H39.05", by_sha)));
    auto signers = find(f.ok(f.ledger().load_registry()), "H39.05")->signers();
    REQUIRE(signers.size() == 1);
    CHECK(signers[0].uid() == "H39.05");

    v1::SignerCert unknown;
    unknown.set_uid("nobody");
    CHECK(f.failure(f.ledger().revoke_signer("H39.05", unknown)).code == hub::errc::not_found);
    CHECK(f.failure(f.ledger().add_signer("H39.05", v1::SignerCert{})).code ==
          hub::errc::malformed);
}

TEST_CASE("R-11 registry: revoking a signer known only by its UID records its fingerprint",
          "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false));
    v1::SignerCert by_sha;
    by_sha.set_sha256(std::string(64, 'A'));  // no row: accepted through its subject UID
    CHECK(f.ok(f.ledger().revoke_signer("H39.05", by_sha)));
    CHECK_FALSE(f.ok(f.ledger().revoke_signer("H39.05", by_sha)));
    auto r = f.ok(f.ledger().load_registry());
    const auto* org = find(r, "H39.05");
    REQUIRE(org->revoked_signers_size() == 1);
    CHECK(org->revoked_signers(0).sha256() == std::string(64, 'a'));
    for (const auto& signer : org->signers()) {
        CHECK(signer.sha256() != std::string(64, 'a'));
    }
    // Listing it again (a registry file reload) does not bring it back.
    v1::Registry again = sample();
    for (auto& entry : *again.mutable_organizations()) {
        if (entry.code() == "H39.05") {
            entry.add_signers()->set_sha256(std::string(64, 'a'));
        }
    }
    f.ok(f.ledger().import_registry(again, false));
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->revoked_signers_size() == 1);
    CHECK(f.failure(f.ledger().revoke_signer("H39.99", by_sha)).code == hub::errc::not_found);
}

TEST_CASE("registry: the blocking variants serve start-up", "[store][registry]") {
    LedgerFixture f;
    REQUIRE(f.ledger().import_registry_sync(sample(), true).has_value());
    auto r = f.ledger().load_registry_sync();
    REQUIRE(r.has_value());
    CHECK(r->organizations_size() == 3);
}
