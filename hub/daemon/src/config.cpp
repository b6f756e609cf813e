#include "hub/daemon/config.h"

#include "hub/core/logger.h"
#include "hub/core/org_code.h"
#include "hub/core/time.h"
#include "hub/queue/amqp_queue.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hub {
namespace fs = std::filesystem;

namespace {

void resolve(std::string* path, const fs::path& base) {
    if (!path->empty() && fs::path(*path).is_relative()) {
        *path = (base / *path).lexically_normal().string();
    }
}

Failure bad(const std::string& key, const std::string& why) {
    return fail(errc::malformed, key, "config: " + key + ": " + why);
}

template <class T>
void default_to(T& value, T fallback) {
    if (value == T{}) {
        value = fallback;
    }
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Who is an operator must be named by the config: an agency's certificate must never open
// /admin just because it chains to the agencies' CA. An operator CA that is the client CA
// (same file or same contents) names nobody, so it is cleared: the operator listener then
// verifies with client_ca and only the listed fingerprints are operators.
Result<void> check_operators(lienthong::v1::TlsConfig& tls, const fs::path& base) {
    for (const auto& sha : tls.operator_cert_sha256()) {
        const bool hex = sha.size() == 64 && std::all_of(sha.begin(), sha.end(), [](char ch) {
                             return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
                         });
        if (!hex) {
            return bad("tls.operator_cert_sha256",
                       "'" + sha + "' is not a SHA-256 fingerprint (64 hex digits)");
        }
    }
    resolve(tls.mutable_operator_ca(), base);
    if (!tls.operator_ca().empty()) {
        std::error_code ec;
        const std::string text = file_text(tls.operator_ca());
        if (text.empty()) {
            return bad("tls.operator_ca", "cannot read " + tls.operator_ca());
        }
        if (fs::equivalent(tls.operator_ca(), tls.client_ca(), ec) ||
            text == file_text(tls.client_ca())) {
            tls.clear_operator_ca();
        }
    }
    if (tls.operator_cert_sha256().empty() && tls.operator_ca().empty()) {
        return bad("tls.operator_cert_sha256",
                   "no operator configured: list the operators' certificate fingerprints, or "
                   "set tls.operator_ca to a CA distinct from tls.client_ca");
    }
    return {};
}

// The RabbitMQ transport's keys; with the embedded queue they are ignored but still checked
// when set, so a typo does not wait for the day the transport is switched.
// The façade shares the agency listener: its prefix must not shadow the hub's own paths.
Result<void> check_provincial_api(lienthong::v1::ProvincialApiConfig& api) {
    const std::string& prefix = api.path_prefix();
    if (!prefix.empty()) {
        const bool plain = std::all_of(prefix.begin() + 1, prefix.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '_' || c == '/';
        });
        if (prefix.front() != '/' || prefix.back() == '/' || !plain ||
            prefix.find("//") != std::string::npos) {
            return bad(
                "provincial_api.path_prefix",
                "a path like /lgsp: a leading '/', letters, digits, '-', '_', no trailing '/'");
        }
        if (prefix == "/v1" || prefix.starts_with("/v1/")) {
            return bad("provincial_api.path_prefix", "/v1 is the hub's own API");
        }
    }
    if (api.token_ttl_s() == 0) {
        api.set_token_ttl_s(3600);
    }
    if (api.token_ttl_s() > 86400) {
        return bad("provincial_api.token_ttl_s", "at most 86400");
    }
    return {};
}

Result<void> check_queue(lienthong::v1::QueueConfig& queue, const fs::path& base) {
    const bool amqp = queue.kind() == "amqp";
    if (amqp && queue.amqp_url().empty()) {
        return bad("queue.amqp_url", "required when queue.kind is amqp");
    }
    if (!queue.amqp_url().empty()) {
        if (auto url = check_amqp_url(queue.amqp_url()); !url) {
            // The URL may carry a password: name the fault, not the value.
            return bad("queue.amqp_url", "not an amqp:// or amqps:// URL");
        }
    }
    resolve(queue.mutable_amqp_credentials_file(), base);
    if (!queue.amqp_credentials_file().empty()) {
        const std::string text = file_text(queue.amqp_credentials_file());
        const auto colon = text.find(':');
        if (text.empty() || colon == 0 || colon == std::string::npos) {
            return bad("queue.amqp_credentials_file",
                       "cannot read user:password from " + queue.amqp_credentials_file());
        }
    }
    auto* tls = queue.mutable_amqp_tls();
    for (auto [key, path] : {std::pair{"queue.amqp_tls.ca", tls->mutable_ca()},
                             std::pair{"queue.amqp_tls.cert", tls->mutable_cert()},
                             std::pair{"queue.amqp_tls.key", tls->mutable_key()}}) {
        resolve(path, base);
        if (!path->empty() && file_text(*path).empty()) {
            return bad(key, "cannot read " + *path);
        }
    }
    if (tls->cert().empty() != tls->key().empty()) {
        return bad("queue.amqp_tls", "cert and key go together");
    }
    if (queue.amqp_prefetch() == 0) {
        queue.set_amqp_prefetch(100);
    }
    if (queue.amqp_prefetch() > 65535) {
        return bad("queue.amqp_prefetch", "at most 65535");
    }
    if (queue.amqp_confirm_window() == 0) {
        queue.set_amqp_confirm_window(256);
    }
    if (queue.amqp_confirm_window() > 65535) {
        return bad("queue.amqp_confirm_window", "at most 65535");
    }
    if (queue.delivery_limit() == 0) {
        queue.set_delivery_limit(10);
    }
    if (queue.delivery_limit() > 1000) {
        return bad("queue.delivery_limit", "at most 1000");
    }
    if (queue.outbox_max() == 0) {
        queue.set_outbox_max(100'000);
    }
    return {};
}

// The national adapter (issue 8): defaults for what may be left out, and a refusal for what
// would make the relay or the poller misbehave (a zero interval spins, a retry cap below its
// base never grows). The secret is read at start-up, not here: the config check never holds it.
Result<void> check_national(lienthong::v1::NationalConfig& n, const fs::path& base) {
    if (n.timeout_ms() == 0) {
        n.set_timeout_ms(30'000);
    }
    if (n.poll_interval_ms() == 0) {
        n.set_poll_interval_ms(60'000);
    }
    if (n.delivery_limit() == 0) {
        n.set_delivery_limit(20);
    }
    if (n.retry_base_ms() == 0) {
        n.set_retry_base_ms(1'000);
    }
    if (n.retry_max_ms() == 0) {
        n.set_retry_max_ms(std::max<std::uint32_t>(300'000, n.retry_base_ms()));
    }
    if (n.breaker_failures() == 0) {
        n.set_breaker_failures(5);
    }
    if (n.breaker_cooldown_ms() == 0) {
        n.set_breaker_cooldown_ms(10'000);
    }
    if (n.directory_sync_s() == 0) {
        n.set_directory_sync_s(86'400);
    }
    resolve(n.mutable_secret_file(), base);
    resolve(n.mutable_ca_file(), base);
    resolve(n.mutable_signing_key_file(), base);
    resolve(n.mutable_signing_cert_file(), base);
    if (!n.enabled()) {
        return {};
    }
    const std::string& endpoint = n.endpoint();
    if (endpoint.empty()) {
        return bad("national.endpoint", "required when national.enabled");
    }
    if (!endpoint.starts_with("https://") && !endpoint.starts_with("http://")) {
        return bad("national.endpoint", "'" + endpoint + "' is not an http(s):// URL");
    }
    if (n.system_id().empty()) {
        return bad("national.system_id", "required when national.enabled");
    }
    if (n.secret_file().empty()) {
        return bad("national.secret_file", "required when national.enabled");
    }
    if (!fs::is_regular_file(n.secret_file())) {
        return bad("national.secret_file", "cannot read " + n.secret_file());
    }
    if (!n.ca_file().empty() && !fs::is_regular_file(n.ca_file())) {
        return bad("national.ca_file", "cannot read " + n.ca_file());
    }
    if (n.poll_interval_ms() < 100) {
        return bad("national.poll_interval_ms", "must be at least 100");
    }
    if (n.timeout_ms() < 100) {
        return bad("national.timeout_ms", "must be at least 100");
    }
    if (n.retry_max_ms() < n.retry_base_ms()) {
        return bad("national.retry_max_ms", "must not be below national.retry_base_ms");
    }
    if (n.signing_key_file().empty() != n.signing_cert_file().empty()) {
        return bad(n.signing_key_file().empty() ? "national.signing_key_file"
                                                : "national.signing_cert_file",
                   "signing_key_file and signing_cert_file go together");
    }
    for (const auto& [key, path] :
         {std::pair{"national.signing_key_file", n.signing_key_file()},
          std::pair{"national.signing_cert_file", n.signing_cert_file()}}) {
        if (!path.empty() && !fs::is_regular_file(path)) {
            return bad(key, "cannot read " + path);
        }
    }
    return {};
}

}  // namespace

Result<lienthong::v1::Config> load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return fail(errc::malformed, "config", "config: cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    lienthong::v1::Config config;
    auto status = google::protobuf::util::JsonStringToMessage(text.str(), &config);
    if (!status.ok()) {
        return fail(errc::malformed, "config",
                    "config: " + path + ": " + std::string(status.message()));
    }
    return complete_config(std::move(config), fs::absolute(path).parent_path().string());
}

Result<lienthong::v1::Config> complete_config(lienthong::v1::Config c,
                                              const std::string& base_dir) {
    const fs::path base(base_dir);
    default_to<std::string>(*c.mutable_province(), "H39");
    auto province = parse_org_code(c.province());
    if (!province || province->segments.size() != 1) {
        return bad("province", "'" + c.province() + "' is not a level-1 code such as H39");
    }
    for (auto* listener : {c.mutable_agency(), c.mutable_operator_()}) {
        default_to<std::string>(*listener->mutable_address(), "127.0.0.1");
        if (listener->port() > 65535) {
            return bad("port", std::to_string(listener->port()) + " is not a port");
        }
    }
    if (!c.has_agency()) {
        c.mutable_agency()->set_port(8443);
    }
    if (!c.has_operator_()) {
        c.mutable_operator_()->set_port(8444);
    }

    auto* tls = c.mutable_tls();
    for (auto [key, value] : {std::pair{"tls.server_cert", tls->mutable_server_cert()},
                              std::pair{"tls.server_key", tls->mutable_server_key()},
                              std::pair{"tls.client_ca", tls->mutable_client_ca()}}) {
        if (value->empty()) {
            return bad(key, "required");
        }
        resolve(value, base);
    }
    if (auto operators = check_operators(*tls, base); !operators) {
        return operators.error();
    }

    auto* trust = c.mutable_trust();
    if (trust->anchors_dir().empty()) {
        return bad("trust.anchors_dir", "required");
    }
    resolve(trust->mutable_anchors_dir(), base);
    resolve(trust->mutable_crl_dir(), base);
    if (trust->reload_interval_ms() == 0) {
        trust->set_reload_interval_ms(30'000);
    }
    default_to<std::string>(*trust->mutable_sha1_allowed_until(), "2027-04-10");
    if (!parse_date(trust->sha1_allowed_until())) {
        return bad("trust.sha1_allowed_until",
                   "'" + trust->sha1_allowed_until() + "' is not a date yyyy-MM-dd");
    }
    // The floors are Circular 15/2025's: a configuration may raise them, never lower them.
    if (trust->min_rsa_bits() == 0) {
        trust->set_min_rsa_bits(2048);
    }
    if (trust->min_rsa_bits() < 2048 || trust->min_rsa_bits() > 16384) {
        return bad("trust.min_rsa_bits", "must be between 2048 and 16384");
    }
    if (trust->min_ecdsa_bits() == 0) {
        trust->set_min_ecdsa_bits(256);
    }
    if (trust->min_ecdsa_bits() < 256 || trust->min_ecdsa_bits() > 521) {
        return bad("trust.min_ecdsa_bits", "must be between 256 and 521");
    }

    auto* receipt = c.mutable_receipt();
    if (receipt->key().empty() || receipt->cert().empty()) {
        return bad("receipt", "key and cert are required");
    }
    resolve(receipt->mutable_key(), base);
    resolve(receipt->mutable_cert(), base);

    resolve(c.mutable_registry_file(), base);
    resolve(c.mutable_ports_file(), base);
    resolve(c.mutable_calendar()->mutable_file(), base);

    auto* store = c.mutable_store();
    default_to<std::string>(*store->mutable_ledger(), "lienthong.db");
    resolve(store->mutable_ledger(), base);
    const fs::path ledger_dir = fs::path(store->ledger()).parent_path();
    default_to(*store->mutable_blob_dir(), (ledger_dir / "blobs").string());
    resolve(store->mutable_blob_dir(), base);
    if (!store->inline_max_bytes()) {
        store->set_inline_max_bytes(256u << 10);
    }
    if (store->group_commit_max() == 0) {
        store->set_group_commit_max(256);
    }

    auto* limits = c.mutable_limits();
    if (limits->max_body_bytes() == 0) {
        limits->set_max_body_bytes(64ull << 20);
    }
    if (limits->max_header_bytes() == 0) {
        limits->set_max_header_bytes(16u << 10);
    }
    if (limits->max_connections() == 0) {
        limits->set_max_connections(1024);
    }
    if (limits->handshake_timeout_ms() == 0) {
        limits->set_handshake_timeout_ms(5'000);
    }
    if (limits->header_timeout_ms() == 0) {
        limits->set_header_timeout_ms(10'000);
    }
    if (limits->body_timeout_ms() == 0) {
        limits->set_body_timeout_ms(120'000);
    }
    if (limits->idle_timeout_ms() == 0) {
        limits->set_idle_timeout_ms(60'000);
    }
    if (limits->inbox_max_bytes() == 0) {
        limits->set_inbox_max_bytes(4ull << 20);
    }
    if (limits->inbox_inline_max_bytes() == 0) {
        limits->set_inbox_inline_max_bytes(256u << 10);
    }
    if (limits->status_description_max_bytes() == 0) {
        limits->set_status_description_max_bytes(4096);
    }
    if (limits->max_connections_per_address() == 0) {
        limits->set_max_connections_per_address(64);
    }
    if (limits->max_connections_per_org() == 0) {
        limits->set_max_connections_per_org(64);
    }
    if (!limits->has_rate_per_org()) {
        limits->set_rate_per_org(200);
    }
    if (!limits->has_rate_burst()) {
        limits->set_rate_burst(2 * limits->rate_per_org());
    }

    auto* queue = c.mutable_queue();
    default_to<std::string>(*queue->mutable_kind(), "sqlite");
    if (queue->kind() != "sqlite" && queue->kind() != "amqp") {
        return bad("queue.kind", "'" + queue->kind() + "' is not sqlite or amqp");
    }
    if (queue->visibility_timeout_ms() == 0) {
        queue->set_visibility_timeout_ms(60'000);
    }
    if (auto checked = check_queue(*queue, base); !checked) {
        return checked.error();
    }

    if (auto national = check_national(*c.mutable_national(), base); !national) {
        return national.error();
    }
    if (auto provincial = check_provincial_api(*c.mutable_provincial_api()); !provincial) {
        return provincial.error();
    }

    LogLevel level;
    default_to<std::string>(*c.mutable_logging()->mutable_level(), "info");
    if (!Logger::parse_level(c.logging().level(), level)) {
        return bad("logging.level",
                   "'" + c.logging().level() + "' is not debug, info, warn, error or off");
    }
    resolve(c.mutable_logging()->mutable_file(), base);

    if (!c.clock().fixed().empty() && !parse_instant(c.clock().fixed())) {
        return bad("clock.fixed", "'" + c.clock().fixed() + "' is not an ISO 8601 instant");
    }
    return c;
}

}  // namespace hub
