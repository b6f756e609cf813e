// The hub on RabbitMQ (queue.kind amqp) when something dies: the broker restarts in the
// middle of a stream of envelopes, the hub is killed (-9) between the ledger commit and the
// publish and between the publish and the broker's confirm. Each time every accepted envelope
// must reach every recipient exactly once after its ack, in acceptance order, counted against
// the senders' receipts. These tests start a broker of their own (deploy/rabbitmq/broker), so
// stopping it disturbs no other test; they fail, never skip, when it cannot start.

#include "lienthong/devenv/dev_env.h"
#include "lienthong/testca/test_ca.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "api.h"
#include "delivery_support.h"
#include "envelopes.h"
#include "harness.h"

namespace v1 = lienthong::v1;
using hub::http::Client;
using namespace std::chrono_literals;

namespace {

/// A throw-away RabbitMQ node of this test's own, on ports picked from the pid.
class PrivateBroker {
public:
    /// With `tls_dir` (ca.pem, broker.crt, broker.key) the node also listens for amqps.
    explicit PrivateBroker(std::string tls_dir = {}) : tls_dir_(std::move(tls_dir)) {
        script_ = it::broker_script();
        // 20 ports per node; a block somebody holds makes `start` refuse, so try the next.
        for (int attempt = 0; attempt < 8 && url_.empty(); ++attempt) {
            port_ = 40000 + static_cast<int>((::getpid() * 7 + attempt * 131) % 1200) * 20;
            auto r = it::run_command(start_command(), dir_.path(), 120s);
            if (r.exit_code == 0) {
                url_ = r.out.substr(0, r.out.find('\n'));
                const auto second = r.out.find('\n') + 1;
                tls_url_ = r.out.substr(second, r.out.find('\n', second) - second);
            } else {
                it::run_command({script_, "stop", dir_.path()}, dir_.path(), 60s);
            }
        }
        if (url_.empty()) {
            throw std::runtime_error("no RabbitMQ node could be started for this test");
        }
    }
    ~PrivateBroker() {
        resume();
        it::run_command({script_, "stop", dir_.path()}, dir_.path(), 60s);
    }
    const std::string& url() const { return url_; }
    /// amqps://...: only with a `tls_dir`.
    const std::string& tls_url() const { return tls_url_; }

    void stop() {
        resume();
        REQUIRE(it::run_command({script_, "stop", dir_.path()}, dir_.path(), 60s).exit_code == 0);
    }
    /// Again on the same data directory: durable queues keep their messages.
    void start() {
        auto r = it::run_command(start_command(), dir_.path(), 120s);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    /// SIGSTOP: the node accepts bytes into its socket buffers but answers nothing, so a
    /// publish waits for a confirm that does not come.
    void freeze() {
        REQUIRE(::kill(pid(), SIGSTOP) == 0);
        frozen_ = true;
    }
    void resume() {
        if (frozen_) {
            ::kill(pid(), SIGCONT);
            frozen_ = false;
        }
    }

private:
    std::vector<std::string> start_command() const {
        std::vector<std::string> command{script_, "start", dir_.path(), "--port",
                                         std::to_string(port_)};
        if (!tls_dir_.empty()) {
            command.insert(command.end(), {"--tls", tls_dir_});
        }
        return command;
    }
    pid_t pid() const {
        std::ifstream in(dir_.path() + "/beam.pid");
        long pid = 0;
        in >> pid;
        return static_cast<pid_t>(pid);
    }

    std::string tls_dir_;
    it::TempDir dir_;
    std::string script_;
    std::string url_;
    std::string tls_url_;
    int port_ = 0;
    bool frozen_ = false;
};

it::HubOptions on_broker(const std::string& url) {
    it::HubOptions options;
    options.transport = "amqp";
    options.amqp_url = url;
    // Short, so offers a crash left unacked come back within the test.
    options.config_overrides =
        boost::json::object{{"queue", boost::json::object{{"visibility_timeout_ms", 3000}}}};
    return options;
}

/// Certificates for amqps, made at test time: a CA, the broker's server certificate for
/// localhost and a client certificate for the hub, in the files the broker script reads.
struct BrokerTls {
    it::TempDir dir;
    BrokerTls() {
        auto ca = lienthong::testca::TestCa::create("Broker Test");
        const std::string anchors = ca.root_pem() + ca.intermediate_pem();
        std::ofstream(dir.path() + "/ca.pem") << anchors;
        ca.issue_server("localhost").write_files(dir.path(), "broker");
        ca.issue_client("lienthongd", "hub").write_files(dir.path(), "hub");
    }
    boost::json::object hub_tls(const std::string& ca_file) const {
        return {
            {"ca", ca_file}, {"cert", dir.path() + "/hub.crt"}, {"key", dir.path() + "/hub.key"}};
    }
};

it::HubOptions on_tls_broker(const PrivateBroker& broker, boost::json::object tls) {
    auto options = on_broker(broker.tls_url());
    options.config_overrides["queue"].as_object()["amqp_tls"] = std::move(tls);
    return options;
}

/// The senders' side of the count: envelope ids in acceptance order, per recipient.
struct Ledger {
    std::map<std::string, std::vector<std::string>> owed;  // recipient -> envelope ids

    void post(it::Hub& hub, const std::string& from, const std::vector<std::string>& to) {
        Client sender(hub.agency(from));
        const auto receipt = it::post_accepted(sender, it::make_envelope(hub, from, to));
        REQUIRE(receipt.recipients_size() == static_cast<int>(to.size()));
        for (const auto& r : to) {
            owed[r].push_back(receipt.envelope_id());
        }
    }
};

boost::json::object readyz(const it::Hub& hub, unsigned& status) {
    Client op(hub.operator_client());
    const auto r = it::get(op, "/readyz");
    status = r.status;
    return boost::json::parse(r.body).as_object();
}

/// Takes and acks everything the recipient is owed, and then checks that nothing more comes:
/// each envelope exactly once, in acceptance order.
void check_exactly_once_in_order(it::Hub& hub, const Ledger& ledger) {
    // A broker that is back is not yet a hub on it: until the hub's reconnect backoff lets
    // it in, an inbox poll answers 503 UNAVAILABLE.
    unsigned status = 0;
    REQUIRE(it::eventually([&] { return readyz(hub, status).at("queue") == "up"; }, 60s));
    for (const auto& [recipient, ids] : ledger.owed) {
        Client client(hub.agency(recipient));
        std::vector<std::string> got;
        std::set<std::string> seen;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (got.size() < ids.size() && std::chrono::steady_clock::now() < deadline) {
            const auto batch = it::poll(client, 50, 1);
            for (const auto& item : batch.items()) {
                if (item.has_status()) {
                    continue;  // the 01s of earlier acks go to senders, not here
                }
                if (seen.insert(item.envelope_id()).second) {
                    got.push_back(item.envelope_id());
                } else {
                    FAIL_CHECK("offered again after its ack: " << item.envelope_id());
                }
                REQUIRE(it::ack(client, item.delivery_id()).status == 204);
            }
        }
        INFO("recipient " << recipient);
        CHECK(got == ids);
        // Nothing more, also not after a visibility timeout.
        const auto more = it::poll(client, 50, 4);
        int envelopes = 0;
        for (const auto& item : more.items()) {
            envelopes += item.has_status() ? 0 : 1;
        }
        CHECK(envelopes == 0);
    }
}

}  // namespace

TEST_CASE("AMQP: a broker restart in a stream of envelopes loses and duplicates nothing",
          "[amqp][durability]") {
    PrivateBroker broker;
    it::Hub hub(on_broker(broker.url()));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Ledger ledger;
    for (int i = 0; i < 10; ++i) {
        ledger.post(hub, a, {b, c});
    }
    unsigned status = 0;
    CHECK(it::eventually([&] { return readyz(hub, status).at("queue") == "up"; }));
    broker.stop();
    // Intake goes on while the broker is away: the outbox holds the items.
    for (int i = 0; i < 10; ++i) {
        ledger.post(hub, i % 2 == 0 ? a : b, {c});
    }
    CHECK(it::eventually([&] { return readyz(hub, status).at("queue") == "down"; }));
    CHECK(status == 503);
    broker.start();
    CHECK(it::eventually([&] { return readyz(hub, status).at("queue") == "up"; }, 60s));
    CHECK(status == 200);
    for (int i = 0; i < 10; ++i) {
        ledger.post(hub, a, {b, c});
    }
    check_exactly_once_in_order(hub, ledger);
}

TEST_CASE("AMQP: kill -9 between commit and publish, and between publish and confirm",
          "[amqp][durability]") {
    PrivateBroker broker;
    it::Hub hub(on_broker(broker.url()));
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const std::string c = hub.code(2);
    Ledger ledger;
    for (int i = 0; i < 5; ++i) {
        ledger.post(hub, a, {b, c});
    }
    // Published, confirm pending: the node reads nothing while frozen.
    broker.freeze();
    for (int i = 0; i < 5; ++i) {
        ledger.post(hub, a, {b, c});
    }
    hub.kill9();
    broker.resume();  // it now stores what the dead hub sent: the hub will publish it again
    hub.restart();
    for (int i = 0; i < 5; ++i) {
        ledger.post(hub, c, {a, b});
    }
    // Committed, never published: the broker is down until after the crash.
    broker.stop();
    for (int i = 0; i < 5; ++i) {
        ledger.post(hub, a, {b, c});
    }
    hub.kill9();
    broker.start();
    hub.restart();
    check_exactly_once_in_order(hub, ledger);
}

TEST_CASE("AMQP: the hub starts while its broker is down and delivers once it is up",
          "[amqp][durability]") {
    PrivateBroker broker;
    broker.stop();
    it::Hub hub(on_broker(broker.url()));
    unsigned status = 0;
    CHECK(readyz(hub, status).at("queue") == "down");
    CHECK(status == 503);
    Ledger ledger;
    ledger.post(hub, hub.code(0), {hub.code(1)});
    broker.start();
    check_exactly_once_in_order(hub, ledger);
}

TEST_CASE(
    "AMQP: over amqps with certificates both ways the hub delivers, and an untrusted broker is "
    "down",
    "[amqp][tls]") {
    BrokerTls tls;
    PrivateBroker broker(tls.dir.path());
    REQUIRE(broker.tls_url().rfind("amqps://", 0) == 0);
    {
        it::Hub hub(on_tls_broker(broker, tls.hub_tls(tls.dir.path() + "/ca.pem")));
        Ledger ledger;
        ledger.post(hub, hub.code(0), {hub.code(1), hub.code(2)});
        check_exactly_once_in_order(hub, ledger);
    }
    // The same broker under a CA the hub does not hold: the hub must not get on it.
    it::TempDir other;
    std::ofstream(other.path() + "/ca.pem")
        << lienthong::testca::TestCa::create("Somebody Else").root_pem();
    it::Hub hub(on_tls_broker(broker, tls.hub_tls(other.path() + "/ca.pem")));
    unsigned status = 0;
    CHECK_FALSE(it::eventually([&] { return readyz(hub, status).at("queue") == "up"; }, 3s));
    CHECK(status == 503);
    CHECK(hub.log().find("amqp_down") != std::string::npos);
}

TEST_CASE("AMQP: bad queue.* values stop start-up with one line naming the key", "[amqp][config]") {
    it::TempDir dir;
    lienthong::devenv::DevEnvOptions options;
    options.agencies = 2;
    struct Case {
        const char* what;
        boost::json::object queue;
        const char* key;
    };
    const std::vector<Case> cases{
        {"amqp without a URL", {{"kind", "amqp"}}, "queue.amqp_url"},
        {"not an AMQP URL",
         {{"kind", "amqp"}, {"amqp_url", "http://secret@127.0.0.1/"}},
         "queue.amqp_url"},
        {"unreadable credentials",
         {{"kind", "amqp"},
          {"amqp_url", "amqp://127.0.0.1:5672/"},
          {"amqp_credentials_file", "missing-credentials"}},
         "queue.amqp_credentials_file"},
        {"prefetch too large",
         {{"kind", "amqp"}, {"amqp_url", "amqp://127.0.0.1/"}, {"amqp_prefetch", 70000}},
         "queue.amqp_prefetch"},
        {"unknown kind", {{"kind", "kafka"}}, "queue.kind"},
    };
    const auto index = GENERATE(range(0, 5));
    const auto& c = cases.at(static_cast<std::size_t>(index));
    INFO(c.what);
    options.config_overrides["queue"] = c.queue;
    lienthong::devenv::make_dev_env(dir.path(), options);
    const auto result =
        it::run_command({it::daemon_path(), "--config", dir.path() + "/lienthongd.json"},
                        dir.path(), std::chrono::seconds(20));
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find(c.key) != std::string::npos);
    CHECK(result.err.find("secret") == std::string::npos);  // a URL's credentials stay out
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}
