#pragma once
// A ledger on a real SQLite file in a fresh temp directory, and builders for its inputs.

#include "fakes/run_sync.h"
#include "hub/core/logger.h"
#include "hub/store/sqlite_ledger.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace store_test {

using namespace std::chrono_literals;

inline hub::Instant t0() {
    return hub::Instant(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + 2h;
}

inline std::string make_temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/store-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
}

/// Removes the directory when the test ends.
struct TempDir {
    std::string path = make_temp_dir();
    TempDir() = default;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

class LedgerFixture {
public:
    LedgerFixture() { open(); }

    hub::SqliteLedger& ledger() { return *ledger_; }
    std::string db_path() const { return dir.path + "/ledger.db"; }

    void open() {
        hub::SqliteLedgerOptions options;
        options.path = db_path();
        auto l = hub::SqliteLedger::open(options, log);
        REQUIRE(l.has_value());
        ledger_ = std::move(*l);
    }
    void close() { ledger_.reset(); }
    /// Simulates a restart.
    void reopen() {
        close();
        open();
    }

    /// Acks delivery `delivery_id` as its recipient would (ack_item with an Arrival); the 01
    /// status recorded on the first ack is `status`, or a bare one. True the first time.
    bool arrive(const std::string& delivery_id,
                hub::Instant arrived,
                hub::Instant official,
                hub::Instant deadline,
                std::optional<hub::StatusRecord> status = {}) {
        auto delivery = ok(ledger().get_delivery(delivery_id));
        REQUIRE(delivery.has_value());
        hub::Arrival arrival{arrived, official, deadline, {}};
        if (status) {
            arrival.status = *status;
        } else {
            arrival.status.status_id = "s-arrival-" + delivery_id;
            arrival.status.from = delivery->recipient;
            arrival.status.to = "H39.05";
            arrival.status.code = "01";
            arrival.status.recorded_at = arrived;
        }
        return ok(ledger().ack_item(delivery->recipient, delivery_id, arrived, arrival,
                                    audit_record("inbox.ack", delivery_id)));
    }

    static hub::AuditRecord audit_record(const std::string& action, const std::string& target) {
        return hub::AuditRecord{t0(), "test", action, target, "OK", ""};
    }

    /// Runs a call to completion and requires success.
    template <class T>
    T ok(boost::asio::awaitable<hub::Result<T>> aw) {
        auto r = run_sync(io, std::move(aw));
        INFO((r.has_value() ? std::string() : r.error().text()));
        REQUIRE(r.has_value());
        if constexpr (!std::is_void_v<T>) {
            return std::move(*r);
        }
    }

    /// Runs a call to completion and returns its failure (requires one).
    template <class T>
    hub::Failure failure(boost::asio::awaitable<hub::Result<T>> aw) {
        auto r = run_sync(io, std::move(aw));
        REQUIRE_FALSE(r.has_value());
        return r.error();
    }

    TempDir dir;
    hub::Logger log{hub::LogLevel::warn};
    boost::asio::io_context io;

private:
    std::unique_ptr<hub::SqliteLedger> ledger_;
};

/// A new envelope from H39.05 to the given recipients; delivery ids derive from the id.
inline hub::NewEnvelope envelope(const std::string& envelope_id,
                                 std::vector<std::string> recipients = {"H39.07", "G22"},
                                 const std::string& digest = "digest-1") {
    hub::NewEnvelope e;
    e.from = "H39.05";
    e.from_given = "000.00.05.H39";
    e.envelope_id = envelope_id;
    e.document_id = "000.00.05.H39,2026/11/20,12/UBND-VP";
    e.header = std::string("header\0bytes of ", 16) + envelope_id;
    e.signature = "signature of " + envelope_id;
    e.header_sha256 = std::string(64, 'a');
    e.content_digest = digest;
    e.receipt = "receipt of " + envelope_id;
    e.accepted_at = t0();
    hub::AttachmentRecord main;
    main.content_id = "main";
    main.name = "cong-van.pdf";
    main.media_type = "application/pdf";
    main.size = 1234;
    main.sha256 = std::string(64, 'b');
    main.role = lienthong::v1::MAIN;
    e.attachments.push_back(main);
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        hub::NewDelivery d;
        d.delivery_id = "d-" + envelope_id + "-" + std::to_string(i);
        d.recipient = recipients[i];
        d.recipient_given = recipients[i];
        d.route = lienthong::v1::LOCAL;
        e.deliveries.push_back(d);
    }
    return e;
}

inline hub::StatusRecord status(const std::string& status_id,
                                const std::string& delivery_id,
                                const std::string& code) {
    hub::StatusRecord s;
    s.status_id = status_id;
    s.delivery_id = delivery_id;
    s.from = "H39.07";
    s.to = "H39.05";
    s.code = code;
    s.description = code == "02" ? "thiếu chữ ký" : "";
    s.reported_at = "2026-11-25T09:10:00.000+07:00";
    s.recorded_at = t0() + 10min;
    return s;
}

}  // namespace store_test
