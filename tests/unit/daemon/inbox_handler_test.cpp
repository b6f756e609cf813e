// The inbox handlers over in-memory stores and the embedded inbox: an answer carries small
// attachments inline and large ones by reference, and the first ack records the arrival and
// its 01 with its audit row, once.

#include "fakes/fake_stores.h"
#include "fakes/run_sync.h"
#include "hub/core/clock.h"
#include "hub/core/digest.h"
#include "hub/queue/ledger_inbox.h"
#include "lienthong/v1/api.pb.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <filesystem>

#include "endpoint_deps.h"
#include "endpoints.h"
#include "unit/daemon/agencies.h"

namespace v1 = lienthong::v1;
using namespace std::chrono_literals;
using boost::beast::http::verb;

namespace {

const std::string kSender = "H39.05";
const std::string kRecipient = "H39.07";
const std::string kOther = "H39.08";

struct TempDir {
    std::string path;
    TempDir() {
        std::string pattern = std::filesystem::temp_directory_path().string() + "/inbox-XXXXXX";
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

struct Fixture {
    TempDir dir;
    hub::ManualClock clock{hub::Instant(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) +
                           2h};
    hub::Logger log{hub::LogLevel::off};
    hub::Snapshot<hub::Registry> snapshot{daemon_test::registry_of({kSender, kRecipient, kOther})};
    hub::test::FakeAuditStore audits;
    hub::test::FakeEnvelopeStore envelopes;
    hub::test::FakeOutboxStore outbox;
    hub::LedgerInbox inbox{outbox, clock, 60s};
    hub::BlobStore blobs = hub::BlobStore::open(dir.path + "/blobs").value();
    hub::BusinessCalendar calendar = hub::BusinessCalendar::defaults();
    boost::asio::thread_pool blocking{1};
    hub::CallerContext context{clock, log, snapshot, audits};
    hub::InboxDeps deps{context, inbox,    envelopes, outbox,
                        blobs,   calendar, blocking,  hub::InboxOptions{1 << 20, 1000}};
    boost::asio::io_context io;
    const std::string small = "small appendix";

    Fixture() {
        outbox.envelopes = &envelopes;
        hub::EnvelopeRecord e;
        e.from = kSender;
        e.from_given = kSender;
        e.envelope_id = "e-1";
        e.document_id = "H39.05,2026/11/20,12/UBND-VP";
        e.header = "header";
        e.signature = "signature";
        e.accepted_at = clock.now();
        hub::AttachmentRecord big;
        big.content_id = "cid:main";
        big.size = 300 << 10;
        big.sha256 = std::string(64, 'c');
        hub::AttachmentRecord appendix;
        appendix.content_id = "cid:small";
        appendix.size = small.size();
        appendix.sha256 = hub::sha256_hex(small);
        appendix.inline_content = true;
        envelopes.inline_bytes[appendix.sha256] = small;
        e.attachments = {big, appendix};
        envelopes.add(e, {{"d-1", kRecipient, kRecipient, v1::LOCAL}});
        outbox.add("d-1", "envelope", 1, kRecipient);
    }
    ~Fixture() { blocking.join(); }
};

}  // namespace

TEST_CASE("R-11 handler: an inbox answer carries small attachments inline, large by reference",
          "[daemon][inbox]") {
    Fixture f;
    auto answer = run_sync(
        f.io, hub::get_inbox(f.deps, daemon_test::request(kRecipient, verb::get, "/v1/inbox")));
    REQUIRE(answer.status == 200);
    v1::InboxBatch batch;
    REQUIRE(google::protobuf::util::JsonStringToMessage(answer.body, &batch).ok());
    REQUIRE(batch.items_size() == 1);
    const auto& envelope = batch.items(0).envelope();
    REQUIRE(envelope.attachments_size() == 2);
    CHECK(envelope.attachments(0).content().empty());
    CHECK(envelope.attachments(0).download_path() == "/v1/attachments/d-1/cid%3Amain");
    CHECK(envelope.attachments(1).content() == f.small);
    CHECK(batch.items(0).attempt() == 1);
    // Offered, so hidden until the visibility timeout.
    auto again = run_sync(
        f.io, hub::get_inbox(f.deps, daemon_test::request(kRecipient, verb::get, "/v1/inbox")));
    CHECK(again.body.find("d-1") == std::string::npos);
    // Another agency's inbox is empty and its attachments are not there to download.
    auto others = run_sync(
        f.io, hub::get_attachment(
                  f.deps, daemon_test::request(kOther, verb::get, "/v1/attachments/d-1/cid:main"),
                  "d-1", "cid:main"));
    CHECK(others.status == 404);
}

TEST_CASE("R-16 handler: the first ack records the arrival and its 01 with its audit row, once",
          "[daemon][inbox]") {
    Fixture f;
    auto acked = run_sync(
        f.io,
        hub::ack_inbox(f.deps, daemon_test::request(kRecipient, verb::post, "/v1/inbox/d-1/ack"),
                       "d-1"));
    CHECK(acked.status == 204);
    REQUIRE(f.envelopes.deliveries[0].arrived_at.has_value());
    CHECK(*f.envelopes.deliveries[0].arrived_at == f.clock.now());
    REQUIRE(f.envelopes.statuses.size() == 1);
    CHECK(f.envelopes.statuses[0].code == "01");
    CHECK(f.envelopes.statuses[0].to == kSender);
    CHECK_FALSE(f.envelopes.statuses[0].notice.empty());
    REQUIRE(f.outbox.audit.size() == 1);
    CHECK(f.outbox.audit[0].action == "inbox.ack");

    auto twice = run_sync(
        f.io,
        hub::ack_inbox(f.deps, daemon_test::request(kRecipient, verb::post, "/v1/inbox/d-1/ack"),
                       "d-1"));
    CHECK(twice.status == 204);
    CHECK(f.envelopes.statuses.size() == 1);
    CHECK(f.outbox.audit.size() == 1);

    auto others = run_sync(
        f.io, hub::ack_inbox(f.deps, daemon_test::request(kOther, verb::post, "/v1/inbox/d-1/ack"),
                             "d-1"));
    CHECK(others.status == 404);
    auto unknown = run_sync(
        f.io,
        hub::ack_inbox(f.deps, daemon_test::request(kRecipient, verb::post, "/v1/inbox/s-9/ack"),
                       "s-9"));
    CHECK(unknown.status == 404);
}

TEST_CASE("R-16 handler: a list of acks is all or none, and counts an id once", "[daemon][inbox]") {
    Fixture f;
    hub::EnvelopeRecord other;
    other.from = kSender;
    other.from_given = kSender;
    other.envelope_id = "e-2";
    other.document_id = "H39.05,2026/11/20,13/UBND-VP";
    other.accepted_at = f.clock.now();
    const auto seq = f.envelopes.add(other, {{"d-2", kOther, kOther, v1::LOCAL}});
    f.outbox.add("d-2", "envelope", seq, kOther);
    auto ack_list = [&f](const std::string& as, const std::string& body) {
        return run_sync(f.io,
                        hub::ack_inbox_batch(
                            f.deps, daemon_test::request(as, verb::post, "/v1/inbox/ack", body)));
    };

    // d-2 is another agency's: nothing is acked.
    CHECK(ack_list(kRecipient, R"({"deliveryIds":["d-1","d-2"]})").status == 404);
    CHECK_FALSE(f.envelopes.deliveries[0].arrived_at.has_value());
    CHECK(f.envelopes.statuses.empty());
    CHECK(f.outbox.audit.empty());

    CHECK(ack_list(kRecipient, R"({"deliveryIds":["d-1","d-1"]})").status == 204);
    CHECK(f.envelopes.deliveries[0].arrived_at.has_value());
    CHECK(f.envelopes.statuses.size() == 1);
    CHECK(f.outbox.audit.size() == 1);
    CHECK(ack_list(kRecipient, R"({"deliveryIds":["d-1"]})").status == 204);
    CHECK(f.envelopes.statuses.size() == 1);

    CHECK(ack_list(kRecipient, R"({"deliveryIds":[]})").status == 400);
}
