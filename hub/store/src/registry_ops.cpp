// Registry tables: organizations keyed by canonical code, their aliases, client (mutual TLS)
// certificates and signer certificates. Revocation is a flag, so a revoked fingerprint can
// never come back by being listed again.

#include "hub/core/org_code.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "ledger_ops.h"

namespace hub::ledger {

namespace v1 = lienthong::v1;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Result<std::string> canonical(const std::string& code, std::string field) {
    std::string c = canonical_org_code(code);
    if (c.empty()) {
        return fail(errc::invalid_org_code, std::move(field), "not an organization code: " + code);
    }
    return c;
}

/// The canonical code of a registered organization. Error: INVALID_ORG_CODE, NOT_FOUND.
Result<std::string> registered(Db& db, const std::string& code) {
    auto c = canonical(code, "code");
    if (!c) {
        return c.error();
    }
    auto st = sqlite::query(db, "SELECT 1 FROM organizations WHERE code = ?", *c);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return fail(errc::not_found, "code", "organization not registered: " + code);
    }
    return c;
}

const char* status_text(v1::OrgStatus s) { return s == v1::SUSPENDED ? "SUSPENDED" : "ACTIVE"; }
const char* route_text(v1::Route r) { return r == v1::NATIONAL ? "NATIONAL" : "LOCAL"; }

/// Inserts or updates one organization and its credentials. With `exact`, credentials the
/// entry does not list are removed (a full replace).
// Deletes the rows `select` lists (its first column, a key) that are not in `keep`, with
// `remove` taking that key. Keys are collected first: deleting while stepping over the same
// table is not allowed here.
template <class... Args>
Result<void> delete_unlisted(Db& db,
                             std::string_view select,
                             std::string_view remove,
                             const std::set<std::string>& keep,
                             const Args&... args) {
    std::vector<std::string> stale;
    auto st = sqlite::query(db, select, args...);
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& row) {
        std::string key = row.column_text(0);
        if (!keep.contains(key)) {
            stale.push_back(std::move(key));
        }
    }));
    for (const auto& key : stale) {
        LEDGER_TRY(sqlite::execute(db, remove, key));
    }
    return {};
}

// `from_file`: a registry file import (authoritative for what it lists, and for what it
// dropped) rather than an operator's change through the admin API.
Result<void> upsert_org(
    Db& db, const v1::OrgEntry& org, const std::string& code, bool exact, bool from_file) {
    // An operator's suspension outlives file imports; only an operator re-activates.
    LEDGER_TRY(sqlite::execute(
        db,
        "INSERT INTO organizations (code, given_code, name, parent, category, status, route, "
        "from_file, unsigned_edxml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO "
        "UPDATE SET given_code = excluded.given_code, name = excluded.name, "
        "parent = excluded.parent, unsigned_edxml = excluded.unsigned_edxml, "
        "category = excluded.category, route = excluded.route, "
        "from_file = max(organizations.from_file, excluded.from_file), "
        "status = CASE WHEN organizations.operator_suspended <> 0 THEN 'SUSPENDED' "
        "ELSE excluded.status END",
        code, org.code(), org.name(), org.parent(), org.category(), status_text(org.status()),
        route_text(org.route()), from_file, org.unsigned_edxml_allowed()));

    LEDGER_TRY(sqlite::execute(db, "DELETE FROM org_aliases WHERE code = ?", code));
    for (int i = 0; i < org.aliases_size(); ++i) {
        LEDGER_TRY(
            sqlite::execute(db, "INSERT INTO org_aliases (code, position, alias) VALUES (?, ?, ?)",
                            code, i, org.aliases(i)));
    }

    std::set<std::string> certs;
    for (const auto& sha : org.client_cert_sha256()) {
        certs.insert(lower(sha));
    }
    if (exact) {
        // Revoked, not deleted: a certificate the file dropped must not come back by being
        // registered again. Operators' additions are not the file's to withdraw.
        LEDGER_TRY(
            delete_unlisted(db, "SELECT sha256 FROM client_certs WHERE code = ? AND from_file <> 0",
                            "UPDATE client_certs SET revoked = 1 WHERE sha256 = ?", certs, code));
    }
    for (const auto& sha : certs) {
        // The file's owner wins; the revoked flag is kept.
        LEDGER_TRY(
            sqlite::execute(db,
                            "INSERT INTO client_certs (sha256, code, from_file) VALUES (?, ?, ?) "
                            "ON CONFLICT (sha256) DO UPDATE SET code = excluded.code",
                            sha, code, from_file));
    }

    if (exact) {
        LEDGER_TRY(
            sqlite::execute(db, "DELETE FROM signer_certs WHERE code = ? AND revoked = 0", code));
    }
    for (const auto& signer : org.signers()) {
        LEDGER_TRY(sqlite::execute(db,
                                   "INSERT INTO signer_certs (code, sha256, uid) VALUES (?, ?, ?) "
                                   "ON CONFLICT (code, sha256, uid) DO NOTHING",
                                   code, lower(signer.sha256()), signer.uid()));
    }
    return {};
}

// Replaces the systems `registry` lists (all of them when `replace`, the file being
// authoritative). A unit must name a registered organization, and a client certificate is
// either an organization's or a system's, never both: which identity it carries must not
// depend on the order of lookups.
Result<void> import_systems(Db& db, const v1::Registry& registry, bool replace) {
    if (replace) {
        LEDGER_TRY(sqlite::execute(db, "DELETE FROM systems"));
    }
    for (int i = 0; i < registry.systems_size(); ++i) {
        const auto& system = registry.systems(i);
        const std::string where = "systems[" + std::to_string(i) + "]";
        if (system.name().empty()) {
            return fail(errc::malformed, where + ".name", "a system needs a name");
        }
        LEDGER_TRY(sqlite::execute(db, "DELETE FROM systems WHERE name = ?", system.name()));
        LEDGER_TRY(sqlite::execute(db, "INSERT INTO systems (name) VALUES (?)", system.name()));
        for (const auto& sha : system.client_cert_sha256()) {
            LEDGER_TRY(
                sqlite::execute(db,
                                "INSERT INTO system_certs (sha256, system) VALUES (?, ?) "
                                "ON CONFLICT (sha256) DO UPDATE SET system = excluded.system",
                                lower(sha), system.name()));
        }
        for (int u = 0; u < system.units_size(); ++u) {
            const auto& unit = system.units(u);
            const std::string field = where + ".units[" + std::to_string(u) + "]";
            auto code = registered(db, unit.code());
            if (!code) {
                return fail(code.error().code, field + ".code", code.error().text());
            }
            if (unit.system_id().empty() || unit.secret_sha256().size() != 64) {
                return fail(errc::malformed, field,
                            "a unit needs a system_id and the 64-hex-digit SHA-256 of its secret");
            }
            LEDGER_TRY(sqlite::execute(db,
                                       "INSERT INTO system_units (system, system_id, code, "
                                       "secret_sha256) VALUES (?, ?, ?, ?)",
                                       system.name(), unit.system_id(), *code,
                                       lower(unit.secret_sha256())));
        }
    }
    auto clash = sqlite::query(db,
                               "SELECT s.sha256 FROM system_certs s JOIN client_certs c "
                               "ON c.sha256 = s.sha256 AND c.revoked = 0 LIMIT 1");
    if (!clash) {
        return clash.error();
    }
    auto row = (*clash)->step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        return fail(errc::duplicate_conflict, "systems",
                    "client certificate " + (*clash)->column_text(0) +
                        " is registered for an organization and for a system");
    }
    return {};
}

Result<void> load_systems(Db& db, v1::Registry& registry) {
    auto st = sqlite::query(db, "SELECT name FROM systems ORDER BY name");
    if (!st) {
        return st.error();
    }
    LEDGER_TRY(sqlite::for_each_row(
        **st, [&](Statement& row) { registry.add_systems()->set_name(row.column_text(0)); }));
    for (auto& system : *registry.mutable_systems()) {
        auto certs = sqlite::query(
            db, "SELECT sha256 FROM system_certs WHERE system = ? ORDER BY sha256", system.name());
        if (!certs) {
            return certs.error();
        }
        LEDGER_TRY(sqlite::for_each_row(
            **certs, [&](Statement& row) { system.add_client_cert_sha256(row.column_text(0)); }));
        auto units = sqlite::query(db,
                                   "SELECT system_id, code, secret_sha256 FROM system_units "
                                   "WHERE system = ? ORDER BY system_id",
                                   system.name());
        if (!units) {
            return units.error();
        }
        LEDGER_TRY(sqlite::for_each_row(**units, [&](Statement& row) {
            auto* unit = system.add_units();
            unit->set_system_id(row.column_text(0));
            unit->set_code(row.column_text(1));
            unit->set_secret_sha256(row.column_text(2));
        }));
    }
    return {};
}

}  // namespace

Result<void> import_registry(Db& db, const v1::Registry& registry, bool replace) {
    std::set<std::string> listed;
    for (int i = 0; i < registry.organizations_size(); ++i) {
        const auto& org = registry.organizations(i);
        auto code = canonical(org.code(), "organizations[" + std::to_string(i) + "].code");
        if (!code) {
            return code.error();
        }
        LEDGER_TRY(upsert_org(db, org, *code, replace, replace));
        listed.insert(*code);
    }
    LEDGER_TRY(import_systems(db, registry, replace));
    if (!replace) {
        return {};
    }
    // What the file dropped is withdrawn, not deleted: deliveries and statuses still name the
    // organization, and its certificates must stay refused.
    LEDGER_TRY(delete_unlisted(db, "SELECT code FROM organizations WHERE from_file <> 0",
                               "UPDATE organizations SET status = 'SUSPENDED' WHERE code = ?",
                               listed));
    LEDGER_TRY(delete_unlisted(db,
                               "SELECT c.sha256 FROM client_certs c JOIN organizations o "
                               "ON o.code = c.code WHERE o.from_file <> 0 AND c.from_file <> 0 "
                               "AND o.status = 'SUSPENDED' AND o.operator_suspended = 0",
                               "UPDATE client_certs SET revoked = 1 WHERE sha256 = ?", [&] {
                                   // Keep the certificates of listed organizations.
                                   std::set<std::string> keep;
                                   for (const auto& org : registry.organizations()) {
                                       for (const auto& sha : org.client_cert_sha256()) {
                                           keep.insert(lower(sha));
                                       }
                                   }
                                   return keep;
                               }()));
    return {};
}

Result<void> add_org(Db& db, const v1::OrgEntry& org) {
    auto code = canonical(org.code(), "code");
    if (!code) {
        return code.error();
    }
    auto st = sqlite::query(db, "SELECT 1 FROM organizations WHERE code = ?", *code);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        return fail(errc::duplicate_conflict, "code", "organization already registered: " + *code);
    }
    return upsert_org(db, org, *code, false, false);
}

Result<void> set_org_status(Db& db, const std::string& code, v1::OrgStatus status) {
    auto c = registered(db, code);
    if (!c) {
        return c.error();
    }
    return sqlite::execute(
        db, "UPDATE organizations SET status = ?, operator_suspended = ? WHERE code = ?",
        status_text(status), status == v1::SUSPENDED, *c);
}

Result<void> add_client_cert(Db& db, const std::string& code, const std::string& sha256) {
    auto c = registered(db, code);
    if (!c) {
        return c.error();
    }
    std::string sha = lower(sha256);
    auto st = sqlite::query(db, "SELECT code, revoked FROM client_certs WHERE sha256 = ?", sha);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        if ((*st)->column_int64(1) != 0) {
            return fail(errc::duplicate_conflict, "sha256", "certificate was revoked");
        }
        if ((*st)->column_text(0) != *c) {
            return fail(errc::duplicate_conflict, "sha256",
                        "certificate belongs to another organization");
        }
        return {};
    }
    return sqlite::execute(
        db, "INSERT INTO client_certs (sha256, code, from_file) VALUES (?, ?, 0)", sha, *c);
}

Result<bool> revoke_client_cert(Db& db, const std::string& sha256) {
    std::string sha = lower(sha256);
    auto st = sqlite::query(db, "SELECT revoked FROM client_certs WHERE sha256 = ?", sha);
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return fail(errc::not_found, "sha256", "certificate not registered");
    }
    bool was_active = (*st)->column_int64(0) == 0;
    LEDGER_TRY(sqlite::execute(db, "UPDATE client_certs SET revoked = 1 WHERE sha256 = ?", sha));
    return was_active;
}

Result<void> add_signer(Db& db, const std::string& code, const v1::SignerCert& signer) {
    auto c = registered(db, code);
    if (!c) {
        return c.error();
    }
    if (signer.sha256().empty() && signer.uid().empty()) {
        return fail(errc::malformed, "sha256", "a signer needs a fingerprint or a uid");
    }
    return sqlite::execute(db,
                           "INSERT INTO signer_certs (code, sha256, uid) VALUES (?, ?, ?) "
                           "ON CONFLICT (code, sha256, uid) DO NOTHING",
                           *c, lower(signer.sha256()), signer.uid());
}

Result<bool> revoke_signer(Db& db, const std::string& code, const v1::SignerCert& signer) {
    auto c = registered(db, code);
    if (!c) {
        return c.error();
    }
    std::string sha = lower(signer.sha256());
    // An empty criterion matches nothing, so {sha256 only} never revokes a uid entry.
    const char* where = "code = ?1 AND ((?2 <> '' AND sha256 = ?2) OR (?3 <> '' AND uid = ?3))";
    auto st = sqlite::query(db,
                            std::string("SELECT count(*), coalesce(sum(revoked = 0), 0) FROM "
                                        "signer_certs WHERE ") +
                                where,
                            *c, sha, signer.uid());
    if (!st) {
        return st.error();
    }
    auto row = (*st)->step();
    if (!row) {
        return row.error();
    }
    if ((!*row || (*st)->column_int64(0) == 0) && !sha.empty()) {
        // A certificate accepted through its subject UID has no row of its own; the
        // revocation must still be recorded, or it would change nothing.
        LEDGER_TRY(sqlite::execute(
            db, "INSERT INTO signer_certs (code, sha256, uid, revoked) VALUES (?, ?, '', 1)", *c,
            sha));
        return true;
    }
    if (!*row || (*st)->column_int64(0) == 0) {
        return fail(errc::not_found, "sha256", "signer not registered");
    }
    bool was_active = (*st)->column_int64(1) > 0;
    LEDGER_TRY(sqlite::execute(db,
                               std::string("UPDATE signer_certs SET revoked = 1 WHERE ") + where,
                               *c, sha, signer.uid()));
    return was_active;
}

Result<v1::Registry> load_registry(Db& db) {
    v1::Registry registry;
    std::vector<std::string> codes;
    {
        auto st = sqlite::query(db,
                                "SELECT code, given_code, name, parent, category, status, route, "
                                "unsigned_edxml FROM organizations ORDER BY code");
        if (!st) {
            return st.error();
        }
        LEDGER_TRY(sqlite::for_each_row(**st, [&](Statement& s) {
            v1::OrgEntry* org = registry.add_organizations();
            codes.push_back(s.column_text(0));
            org->set_code(s.column_text(1));
            org->set_name(s.column_text(2));
            org->set_parent(s.column_text(3));
            org->set_category(s.column_text(4));
            org->set_status(s.column_text(5) == "SUSPENDED" ? v1::SUSPENDED : v1::ACTIVE);
            org->set_route(s.column_text(6) == "NATIONAL" ? v1::NATIONAL : v1::LOCAL);
            org->set_unsigned_edxml_allowed(s.column_int64(7) != 0);
        }));
    }
    for (std::size_t i = 0; i < codes.size(); ++i) {
        v1::OrgEntry* org = registry.mutable_organizations(static_cast<int>(i));
        auto aliases = sqlite::query(
            db, "SELECT alias FROM org_aliases WHERE code = ? ORDER BY position", codes[i]);
        if (!aliases) {
            return aliases.error();
        }
        LEDGER_TRY(sqlite::for_each_row(
            **aliases, [&](Statement& row) { org->add_aliases(row.column_text(0)); }));
        auto certs = sqlite::query(
            db, "SELECT sha256 FROM client_certs WHERE code = ? AND revoked = 0 ORDER BY sha256",
            codes[i]);
        if (!certs) {
            return certs.error();
        }
        LEDGER_TRY(sqlite::for_each_row(
            **certs, [&](Statement& row) { org->add_client_cert_sha256(row.column_text(0)); }));
        // Revoked signers travel too: the registry's revocation must beat every other rule.
        auto signers = sqlite::query(
            db, "SELECT sha256, uid, revoked FROM signer_certs WHERE code = ? ORDER BY id",
            codes[i]);
        if (!signers) {
            return signers.error();
        }
        LEDGER_TRY(sqlite::for_each_row(**signers, [&](Statement& row) {
            v1::SignerCert* signer =
                row.column_int64(2) == 0 ? org->add_signers() : org->add_revoked_signers();
            signer->set_sha256(row.column_text(0));
            signer->set_uid(row.column_text(1));
        }));
    }
    LEDGER_TRY(load_systems(db, registry));
    return registry;
}

}  // namespace hub::ledger
