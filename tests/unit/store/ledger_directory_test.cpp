// The national directory cache: replaced whole with its audit row, kept across a restart.

#include "unit/store/store_fixture.h"

using namespace store_test;

TEST_CASE("directory: a sync replaces the whole cache, audited, and survives a restart",
          "[store][directory]") {
    LedgerFixture f;
    auto empty = f.ok(f.ledger().load_directory());
    CHECK(empty.entries.empty());
    CHECK_FALSE(empty.synced_at.has_value());
    const auto audits = f.ok(f.ledger().audit_entries(0, 1000)).size();

    std::vector<hub::DirectoryEntry> first{{"H41", "000.00.00.H41", "UBND tỉnh Nghệ An", "2"},
                                           {"G09", "000.00.00.G09", "Bộ Tài chính", "7"}};
    f.ok(f.ledger().replace_directory(first, t0(), f.audit_record("national.directory_sync", "")));
    f.reopen();
    auto loaded = f.ok(f.ledger().load_directory());
    REQUIRE(loaded.entries.size() == 2);
    CHECK(loaded.entries[0].code == "G09");  // by code
    CHECK(loaded.entries[0].name == "Bộ Tài chính");
    CHECK(loaded.entries[1].code102 == "000.00.00.H41");
    CHECK(loaded.entries[1].axis_id == "2");
    REQUIRE(loaded.synced_at.has_value());
    CHECK(*loaded.synced_at == t0());
    CHECK(f.ok(f.ledger().audit_entries(0, 1000)).size() == audits + 1);

    // A code the axis no longer lists is gone; one listed twice is kept once.
    std::vector<hub::DirectoryEntry> second{{"H41", "000.00.00.H41", "UBND tỉnh Nghệ An", "2"},
                                            {"H41", "", "again", "3"}};
    f.ok(f.ledger().replace_directory(second, t0() + 1h,
                                      f.audit_record("national.directory_sync", "")));
    loaded = f.ok(f.ledger().load_directory());
    REQUIRE(loaded.entries.size() == 1);
    CHECK(loaded.entries[0].code == "H41");
    CHECK(loaded.entries[0].axis_id == "2");
    CHECK(*loaded.synced_at == t0() + 1h);
}
