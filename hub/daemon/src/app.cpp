#include "app.h"

#include "hub/core/default_calendar.h"
#include "hub/core/digest.h"
#include "hub/http/server.h"
#include "hub/queue/amqp_inbox.h"
#include "hub/queue/amqp_queue.h"
#include "hub/queue/ledger_inbox.h"
#include "hub/queue/outbox_relay.h"
#include "hub/store/sqlite_ledger.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <google/protobuf/util/json_util.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "api_common.h"
#include "endpoints.h"
#include "gate.h"
#include "national_wiring.h"
#include "provincial_api.h"
#include "services.h"
#include "trust_reload.h"

namespace hub {
namespace fs = std::filesystem;
namespace asio = boost::asio;

struct App::Parts {
    lienthong::v1::Config config;
    Logger& log;
    std::unique_ptr<SystemClock> clock;
    BusinessCalendar calendar = BusinessCalendar::defaults();
    std::unique_ptr<Snapshot<crypto::TrustStore>> trust;
    std::optional<crypto::CmsSigner> receipt_signer;
    std::unique_ptr<SqliteLedger> ledger;
    std::optional<BlobStore> blobs;
    // queue.kind "amqp": the broker queue and the relay that fills it from the outbox.
    std::unique_ptr<AmqpQueue> amqp;
    std::unique_ptr<Inbox> inbox;
    std::unique_ptr<OutboxRelay> relay;
    std::unique_ptr<Snapshot<Registry>> registry;
    std::unique_ptr<Snapshot<NationalDirectory>> directory;
    DirectorySnapshot cached_directory;
    Metrics metrics;
    MaintenanceMode maintenance;
    std::unique_ptr<Gate> gate;
    asio::thread_pool blocking{2};
    // What the endpoints depend on; built once everything above exists.
    std::unique_ptr<CallerContext> context;
    std::unique_ptr<IntakeDeps> intake;
    std::unique_ptr<InboxDeps> inbox_deps;
    std::unique_ptr<StatusDeps> status;
    std::unique_ptr<TraceDeps> trace;
    std::unique_ptr<AgencyEndpoints> endpoints;
    std::unique_ptr<ProvincialTokens> provincial_tokens;
    std::unique_ptr<ProvincialDeps> provincial;
    std::unique_ptr<Services> services;
    std::unique_ptr<NationalAdapter> national;  // national.enabled only
    // Destroyed first: pending coroutines (long-polls) die with the io_context, before the
    // inbox and ledger they reference.
    std::unique_ptr<asio::io_context> io;
    std::unique_ptr<http::Server> agency;
    std::unique_ptr<http::Server> operator_server;

    explicit Parts(lienthong::v1::Config c, Logger& l) : config(std::move(c)), log(l) {}
    ~Parts() {
        agency.reset();
        operator_server.reset();
        // The broker threads end before the io_context their callers wait on.
        if (amqp) {
            amqp->shutdown();
        }
        // The relay's timer is the io_context's: the relay goes first.
        relay.reset();
        io.reset();
        blocking.join();
    }
};

namespace {

Failure part_failed(const std::string& part, const Failure& failure) {
    return fail(failure.code, part, part + ": " + failure.text());
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The registry file is imported when it changed since the last import. The file is the
// registry: what it no longer lists is withdrawn (certificates revoked, organizations
// suspended), while what operators decided through the admin API (a suspension, a
// certificate they added) stays.
Result<void> import_registry_file(SqliteLedger& ledger,
                                  const std::string& path,
                                  const std::string& ledger_path,
                                  Logger& log) {
    if (path.empty()) {
        return {};
    }
    const std::string text = read_text(path);
    if (text.empty()) {
        return fail(errc::malformed, "registry_file", "cannot read " + path);
    }
    lienthong::v1::Registry registry;
    auto status = google::protobuf::util::JsonStringToMessage(text, &registry);
    if (!status.ok()) {
        return fail(errc::malformed, "registry_file", path + ": " + std::string(status.message()));
    }
    const std::string marker = ledger_path + ".registry-sha256";
    const std::string digest = sha256_hex(text);
    if (read_text(marker) == digest) {
        return {};
    }
    AuditRecord audit{SystemClock().now(),
                      "hub",
                      "registry.import",
                      path,
                      "OK",
                      "sha256=" + digest.substr(0, 16) +
                          " organizations=" + std::to_string(registry.organizations_size())};
    if (auto imported = ledger.import_registry_sync(registry, true, audit); !imported) {
        return imported.error();
    }
    std::ofstream(marker, std::ios::trunc) << digest;
    log.info("registry_imported", "file=" + log_value(path) + " organizations=" +
                                      std::to_string(registry.organizations_size()));
    return {};
}

http::ServerOptions listener_options(const lienthong::v1::Config& config,
                                     const lienthong::v1::ListenerConfig& listener,
                                     const std::string& client_ca,
                                     const std::string& name,
                                     const std::string& spill_dir) {
    http::ServerOptions o;
    o.address = listener.address();
    o.port = static_cast<std::uint16_t>(listener.port());
    o.cert_chain_file = config.tls().server_cert();
    o.key_file = config.tls().server_key();
    o.client_ca_file = client_ca;
    // Asked for but not required: a missing certificate gets a clear 401 body, not a TLS alert.
    o.require_client_cert = false;
    const auto& l = config.limits();
    o.max_body_bytes = l.max_body_bytes();
    o.max_header_bytes = l.max_header_bytes();
    o.max_connections = l.max_connections();
    o.handshake_timeout = std::chrono::milliseconds(l.handshake_timeout_ms());
    o.header_timeout = std::chrono::milliseconds(l.header_timeout_ms());
    o.body_timeout = std::chrono::milliseconds(l.body_timeout_ms());
    o.idle_timeout = std::chrono::milliseconds(l.idle_timeout_ms());
    o.max_connections_per_address = l.max_connections_per_address();
    o.max_connections_per_principal = l.max_connections_per_org();
    o.spill_dir = spill_dir;
    o.name = name;
    return o;
}

GateOptions gate_options(const lienthong::v1::Config& config) {
    GateOptions o;
    o.operator_open_health = config.tls().operator_open_health();
    o.rate_per_org = config.limits().rate_per_org();
    o.rate_burst = config.limits().rate_burst();
    o.system_path_prefix = config.provincial_api().path_prefix();
    return o;
}

// Requests refused at the header without a known certificate are audited once a minute in
// aggregate: one fsync'd row per anonymous request would let anyone buy disk writes.
constexpr std::chrono::seconds kRefusalAuditPeriod{60};

asio::awaitable<void> audit_refusals_periodically(Gate& gate, Services& services) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(kRefusalAuditPeriod);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        const std::uint64_t refused = gate.take_unaudited_refusals();
        if (refused == 0) {
            continue;
        }
        const std::string detail = "count=" + std::to_string(refused) +
                                   " period_s=" + std::to_string(kRefusalAuditPeriod.count());
        services.log.info("unauthenticated_refusals", detail);
        // The one place the Gate's count reaches the audit store.
        co_await audit(services.context, "anonymous", "unauthenticated", "", "refused", detail);
    }
}

// The chain head is logged so a cut tail can be found later (a chain alone cannot show that
// its last rows are gone): journald or the log file keeps a copy the ledger's owner cannot
// quietly rewrite, and `lienthongctl audit verify --head SEQ:HEX` checks a file against it.
constexpr std::chrono::seconds kAuditHeadPeriod{60};

void log_audit_head(Logger& log, const AuditHead& head) {
    log.info("audit_head", "seq=" + std::to_string(head.seq) + " hash=" + head.hash);
}

asio::awaitable<void> log_audit_head_periodically(AuditStore& audits, Logger& log) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(kAuditHeadPeriod);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        if (auto head = co_await audits.audit_head()) {
            log_audit_head(log, *head);
        } else {
            log.warn("audit_head_failed", "error=" + log_value(head.error().text()));
        }
    }
}

Result<void> write_ports(const std::string& path, std::uint16_t agency, std::uint16_t op) {
    if (path.empty()) {
        return {};
    }
    fs::create_directories(fs::path(path).parent_path());
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        out << "{\"agency_port\": " << agency << ", \"operator_port\": " << op
            << ", \"pid\": " << ::getpid() << "}\n";
        if (!out) {
            return fail(errc::unavailable, "ports_file", "cannot write " + path);
        }
    }
    fs::rename(temp, path);
    return {};
}

void log_failure(Logger& log, const char* what, std::exception_ptr error) {
    if (!error) {
        return;
    }
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        log.error(what, "error=" + log_value(e.what()));
    }
}

// The broker's options from queue.*; the credentials file is read here, once, and never logged.
Result<AmqpOptions> amqp_options(const lienthong::v1::QueueConfig& q) {
    AmqpOptions o;
    o.url = q.amqp_url();
    if (!q.amqp_credentials_file().empty()) {
        std::string text = read_text(q.amqp_credentials_file());
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.pop_back();
        }
        const auto colon = text.find(':');
        if (colon == std::string::npos || colon == 0) {
            return fail(errc::malformed, "queue.amqp_credentials_file", "expected user:password");
        }
        o.user = text.substr(0, colon);
        o.password = text.substr(colon + 1);
    }
    o.tls = AmqpTls{q.amqp_tls().ca(), q.amqp_tls().cert(), q.amqp_tls().key()};
    o.prefetch = q.amqp_prefetch();
    o.confirm_window = q.amqp_confirm_window();
    o.delivery_limit = q.delivery_limit();
    o.visibility = std::chrono::milliseconds(q.visibility_timeout_ms());
    return o;
}

// The embedded inbox (the ledger's outbox), or the broker's with its relay.
Result<void> make_queue(App::Parts& p, Logger& log) {
    const auto& q = p.config.queue();
    const std::chrono::milliseconds visibility(q.visibility_timeout_ms());
    if (q.kind() != "amqp") {
        p.inbox = std::make_unique<LedgerInbox>(*p.ledger, *p.clock, visibility);
        return {};
    }
    auto options = amqp_options(q);
    if (!options) {
        return options.error();
    }
    OutboxRelayOptions relay;
    relay.batch = options->confirm_window;
    // Connects in the background: the hub serves intake while the broker is down.
    p.amqp = std::make_unique<AmqpQueue>(std::move(*options), *p.clock, log);
    p.inbox = std::make_unique<AmqpInbox>(*p.amqp, *p.ledger, *p.ledger, log);
    p.relay = std::make_unique<OutboxRelay>(*p.ledger, *p.amqp, *p.clock, log, relay);
    log.info("queue_amqp", "prefetch=" + std::to_string(q.amqp_prefetch()) +
                               " confirm_window=" + std::to_string(q.amqp_confirm_window()) +
                               " delivery_limit=" + std::to_string(q.delivery_limit()));
    return {};
}

// Each endpoint gets the stores, clock and options it uses, read once from the config.
void wire_endpoints(App::Parts& p, Logger& log) {
    const auto& c = p.config;
    p.context.reset(new CallerContext{*p.clock, log, *p.registry, *p.ledger});
    p.intake.reset(new IntakeDeps{
        *p.context,
        *p.ledger,
        *p.blobs,
        *p.trust,
        *p.directory,
        *p.receipt_signer,
        p.blocking,
        IntakeOptions{c.province(), c.national().enabled(), c.store().inline_max_bytes()},
        {}});
    if (p.relay) {
        const auto max = static_cast<std::int64_t>(c.queue().outbox_max());
        p.intake->outbox_full = [&relay = *p.relay, max] { return relay.backlog() >= max; };
    }
    p.inbox_deps.reset(new InboxDeps{
        *p.context, *p.inbox, *p.ledger, *p.ledger, *p.blobs, p.calendar, p.blocking,
        InboxOptions{c.limits().inbox_max_bytes(), c.limits().inbox_inline_max_bytes()}});
    p.status.reset(new StatusDeps{*p.context, *p.ledger,
                                  StatusOptions{c.limits().status_description_max_bytes()}});
    p.trace.reset(new TraceDeps{*p.context, *p.ledger});
    p.endpoints.reset(
        new AgencyEndpoints{*p.intake, *p.inbox_deps, *p.status, *p.trace, p.metrics});
    if (const auto& api = c.provincial_api(); !api.path_prefix().empty()) {
        p.provincial_tokens.reset(new ProvincialTokens(std::chrono::seconds(api.token_ttl_s())));
        p.provincial.reset(new ProvincialDeps{EdxmlDeps{*p.intake, *p.status}, *p.inbox_deps,
                                              *p.provincial_tokens, api.path_prefix()});
        p.endpoints->provincial = p.provincial.get();
    }
    p.services.reset(new Services{p.config, log, *p.clock, *p.ledger, *p.ledger, *p.inbox,
                                  *p.registry, p.metrics, *p.context, *p.ledger, p.maintenance,
                                  *p.ledger, *p.trust});
    p.services->reports = p.ledger.get();
}

}  // namespace

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
App::~App() = default;

Result<std::unique_ptr<App>> App::create(lienthong::v1::Config config, Logger& log) {
    auto p = std::make_unique<Parts>(std::move(config), log);
    const auto& c = p->config;

    std::chrono::milliseconds offset(c.clock().offset_ms());
    if (!c.clock().fixed().empty()) {
        offset = std::chrono::duration_cast<std::chrono::milliseconds>(
            parse_instant(c.clock().fixed()).value() - SystemClock().now());
    }
    p->clock = std::make_unique<SystemClock>(offset);

    auto calendar = load_calendar_or_default(c.calendar().file());
    if (!calendar) {
        return part_failed("calendar", calendar.error());
    }
    p->calendar = std::move(*calendar);

    auto trust = load_trust_store(c.trust());
    if (!trust) {
        return part_failed("trust", trust.error());
    }
    p->trust = std::make_unique<Snapshot<crypto::TrustStore>>(std::move(*trust));

    auto signer = crypto::CmsSigner::load(c.receipt().key(), c.receipt().cert());
    if (!signer) {
        return part_failed("receipt", signer.error());
    }
    p->receipt_signer.emplace(std::move(*signer));

    fs::create_directories(fs::path(c.store().ledger()).parent_path());
    auto ledger = SqliteLedger::open(
        SqliteLedgerOptions{c.store().ledger(), c.store().group_commit_max()}, log);
    if (!ledger) {
        return part_failed("store", ledger.error());
    }
    p->ledger = std::move(*ledger);

    auto blobs = BlobStore::open(c.store().blob_dir());
    if (!blobs) {
        return part_failed("blobs", blobs.error());
    }
    if (auto cleaned = blobs->remove_leftovers(); !cleaned) {
        return part_failed("blobs", cleaned.error());
    }
    p->blobs.emplace(std::move(*blobs));

    if (auto queue = make_queue(*p, log); !queue) {
        return part_failed("queue", queue.error());
    }

    if (auto imported =
            import_registry_file(*p->ledger, c.registry_file(), c.store().ledger(), log);
        !imported) {
        return part_failed("registry", imported.error());
    }
    auto registry = p->ledger->load_registry_sync();
    if (!registry) {
        return part_failed("registry", registry.error());
    }
    std::vector<std::string> skipped;
    p->registry = std::make_unique<Snapshot<Registry>>(Registry::build(*registry, &skipped));
    for (const auto& code : skipped) {
        log.warn("registry_entry_skipped", "code=" + log_value(code));
    }

    auto directory = p->ledger->load_directory_sync();
    if (!directory) {
        return part_failed("national directory", directory.error());
    }
    p->directory = std::make_unique<Snapshot<NationalDirectory>>(
        std::make_shared<const NationalDirectory>(directory_codes(*directory)));
    p->cached_directory = std::move(*directory);

    // Maintenance mode survives a restart: an operator who turned it on before an upgrade
    // finds it still on afterwards.
    auto maintenance = p->ledger->maintenance_sync();
    if (!maintenance) {
        return part_failed("maintenance", maintenance.error());
    }
    if (maintenance->on) {
        log.warn("maintenance", "on=1 since=" + format_instant(maintenance->changed_at));
    }
    p->maintenance.set(std::move(*maintenance));

    wire_endpoints(*p, log);
    p->io = std::make_unique<asio::io_context>();
    if (c.national().enabled()) {
        auto national = NationalAdapter::create(
            c.national(), p->io->get_executor(),
            NationalDeps{*p->clock, log, *p->registry, *p->trust, *p->ledger, *p->ledger,
                         *p->ledger, *p->blobs, *p->ledger, *p->directory, *p->receipt_signer,
                         p->blocking, c.province(), c.store().inline_max_bytes()},
            p->cached_directory);
        if (!national) {
            return part_failed("national", national.error());
        }
        p->national = std::move(*national);
        p->services->national = p->national.get();
    }
    start_trust_reload(*p->io, p->blocking, *p->trust, p->config.trust(), log);
    Services& services = *p->services;
    AgencyEndpoints& endpoints = *p->endpoints;
    Snapshot<Registry>& registry_snapshot = *p->registry;
    p->gate = std::make_unique<Gate>([&registry_snapshot] { return registry_snapshot.get(); },
                                     gate_options(c), p->metrics, p->maintenance);
    Gate& gate = *p->gate;
    auto agency_options =
        listener_options(c, c.agency(), c.tls().client_ca(), "agency", p->blobs->temp_dir());
    agency_options.authorize = [&gate](const http::Request& head) { return gate.agency(head); };
    agency_options.principal = [&gate](const std::string& sha256) {
        return gate.organization(sha256);
    };
    if (p->provincial) {
        agency_options.render_refusal = [prefix = p->provincial->prefix](const http::Request& head,
                                                                         const Failure& failure,
                                                                         http::Response answer) {
            return is_provincial_path(prefix, head.path)
                       ? provincial_refusal(failure, std::move(answer))
                       : answer;
        };
    }
    auto operator_options = listener_options(
        c, c.operator_(),
        c.tls().operator_ca().empty() ? c.tls().client_ca() : c.tls().operator_ca(), "operator",
        p->blobs->temp_dir());
    operator_options.authorize = [&gate](const http::Request& head) {
        return gate.operator_listener(head);
    };
    p->agency = std::make_unique<http::Server>(
        *p->io, std::move(agency_options),
        [&endpoints](http::Request request) {
            return agency_dispatch(endpoints, std::move(request));
        },
        log);
    p->operator_server = std::make_unique<http::Server>(
        *p->io, std::move(operator_options),
        [&services](http::Request request) {
            return operator_dispatch(services, std::move(request));
        },
        log);
    return std::unique_ptr<App>(new App(std::move(p)));
}

int App::run() {
    Parts& p = *parts_;
    auto agency_port = p.agency->start();
    if (!agency_port) {
        p.log.error("start_failed",
                    "listener=agency error=" + log_value(agency_port.error().text()));
        return 1;
    }
    auto operator_port = p.operator_server->start();
    if (!operator_port) {
        p.log.error("start_failed",
                    "listener=operator error=" + log_value(operator_port.error().text()));
        return 1;
    }
    if (p.relay) {
        p.relay->start(p.io->get_executor());
    }
    asio::co_spawn(
        *p.io, audit_refusals_periodically(*p.gate, *p.services),
        [&log = p.log](std::exception_ptr e) { log_failure(log, "audit_timer_crashed", e); });

    if (auto head = p.ledger->audit_head_sync()) {
        log_audit_head(p.log, *head);
    }
    asio::co_spawn(
        *p.io, log_audit_head_periodically(*p.ledger, p.log),
        [&log = p.log](std::exception_ptr e) { log_failure(log, "audit_head_timer_crashed", e); });
    if (p.national) {
        p.national->start();
    }

    asio::signal_set signals(*p.io, SIGTERM, SIGINT);
    signals.async_wait([&p](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        p.log.info("stopping", "signal=" + std::to_string(signal));
        if (p.national) {
            p.national->stop();  // what is mid-send stays claimed and comes back after restart
        }
        // Long-polls answer at once (empty), so the drain only waits for real work.
        p.inbox->interrupt_waits();
        if (p.relay) {
            p.relay->stop();
        }
        p.agency->stop(std::chrono::seconds(10));
        p.operator_server->stop(std::chrono::seconds(10));
        asio::co_spawn(
            *p.io,
            [](App::Parts& parts) -> asio::awaitable<void> {
                co_await parts.agency->wait_stopped();
                co_await parts.operator_server->wait_stopped();
                parts.io->stop();  // long-polls still waiting die with the io_context
            }(p),
            [&log = p.log](std::exception_ptr e) { log_failure(log, "stop_crashed", e); });
    });

    if (auto written = write_ports(p.config.ports_file(), *agency_port, *operator_port); !written) {
        p.log.error("start_failed", "error=" + log_value(written.error().text()));
        return 1;
    }
    p.log.info("serving", "agency_port=" + std::to_string(*agency_port) + " operator_port=" +
                              std::to_string(*operator_port) + " province=" + p.config.province());

    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    std::vector<std::thread> workers;
    for (unsigned i = 1; i < threads; ++i) {
        workers.emplace_back([&p] { p.io->run(); });
    }
    p.io->run();
    for (auto& worker : workers) {
        worker.join();
    }
    p.log.info("stopped");
    return 0;
}

}  // namespace hub
