// the audit log is a hash chain; editing or deleting a row is detected.

#include "hub/store/audit_file.h"

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

TEST_CASE("maintenance: the state is kept across a reopen, with its audit row",
          "[store][maintenance]") {
    LedgerFixture f;
    CHECK_FALSE(f.ok(f.ledger().maintenance()).on);
    hub::MaintenanceState state{true, "Bảo trì", 120, t0(), "operator:abcd"};
    f.ok(f.ledger().set_maintenance(
        state, {t0(), "operator:abcd", "maintenance.set", "hub", "OK", "on=1"}));
    f.close();
    f.open();
    const auto read = f.ledger().maintenance_sync();
    REQUIRE(read.has_value());
    CHECK(read->on);
    CHECK(read->notice == "Bảo trì");
    CHECK(read->retry_after_s == 120);
    CHECK(read->changed_at == t0());
    CHECK(read->changed_by == "operator:abcd");
    const auto entries = f.ok(f.ledger().audit_entries(0, 10));
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].record.action == "maintenance.set");
    state.on = false;
    f.ok(f.ledger().set_maintenance(
        state, {t0(), "operator:abcd", "maintenance.set", "hub", "OK", "on=0"}));
    CHECK_FALSE(f.ok(f.ledger().maintenance()).on);
    CHECK(f.ok(f.ledger().verify_audit_chain()).entries == 2);
}

namespace {

// Five rows, closed, and the head as the hub would have logged it.
hub::AuditHead five_rows(LedgerFixture& f) {
    append_five(f);
    auto head = f.ok(f.ledger().audit_head());
    f.close();
    return head;
}

hub::AuditVerification offline(LedgerFixture& f, hub::AuditCheck check = {}) {
    auto v = hub::verify_audit_file(f.db_path(), check);
    INFO((v ? std::string() : v.error().text()));
    REQUIRE(v.has_value());
    return *v;
}

}  // namespace

TEST_CASE("R-22 audit file: an intact chain verifies offline against its recorded head",
          "[store][audit]") {
    LedgerFixture f;
    const auto head = five_rows(f);
    CHECK(head.seq == 5);
    auto v = offline(f, {1, head});
    CHECK(v.ok);
    CHECK(v.entries == 5);
    CHECK(v.last.seq == 5);
    CHECK(v.last.hash == head.hash);
    CHECK(hub::parse_audit_head(hub::format_audit_head(head))->hash == head.hash);
    CHECK_FALSE(hub::parse_audit_head("5:xyz"));
    CHECK_FALSE(hub::parse_audit_head(head.hash));
    // From a later row on, trusting its link.
    v = offline(f, {3, std::nullopt});
    CHECK(v.ok);
    CHECK(v.entries == 3);
}

TEST_CASE("R-22 audit file: a changed row is named", "[store][audit]") {
    LedgerFixture f;
    five_rows(f);
    raw_exec(f.db_path(), "UPDATE audit_log SET detail = 'n=99' WHERE seq = 4");
    auto v = offline(f);
    CHECK_FALSE(v.ok);
    CHECK(v.kind == hub::AuditBreak::changed);
    CHECK(v.culprit_seq == 4);
}

TEST_CASE("R-22 audit file: a row changed with its hash recomputed is named", "[store][audit]") {
    LedgerFixture f;
    five_rows(f);
    // Recompute row 2's own hash after the edit, as a forger who knows the scheme would.
    auto entries = [&] {
        f.open();
        auto e = f.ok(f.ledger().audit_entries(0, 10));
        f.close();
        return e;
    }();
    auto forged = entries[1];
    forged.record.actor = "G22";
    LedgerFixture other;  // computes the hash the same way, in another file
    other.ok(other.ledger().append_audit(entries[0].record));
    other.ok(other.ledger().append_audit(forged.record));
    const auto forged_hash = other.ok(other.ledger().audit_entries(1, 1))[0].hash;
    raw_exec(f.db_path(),
             "UPDATE audit_log SET actor = 'G22', hash = '" + forged_hash + "' WHERE seq = 2");
    auto v = offline(f);
    CHECK_FALSE(v.ok);
    CHECK(v.kind == hub::AuditBreak::changed);
    CHECK(v.culprit_seq == 2);
    CHECK(v.first_bad_seq == 3);
}

TEST_CASE("R-22 audit file: a deleted row is named", "[store][audit]") {
    LedgerFixture f;
    five_rows(f);
    SECTION("with a gap in the numbers") {
        raw_exec(f.db_path(), "DELETE FROM audit_log WHERE seq = 3");
    }
    SECTION("with the later rows renumbered") {
        raw_exec(f.db_path(),
                 "DELETE FROM audit_log WHERE seq = 3; "
                 "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3");
    }
    auto v = offline(f);
    CHECK_FALSE(v.ok);
    CHECK(v.kind == hub::AuditBreak::deleted);
    CHECK(v.culprit_seq == 3);
}

TEST_CASE("R-22 audit file: an inserted row is named", "[store][audit]") {
    LedgerFixture f;
    five_rows(f);
    f.open();
    const auto entries = f.ok(f.ledger().audit_entries(0, 10));
    f.close();
    // A forger builds a self-consistent row 3 (same scheme, in another file whose first two
    // rows are the same) and renumbers the rows after it.
    LedgerFixture other;
    other.ok(other.ledger().append_audit(entries[0].record));
    other.ok(other.ledger().append_audit(entries[1].record));
    hub::AuditRecord forged = entries[2].record;
    forged.actor = "forger";
    other.ok(other.ledger().append_audit(forged));
    const auto row3 = other.ok(other.ledger().audit_entries(2, 1)).at(0);
    REQUIRE(row3.prev_hash == entries[1].hash);
    raw_exec(f.db_path(),
             "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3; "
             "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103; "
             "INSERT INTO audit_log (seq, at, actor, action, target, outcome, detail, prev_hash, "
             "hash) SELECT 3, at, 'forger', action, target, outcome, detail, '" +
                 row3.prev_hash + "', '" + row3.hash + "' FROM audit_log WHERE seq = 4");
    auto v = offline(f);
    CHECK_FALSE(v.ok);
    CHECK(v.kind == hub::AuditBreak::inserted);
    CHECK(v.culprit_seq == 3);
}

TEST_CASE("R-22 audit file: a cut-off tail is found only with the recorded head",
          "[store][audit]") {
    LedgerFixture f;
    const auto head = five_rows(f);
    raw_exec(f.db_path(), "DELETE FROM audit_log WHERE seq >= 4");
    CHECK(offline(f).ok);  // the chain alone cannot tell
    auto v = offline(f, {1, head});
    CHECK_FALSE(v.ok);
    CHECK(v.kind == hub::AuditBreak::cut);
    CHECK(v.culprit_seq == 4);
    CHECK(v.explanation.find("cut after row 3") != std::string::npos);
}
