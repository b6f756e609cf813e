// Backups and the audit chain against the real lienthongd and lienthongctl: a
// backup taken while envelopes are being posted restores to a ledger whose blobs and audit
// chain verify, and an older ledger checked against a later recorded head shows its cut tail.

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"
#include "process.h"

namespace fs = std::filesystem;
using hub::http::Client;

namespace {

it::CommandResult ctl(const it::Hub& hub, std::vector<std::string> args) {
    args.insert(args.begin(), it::ctl_path());
    return it::run_command(args, hub.dir());
}

// The last "event=audit_head seq=N hash=HEX" the daemon logged, as "N:HEX".
std::string last_logged_head(const it::Hub& hub) {
    static const std::regex kLine("event=audit_head seq=([0-9]+) hash=([0-9a-f]{64})");
    std::string found;
    const std::string log = hub.log();
    for (auto it = std::sregex_iterator(log.begin(), log.end(), kLine);
         it != std::sregex_iterator(); ++it) {
        found = (*it)[1].str() + ":" + (*it)[2].str();
    }
    return found;
}

}  // namespace

TEST_CASE(
    "backup: taken while envelopes are posted, it restores to a ledger whose blobs and "
    "audit chain verify",
    "[integration][ops][backup]") {
    // Attachments over one byte go to the blob store, so the backup must carry blobs.
    it::Hub hub(it::with_config({{"store", {{"inline_max_bytes", 1}}}}));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    std::vector<lienthong::v1::SignedEnvelope> envelopes;
    for (int i = 0; i < 40; ++i) {
        envelopes.push_back(it::make_envelope(hub, a, {b}));
    }
    std::atomic<int> posted{0};
    std::atomic<bool> failed{false};
    std::string failure;  // written by the poster before `failed`, read after the join
    std::thread poster([&] {
        try {
            Client sender(hub.agency(a));
            for (const auto& envelope : envelopes) {
                const auto answer = it::post(sender, envelope);
                if (answer.status != 202) {
                    failure = "HTTP " + std::to_string(answer.status) + " " + answer.body;
                    failed = true;
                    return;
                }
                ++posted;
            }
        } catch (const std::exception& e) {
            failure = e.what();
            failed = true;
        }
    });
    REQUIRE(it::eventually([&] { return posted >= 5 || failed; }));
    const int before = posted;
    const std::string archive = hub.dir() + "/backup.tar";
    const auto backup = ctl(hub, {"backup", "--env", hub.dir(), "--out", archive});
    const int after_backup = posted;
    poster.join();
    INFO("backup: " << backup.out << backup.err);
    INFO("post during the backup: " << failure);
    REQUIRE_FALSE(failed);
    REQUIRE(backup.exit_code == 0);
    CHECK(backup.err.find("progress ledger") != std::string::npos);  // not a terminal: lines
    CHECK(backup.err.find("progress blobs") != std::string::npos);

    const std::string restored = hub.dir() + "/restored";
    const auto restore = ctl(hub, {"restore", archive, "--to", restored});
    INFO("restore: " << restore.out << restore.err);
    REQUIRE(restore.exit_code == 0);
    REQUIRE(restore.out.rfind("OK ", 0) == 0);
    CHECK(restore.out.find("chain intact") != std::string::npos);
    const int in_backup = std::stoi(restore.out.substr(3));
    CHECK(in_backup >= before);
    // The poster counts an envelope when its 202 arrives, after the commit: the snapshot may
    // hold the one whose answer was still on its way.
    CHECK(in_backup <= after_backup + 1);
    CHECK(fs::is_regular_file(restored + "/ledger.db"));
    std::size_t blob_files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(restored + "/blobs")) {
        blob_files += entry.is_regular_file() ? 1 : 0;
    }
    CHECK(blob_files >= 1);  // every envelope's PDF is a blob; identical ones are stored once

    const auto verified = ctl(hub, {"audit", "verify", "--ledger", restored + "/ledger.db"});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    // Restoring into a directory that is not empty is refused.
    CHECK(ctl(hub, {"restore", archive, "--to", restored}).exit_code == 2);

    // An old copy checked against a head the hub recorded later is a cut-off log.
    {
        Client sender(hub.agency(a));
        it::post_accepted(sender, it::make_envelope(hub, a, {b}));  // the chain grows past it
    }
    hub.restart();  // logs the head at start-up, before it serves
    const std::string later = last_logged_head(hub);
    REQUIRE_FALSE(later.empty());
    const auto live =
        ctl(hub, {"audit", "verify", "--ledger", hub.dir() + "/data/ledger.db", "--head", later});
    INFO(live.out << live.err);
    CHECK(live.exit_code == 0);
    const auto cut =
        ctl(hub, {"audit", "verify", "--ledger", restored + "/ledger.db", "--head", later});
    INFO(cut.out << cut.err);
    CHECK(cut.exit_code == 1);
    CHECK(cut.out.find("cut after row") != std::string::npos);
    CHECK(ctl(hub, {"audit", "verify", "--head", later}).exit_code == 2);
}
