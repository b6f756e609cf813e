// the audit log is a hash chain; editing or deleting a row is detected.

#include <sqlite3.h>

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

void raw_exec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

void append_five(LedgerFixture& f) {
    for (int i = 1; i <= 5; ++i) {
        f.ok(f.ledger().append_audit({t0() + std::chrono::seconds(i), "H39.05", "envelope.accept",
                                      "e-" + std::to_string(i), "OK", "n=" + std::to_string(i)}));
    }
}

}  // namespace

TEST_CASE("R-22 audit: the chain verifies", "[store][audit]") {
    LedgerFixture f;
    CHECK(f.ok(f.ledger().verify_audit_chain()).ok);  // empty is fine
    append_five(f);
    auto v = f.ok(f.ledger().verify_audit_chain());
    CHECK(v.ok);
    CHECK(v.entries == 5);
    auto entries = f.ok(f.ledger().audit_entries(2, 10));
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].seq == 3);
    CHECK(entries[0].record.target == "e-3");
    CHECK(entries[0].prev_hash.size() == 64);
    CHECK(entries[1].prev_hash == entries[0].hash);
    REQUIRE(f.ledger()
                .append_audit_sync({t0(), "operator", "registry.revoke", "H39.05", "OK", ""})
                .has_value());
    CHECK(f.ledger().verify_audit_chain_sync()->entries == 6);
}

TEST_CASE("R-22 audit: a tampered row is detected", "[store][audit]") {
    LedgerFixture f;
    append_five(f);
    f.close();
    raw_exec(f.db_path(), "UPDATE audit_log SET outcome = 'SIGNATURE_INVALID' WHERE seq = 3");
    f.open();
    auto v = f.ok(f.ledger().verify_audit_chain());
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 3);
}

TEST_CASE("R-22 audit: a deleted row is detected", "[store][audit]") {
    LedgerFixture f;
    append_five(f);
    raw_exec(f.db_path(), "DELETE FROM audit_log WHERE seq = 2");
    auto v = f.ok(f.ledger().verify_audit_chain());
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 3);
}

TEST_CASE("R-22 audit: a row rewritten with a recomputed own hash still breaks the chain",
          "[store][audit]") {
    LedgerFixture f;
    append_five(f);
    // Rewriting row 2 wholesale (fields, prev_hash and a made-up hash) leaves row 3 pointing
    // at the old hash.
    raw_exec(f.db_path(), "UPDATE audit_log SET actor = 'G22', hash = '" + std::string(64, 'f') +
                              "' WHERE seq = 2");
    auto v = f.ok(f.ledger().verify_audit_chain());
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 2);
}
