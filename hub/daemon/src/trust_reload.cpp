#include "trust_reload.h"

#include "hub/core/time.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "blocking.h"

namespace hub {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// What identifies the contents of the two directories well enough to notice an edit.
using Listing = std::vector<std::tuple<std::string, std::uintmax_t, std::int64_t>>;

void list_into(const std::string& dir, Listing& out) {
    if (dir.empty()) {
        return;
    }
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        out.emplace_back(dir + " (" + ec.message() + ")", 0, 0);
        return;
    }
    for (const fs::directory_entry& entry : it) {
        std::error_code size_ec;
        std::error_code time_ec;
        const auto size = entry.file_size(size_ec);
        const auto mtime = entry.last_write_time(time_ec);
        out.emplace_back(entry.path().string(), size_ec ? 0 : size,
                         time_ec ? 0 : static_cast<std::int64_t>(mtime.time_since_epoch().count()));
    }
}

Listing listing(const lienthong::v1::TrustConfig& config) {
    Listing out;
    list_into(config.anchors_dir(), out);
    list_into(config.crl_dir(), out);
    std::sort(out.begin(), out.end());
    return out;
}

// The result of one look at the directories, made on the blocking pool.
struct Check {
    Listing seen;
    std::optional<Result<std::shared_ptr<const crypto::TrustStore>>> loaded;
};

// Plain coroutine, not a lambda; its references are to parts the daemon owns.
asio::awaitable<void> reload_loop(asio::thread_pool& blocking,
                                  Snapshot<crypto::TrustStore>& trust,
                                  lienthong::v1::TrustConfig config,
                                  Logger& log) {
    // Empty until the first tick: the store App::create loaded was made before any listing,
    // so the first tick loads again once, silently, and records what that load saw.
    std::optional<Listing> loaded;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const std::chrono::milliseconds interval(config.reload_interval_ms());
    std::string last_error;
    for (;;) {
        timer.expires_after(interval);
        co_await timer.async_wait(asio::use_awaitable);
        auto look = [&config, &loaded] {
            Check check;
            check.seen = listing(config);
            if (check.seen != loaded) {  // nullopt differs from every listing
                check.loaded = load_trust_store(config);
            }
            return check;
        };
        Check check = co_await run_blocking(blocking, look);
        if (!check.loaded) {
            continue;
        }
        if (!*check.loaded) {
            const std::string error = check.loaded->error().text();
            if (error != last_error) {
                log.error("trust_reload_failed",
                          "error=" + log_value(error) + " kept=previous_trust_store");
                last_error = error;
            }
            continue;
        }
        const auto& store = **check.loaded;
        trust.set(store);
        const bool first = !loaded;
        loaded = std::move(check.seen);
        last_error.clear();
        if (first) {
            continue;
        }
        log.info("trust_reloaded",
                 "anchors=" + std::to_string(store->anchor_count()) +
                     " intermediates=" + std::to_string(store->intermediate_count()) +
                     " crls=" + std::to_string(store->crl_count()));
    }
}

}  // namespace

Result<std::shared_ptr<const crypto::TrustStore>> load_trust_store(
    const lienthong::v1::TrustConfig& config) {
    crypto::TrustStoreOptions options;
    options.allow_stale_crl = config.allow_stale_crl();
    // load_config has checked the date and filled the defaults; an unset config (a test's
    // own TrustConfig) keeps the policy's defaults.
    crypto::SignaturePolicyOptions policy;
    if (auto until = parse_deadline(config.sha1_allowed_until()); until) {
        policy.sha1_allowed_until = *until;
    }
    if (config.min_rsa_bits() != 0) {
        policy.min_rsa_bits = static_cast<int>(config.min_rsa_bits());
    }
    if (config.min_ecdsa_bits() != 0) {
        policy.min_ecdsa_bits = static_cast<int>(config.min_ecdsa_bits());
    }
    options.policy = crypto::SignaturePolicy(policy);
    return crypto::TrustStore::load(config.anchors_dir(), config.crl_dir(), options);
}

void start_trust_reload(asio::io_context& io,
                        asio::thread_pool& blocking,
                        Snapshot<crypto::TrustStore>& trust,
                        const lienthong::v1::TrustConfig& config,
                        Logger& log) {
    asio::co_spawn(io, reload_loop(blocking, trust, config, log), [&log](std::exception_ptr error) {
        if (!error) {
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            if (e.code() != asio::error::operation_aborted) {
                log.error("trust_reload_crashed", "error=" + log_value(e.what()));
            }
        } catch (const std::exception& e) {
            log.error("trust_reload_crashed", "error=" + log_value(e.what()));
        }
    });
}

}  // namespace hub
