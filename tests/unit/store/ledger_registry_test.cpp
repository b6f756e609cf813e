// The registry tables: import and load round trip, replace, status and credential changes.

#include "hub/core/org_code.h"

#include <algorithm>

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
    f.ok(f.ledger().import_registry(sample(), false,
                                    LedgerFixture::audit_record("import_registry", "test")));
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
    f.ok(f.ledger().import_registry(sample(), false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    v1::Registry again;
    auto* o = again.add_organizations();
    o->set_code("H39");  // the QĐ 20 form of 000.00.00.H39
    o->set_name("Ủy ban nhân dân tỉnh Long An");
    f.ok(f.ledger().import_registry(again, false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    auto r = f.ok(f.ledger().load_registry());
    CHECK(r.organizations_size() == 3);
    CHECK(find(r, "H39")->name() == "Ủy ban nhân dân tỉnh Long An");
    // Upsert keeps credentials the new entry does not list.
    CHECK(find(r, "H39")->client_cert_sha256_size() == 1);
}

TEST_CASE("R-04 registry: a file import withdraws what the file no longer lists",
          "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), true,
                                    LedgerFixture::audit_record("import_registry", "test")));
    v1::Registry smaller;
    auto* snv = smaller.add_organizations();
    snv->set_code("H39.05");
    snv->add_client_cert_sha256(std::string(64, 'd'));
    f.ok(f.ledger().import_registry(smaller, true,
                                    LedgerFixture::audit_record("import_registry", "test")));
    auto r = f.ok(f.ledger().load_registry());
    // Dropped organizations stay known (deliveries name them) but suspended, and their
    // certificates are revoked, so they cannot come back by being added again.
    for (const auto& org : r.organizations()) {
        INFO(org.code());
        if (hub::canonical_org_code(org.code()) == "H39.05") {
            CHECK(org.status() == v1::ACTIVE);
            REQUIRE(org.client_cert_sha256_size() == 1);
            CHECK(org.client_cert_sha256(0) == std::string(64, 'd'));
            CHECK(org.signers_size() == 0);
        } else {
            CHECK(org.status() == v1::SUSPENDED);
            CHECK(org.client_cert_sha256_size() == 0);
        }
    }
    const v1::Registry original = sample();
    for (const auto& org : original.organizations()) {
        for (const auto& sha : org.client_cert_sha256()) {
            if (sha != std::string(64, 'd')) {
                CHECK(f.failure(f.ledger().add_client_cert(
                                    org.code(), sha,
                                    LedgerFixture::audit_record("add_client_cert", "test")))
                          .code == hub::errc::duplicate_conflict);
            }
        }
    }
}

TEST_CASE("R-04 registry: a file import leaves an operator's suspension and additions",
          "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), true,
                                    LedgerFixture::audit_record("import_registry", "test")));
    f.ok(f.ledger().set_org_status("H39.05", v1::SUSPENDED,
                                   LedgerFixture::audit_record("set_org_status", "test")));
    const std::string added(64, 'e');
    f.ok(f.ledger().add_client_cert("H39.05", added,
                                    LedgerFixture::audit_record("add_client_cert", "test")));
    // The file changed (say, a new name) and is imported again.
    auto edited = sample();
    edited.mutable_organizations(1)->set_name("Sở Nội vụ (mới)");
    f.ok(f.ledger().import_registry(edited, true,
                                    LedgerFixture::audit_record("import_registry", "test")));
    auto r = f.ok(f.ledger().load_registry());
    bool seen = false;
    for (const auto& org : r.organizations()) {
        if (hub::canonical_org_code(org.code()) == "H39.05") {
            seen = true;
            CHECK(org.status() == v1::SUSPENDED);
            CHECK(std::find(org.client_cert_sha256().begin(), org.client_cert_sha256().end(),
                            added) != org.client_cert_sha256().end());
        }
    }
    CHECK(seen);
    f.ok(f.ledger().set_org_status("H39.05", v1::ACTIVE,
                                   LedgerFixture::audit_record("set_org_status", "test")));
    f.ok(f.ledger().import_registry(edited, true,
                                    LedgerFixture::audit_record("import_registry", "test")));
    const v1::Registry reloaded = f.ok(f.ledger().load_registry());
    for (const auto& org : reloaded.organizations()) {
        if (hub::canonical_org_code(org.code()) == "H39.05") {
            CHECK(org.status() == v1::ACTIVE);
        }
    }
}

TEST_CASE("registry: a code that is no organization code is refused", "[store][registry]") {
    LedgerFixture f;
    v1::Registry bad = sample();
    bad.mutable_organizations(1)->set_code("not-a-code");
    auto failure = f.failure(f.ledger().import_registry(
        bad, false, LedgerFixture::audit_record("import_registry", "test")));
    CHECK(failure.code == hub::errc::invalid_org_code);
    CHECK(failure.field == "organizations[1].code");
    CHECK(f.ok(f.ledger().load_registry()).organizations_size() == 0);  // all or nothing
}

TEST_CASE("registry: add, suspend and activate an organization, each with its audit row",
          "[store][registry]") {
    LedgerFixture f;
    v1::OrgEntry org;
    org.set_code("H39.07");
    org.set_name("Sở Tài chính");
    v1::Registry one;
    *one.add_organizations() = org;
    f.ok(f.ledger().import_registry(one, false,
                                    LedgerFixture::audit_record("import_registry", "test")));

    f.ok(f.ledger().set_org_status(
        "000.00.07.H39", v1::SUSPENDED,
        LedgerFixture::audit_record("set_org_status", "test")));  // either form
    CHECK(f.ok(f.ledger().load_registry()).organizations(0).status() == v1::SUSPENDED);
    f.ok(f.ledger().set_org_status("H39.07", v1::ACTIVE,
                                   LedgerFixture::audit_record("set_org_status", "test")));
    CHECK(f.ok(f.ledger().load_registry()).organizations(0).status() == v1::ACTIVE);
    CHECK(
        f.failure(f.ledger().set_org_status("H39.99", v1::ACTIVE,
                                            LedgerFixture::audit_record("set_org_status", "test")))
            .code == hub::errc::not_found);
    // each change committed its audit row with it; the refused one wrote none.
    auto entries = f.ok(f.ledger().audit_entries(0, 10));
    CHECK(entries.size() == 3);
}

TEST_CASE("R-04 registry: a revoked client certificate is cut off and stays revoked",
          "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    std::string fresh(64, 'e');
    f.ok(f.ledger().add_client_cert("H39.05", fresh,
                                    LedgerFixture::audit_record("add_client_cert", "test")));
    f.ok(f.ledger().add_client_cert(
        "H39.05", fresh, LedgerFixture::audit_record("add_client_cert", "test")));  // idempotent
    CHECK(f.failure(f.ledger().add_client_cert(
                        "G22", fresh, LedgerFixture::audit_record("add_client_cert", "test")))
              .code == hub::errc::duplicate_conflict);
    CHECK(f.failure(f.ledger().add_client_cert(
                        "H39.99", fresh, LedgerFixture::audit_record("add_client_cert", "test")))
              .code == hub::errc::not_found);
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->client_cert_sha256_size() == 2);

    CHECK(f.ok(f.ledger().revoke_client_cert(
        std::string(64, 'B'), LedgerFixture::audit_record("revoke_client_cert", "test"))));
    CHECK_FALSE(f.ok(f.ledger().revoke_client_cert(
        std::string(64, 'b'), LedgerFixture::audit_record("revoke_client_cert", "test"))));
    CHECK(f
              .failure(f.ledger().revoke_client_cert(
                  std::string(64, 'f'), LedgerFixture::audit_record("revoke_client_cert", "test")))
              .code == hub::errc::not_found);
    auto r = f.ok(f.ledger().load_registry());
    REQUIRE(find(r, "H39.05")->client_cert_sha256_size() == 1);
    CHECK(find(r, "H39.05")->client_cert_sha256(0) == fresh);

    // Listing it again (a registry file reload) does not bring it back.
    f.ok(f.ledger().import_registry(sample(), false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->client_cert_sha256_size() == 1);
    CHECK(f.failure(
               f.ledger().add_client_cert("H39.05", std::string(64, 'b'),
                                          LedgerFixture::audit_record("add_client_cert", "test")))
              .code == hub::errc::duplicate_conflict);
}

TEST_CASE("registry: signers are added and revoked", "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    v1::SignerCert by_uid;
    by_uid.set_uid("H39.05");
    f.ok(
        f.ledger().add_signer("H39.05", by_uid, LedgerFixture::audit_record("add_signer", "test")));
    f.ok(f.ledger().add_signer("H39.05", by_uid,
                               LedgerFixture::audit_record("add_signer", "test")));  // idempotent
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->signers_size() == 2);

    v1::SignerCert by_sha;
    by_sha.set_sha256(std::string(64, 'c'));
    CHECK(f.ok(f.ledger().revoke_signer("H39.05", by_sha,
                                        LedgerFixture::audit_record("revoke_signer", "test"))));
    CHECK_FALSE(f.ok(f.ledger().revoke_signer(
        "H39.05", by_sha, LedgerFixture::audit_record("revoke_signer", "test"))));
    auto signers = find(f.ok(f.ledger().load_registry()), "H39.05")->signers();
    REQUIRE(signers.size() == 1);
    CHECK(signers[0].uid() == "H39.05");

    v1::SignerCert unknown;
    unknown.set_uid("nobody");
    CHECK(f.failure(f.ledger().revoke_signer("H39.05", unknown,
                                             LedgerFixture::audit_record("revoke_signer", "test")))
              .code == hub::errc::not_found);
    CHECK(f.failure(f.ledger().add_signer("H39.05", v1::SignerCert{},
                                          LedgerFixture::audit_record("add_signer", "test")))
              .code == hub::errc::malformed);
}

TEST_CASE("R-11 registry: revoking a signer known only by its UID records its fingerprint",
          "[store][registry]") {
    LedgerFixture f;
    f.ok(f.ledger().import_registry(sample(), false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    v1::SignerCert by_sha;
    by_sha.set_sha256(std::string(64, 'A'));  // no row: accepted through its subject UID
    CHECK(f.ok(f.ledger().revoke_signer("H39.05", by_sha,
                                        LedgerFixture::audit_record("revoke_signer", "test"))));
    CHECK_FALSE(f.ok(f.ledger().revoke_signer(
        "H39.05", by_sha, LedgerFixture::audit_record("revoke_signer", "test"))));
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
    f.ok(f.ledger().import_registry(again, false,
                                    LedgerFixture::audit_record("import_registry", "test")));
    CHECK(find(f.ok(f.ledger().load_registry()), "H39.05")->revoked_signers_size() == 1);
    CHECK(f.failure(f.ledger().revoke_signer("H39.99", by_sha,
                                             LedgerFixture::audit_record("revoke_signer", "test")))
              .code == hub::errc::not_found);
}

TEST_CASE("registry: the blocking variants serve start-up", "[store][registry]") {
    LedgerFixture f;
    REQUIRE(f.ledger()
                .import_registry_sync(sample(), true,
                                      LedgerFixture::audit_record("import_registry_sync", "test"))
                .has_value());
    auto r = f.ledger().load_registry_sync();
    REQUIRE(r.has_value());
    CHECK(r->organizations_size() == 3);
}

TEST_CASE(
    "registry: systems and their units load back, the file replaces them, and a "
    "certificate is never an organization's and a system's at once",
    "[store][registry]") {
    LedgerFixture f;
    auto with_system = [](const std::string& cert, const std::string& unit_code) {
        v1::Registry r = sample();
        auto* system = r.add_systems();
        system->set_name("eoffice");
        system->add_client_cert_sha256(cert);
        auto* unit = system->add_units();
        unit->set_system_id("LS-01");
        unit->set_code(unit_code);
        unit->set_secret_sha256(std::string(64, 'F'));
        return r;
    };
    const auto audit = LedgerFixture::audit_record("import_registry", "test");
    f.ok(f.ledger().import_registry(with_system(std::string(64, 'E'), "000.00.05.H39"), true,
                                    audit));
    auto r = f.ok(f.ledger().load_registry());
    REQUIRE(r.systems_size() == 1);
    CHECK(r.systems(0).name() == "eoffice");
    REQUIRE(r.systems(0).client_cert_sha256_size() == 1);
    CHECK(r.systems(0).client_cert_sha256(0) == std::string(64, 'e'));
    REQUIRE(r.systems(0).units_size() == 1);
    CHECK(r.systems(0).units(0).code() == "H39.05");  // canonical
    CHECK(r.systems(0).units(0).secret_sha256() == std::string(64, 'f'));

    // An organization's certificate, or a unit of no registered organization: refused whole.
    const auto clash = f.failure(
        f.ledger().import_registry(with_system(std::string(64, 'b'), "H39.05"), true, audit));
    CHECK(clash.code == hub::errc::duplicate_conflict);
    const auto stranger = f.failure(
        f.ledger().import_registry(with_system(std::string(64, 'e'), "H39.77"), true, audit));
    CHECK(stranger.field == "systems[0].units[0].code");
    CHECK(f.ok(f.ledger().load_registry()).systems_size() == 1);

    // A file without systems has none.
    f.ok(f.ledger().import_registry(sample(), true, audit));
    CHECK(f.ok(f.ledger().load_registry()).systems_size() == 0);
}
