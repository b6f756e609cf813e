// Inline attachments: small attachments stored in the ledger, inside the envelope's own
// group-commit transaction, instead of in the BlobStore.

#include "hub/core/digest.h"
#include "hub/store/sqlite_db.h"

#include <boost/asio/co_spawn.hpp>

#include "unit/store/store_fixture.h"

using namespace store_test;
using hub::AcceptResult;
namespace asio = boost::asio;

namespace {

/// `size` bytes cycling through every byte value from `seed`, so NULs and high bytes occur.
std::string binary(std::size_t size, unsigned char seed) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<char>(static_cast<unsigned char>(seed + i * 7));
    }
    return out;
}

hub::AttachmentRecord inline_attachment(const std::string& content_id, std::string bytes) {
    hub::AttachmentRecord a;
    a.content_id = content_id;
    a.name = content_id + ".pdf";
    a.media_type = "application/pdf";
    a.size = bytes.size();
    a.role = lienthong::v1::APPENDIX;
    a.content = std::move(bytes);
    a.inline_content = true;  // sha256 left empty: the ledger fills it in
    return a;
}

/// An envelope whose only attachment is inline.
hub::NewEnvelope with_inline(const std::string& envelope_id, std::string bytes) {
    auto e = envelope(envelope_id);
    e.attachments.clear();
    auto a = inline_attachment("main", std::move(bytes));
    a.role = lienthong::v1::MAIN;
    e.attachments.push_back(std::move(a));
    return e;
}

/// One number from the ledger file, read on a connection of its own (WAL lets it read
/// while the ledger is open).
std::int64_t count(const LedgerFixture& f, const std::string& sql) {
    auto db = hub::sqlite::Db::open(f.db_path(), hub::sqlite::OpenMode::read_only, 5s);
    REQUIRE(db.has_value());
    auto st = db->prepare(sql);
    REQUIRE(st.has_value());
    auto row = st->step();
    REQUIRE(row.has_value());
    REQUIRE(*row);
    return st->column_int64(0);
}

std::int64_t stored_contents(const LedgerFixture& f) {
    return count(f, "SELECT count(*) FROM attachment_content");
}

}  // namespace

TEST_CASE("ledger: inline attachments read back byte-exact from every lookup",
          "[store][ledger][inline]") {
    LedgerFixture f;
    const std::string bytes = binary(16 * 1024, 0);
    REQUIRE(bytes.find('\0') != std::string::npos);
    auto r = f.ok(f.ledger().accept_envelope(with_inline("e-1", bytes)));
    REQUIRE(r.outcome == AcceptResult::created);

    auto check = [&](const std::optional<hub::EnvelopeRecord>& e) {
        REQUIRE(e.has_value());
        REQUIRE(e->attachments.size() == 1);
        const auto& a = e->attachments[0];
        CHECK(a.inline_content);
        CHECK(a.content.size() == bytes.size());
        CHECK(a.content == bytes);
        CHECK(a.sha256 == hub::sha256_hex(bytes));  // filled in by the ledger
        CHECK(a.size == bytes.size());
        CHECK(a.role == lienthong::v1::MAIN);
    };
    check(f.ok(f.ledger().load_envelope(r.envelope_seq)));
    check(f.ok(f.ledger().find_envelope("H39.05", "e-1")));
    check(f.ok(f.ledger().find_envelope_for("H39.05", "e-1")));
}

TEST_CASE("ledger: inline and BlobStore attachments mix in one envelope",
          "[store][ledger][inline]") {
    LedgerFixture f;
    auto n = envelope("e-1");  // attachment 0: in the BlobStore
    const std::string small = binary(300, 9);
    auto appendix = inline_attachment("app-1", small);
    appendix.sha256 = hub::sha256_hex(small);  // a correct digest given by the caller is kept
    n.attachments.push_back(appendix);
    n.attachments.push_back(inline_attachment("empty", ""));  // zero bytes is still content
    hub::AttachmentRecord blob = n.attachments[0];
    blob.content_id = "app-2";
    blob.sha256 = std::string(64, 'd');
    blob.content = "ignored: not inline";
    n.attachments.push_back(blob);
    auto r = f.ok(f.ledger().accept_envelope(n));

    auto e = f.ok(f.ledger().load_envelope(r.envelope_seq));
    REQUIRE(e.has_value());
    REQUIRE(e->attachments.size() == 4);
    CHECK(e->attachments[0].content_id == "main");
    CHECK_FALSE(e->attachments[0].inline_content);
    CHECK(e->attachments[0].content.empty());
    CHECK(e->attachments[0].sha256 == std::string(64, 'b'));
    CHECK(e->attachments[1].content_id == "app-1");
    CHECK(e->attachments[1].inline_content);
    CHECK(e->attachments[1].content == small);
    CHECK(e->attachments[2].content_id == "empty");
    CHECK(e->attachments[2].inline_content);
    CHECK(e->attachments[2].content.empty());
    CHECK(e->attachments[2].sha256 == hub::sha256_hex(""));
    CHECK(e->attachments[3].content_id == "app-2");
    CHECK_FALSE(e->attachments[3].inline_content);
    CHECK(e->attachments[3].content.empty());
    CHECK(stored_contents(f) == 2);  // only the inline ones
}

TEST_CASE("ledger: identical inline content is stored once across envelopes",
          "[store][ledger][inline]") {
    LedgerFixture f;
    const std::string form = binary(4096, 1);
    const std::string other = binary(4096, 2);
    auto first = with_inline("e-1", form);
    first.attachments.push_back(inline_attachment("copy", form));  // twice in one envelope
    f.ok(f.ledger().accept_envelope(first));
    auto second = with_inline("e-2", form);
    for (auto& d : second.deliveries) {
        d.delivery_id += "-2";
    }
    f.ok(f.ledger().accept_envelope(second));
    auto third = with_inline("e-3", other);
    for (auto& d : third.deliveries) {
        d.delivery_id += "-3";
    }
    f.ok(f.ledger().accept_envelope(third));

    CHECK(stored_contents(f) == 2);
    CHECK(count(f, "SELECT count(*) FROM attachments WHERE in_ledger <> 0") == 4);
    auto e1 = f.ok(f.ledger().find_envelope("H39.05", "e-1"));
    REQUIRE(e1.has_value());
    REQUIRE(e1->attachments.size() == 2);
    CHECK(e1->attachments[0].content == form);
    CHECK(e1->attachments[1].content == form);
    auto e2 = f.ok(f.ledger().find_envelope("H39.05", "e-2"));
    REQUIRE(e2.has_value());
    CHECK(e2->attachments.at(0).content == form);
    auto e3 = f.ok(f.ledger().find_envelope("H39.05", "e-3"));
    REQUIRE(e3.has_value());
    CHECK(e3->attachments.at(0).content == other);
}

TEST_CASE("ledger: inline attachments survive a reopen", "[store][ledger][inline]") {
    LedgerFixture f;
    const std::string bytes = binary(16 * 1024, 3);
    auto r = f.ok(f.ledger().accept_envelope(with_inline("e-1", bytes)));
    f.reopen();
    auto e = f.ok(f.ledger().load_envelope(r.envelope_seq));
    REQUIRE(e.has_value());
    REQUIRE(e->attachments.size() == 1);
    CHECK(e->attachments[0].inline_content);
    CHECK(e->attachments[0].content == bytes);
}

TEST_CASE("ledger: a duplicate envelope with inline content stores nothing again",
          "[store][ledger][inline]") {
    LedgerFixture f;
    const std::string bytes = binary(16 * 1024, 4);
    auto first = f.ok(f.ledger().accept_envelope(with_inline("e-1", bytes)));
    auto same = f.ok(f.ledger().accept_envelope(with_inline("e-1", bytes)));
    CHECK(same.outcome == AcceptResult::duplicate_same);
    CHECK(same.envelope_seq == first.envelope_seq);
    // Other bytes under the same id: a conflict, and its bytes are not kept either.
    auto conflict = with_inline("e-1", binary(100, 5));
    conflict.content_digest = "digest-2";
    CHECK(f.ok(f.ledger().accept_envelope(conflict)).outcome == AcceptResult::duplicate_conflict);

    CHECK(stored_contents(f) == 1);
    CHECK(count(f, "SELECT count(*) FROM attachments") == 1);
    CHECK(count(f, "SELECT sum(length(bytes)) FROM attachment_content") == 16 * 1024);
}

TEST_CASE("ledger: inline content that does not match its sha256 is refused",
          "[store][ledger][inline]") {
    LedgerFixture f;
    auto n = with_inline("e-1", binary(1000, 6));
    n.attachments[0].sha256 = hub::sha256_hex("something else");
    auto failure = f.failure(f.ledger().accept_envelope(n));
    CHECK(failure.code == hub::errc::attachment_digest);
    CHECK(failure.field == "attachments[0]");
    CHECK_FALSE(f.ok(f.ledger().find_envelope("H39.05", "e-1")).has_value());
    CHECK(stored_contents(f) == 0);
}

namespace {

void rethrow(std::exception_ptr e) {
    if (e) {
        std::rethrow_exception(e);
    }
}

asio::awaitable<void> accept(hub::Ledger& ledger,
                             hub::NewEnvelope e,
                             hub::Result<AcceptResult>& out) {
    out = co_await ledger.accept_envelope(std::move(e));
}

}  // namespace

TEST_CASE("group commit: 200 concurrent accepts with 16 KiB inline attachments share commits",
          "[store][group_commit][inline]") {
    LedgerFixture f;
    constexpr int kCalls = 200;
    auto before = f.ledger().commits();
    std::vector<hub::Result<AcceptResult>> results(kCalls);
    for (int i = 0; i < kCalls; ++i) {
        asio::co_spawn(f.io,
                       accept(f.ledger(),
                              with_inline("e-" + std::to_string(i),
                                          binary(16 * 1024, static_cast<unsigned char>(i))),
                              results[i]),
                       rethrow);
    }
    f.io.run();

    auto commits = f.ledger().commits() - before;
    INFO("commits=" << commits);
    CHECK(commits < kCalls / 4);
    for (int i = 0; i < kCalls; ++i) {
        REQUIRE(results[i].has_value());
        CHECK(results[i]->outcome == AcceptResult::created);
    }
    // Seeds repeat every 256 calls only, so every call brought distinct bytes.
    CHECK(stored_contents(f) == kCalls);
    auto e = f.ok(f.ledger().load_envelope(results[123]->envelope_seq));
    REQUIRE(e.has_value());
    CHECK(e->attachments.at(0).content == binary(16 * 1024, 123));
}
