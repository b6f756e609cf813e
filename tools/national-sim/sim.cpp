// One io_context on one thread: every session, the peers' answers and the admin calls run
// there, so the store needs no lock. Sessions are one coroutine each (read, answer, close),
// like the SDK's one connection per call.

#include "sim.h"

#include "hub/core/org_code.h"
#include "hub/national/axis_wire_vdxp.h"
#include "hub/national/edxml.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "sim_packages.h"

namespace lienthong::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxBody = 64u << 20;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// One package as one receiving system sees it.
struct Stored {
    std::string doc_id;  // the receiver's id (getReceivedEdocList, getEdoc, updateStatus)
    std::string sender_doc_id;
    std::string from_system;
    std::string to_system;
    std::string from_code;
    std::string to_code;
    std::string message_type;
    std::string package;
    std::string hash;
    std::string status = "initial";
    std::string created;
};

// One accepted send, as the sender's getSentEdocList shows it.
struct Sent {
    std::string doc_id;
    std::string from_system;
    std::string from_code;
    std::string message_type;
    std::string hash;
    std::vector<std::string> receiver_doc_ids;
    std::vector<std::string> to_codes;
};

std::string string_field(const json::object& o, const char* key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string answer_json(const std::string& code, const std::string& desc, json::object extra = {}) {
    json::object o;
    o["status"] = code == "0" ? "OK" : "FAIL";
    o["ErrorCode"] = code;
    o["ErrorDesc"] = desc;
    for (auto& [k, v] : extra) {
        o[k] = std::move(v);
    }
    return json::serialize(o);
}

bool serves(const SystemConfig& system, const std::string& code) {
    std::string canonical = hub::canonical_org_code(code);
    if (canonical.empty()) {
        canonical = code;
    }
    for (const auto& s : system.serves) {
        if (canonical == s || canonical.rfind(s + ".", 0) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

struct Simulator::State {
    SimConfig config;
    asio::io_context io;
    std::optional<asio::ssl::context> ssl;
    std::optional<tcp::acceptor> acceptor;
    std::optional<tcp::acceptor> admin_acceptor;
    std::thread thread;

    std::string mode = "normal";
    std::chrono::milliseconds delay{0};
    std::uint64_t next_id = 1;
    std::vector<Stored> stored;
    std::vector<Sent> sent;
    std::map<std::string, std::int64_t> counters;
    // The answers "hold" is sitting on; a change of mode lets them all go.
    std::set<asio::steady_timer*> held;

    const SystemConfig* system(const std::string& id) const {
        for (const auto& s : config.systems) {
            if (s.id == id) {
                return &s;
            }
        }
        return nullptr;
    }
    const SystemConfig* system_serving(const std::string& code) const {
        for (const auto& s : config.systems) {
            if (serves(s, code)) {
                return &s;
            }
        }
        return nullptr;
    }

    std::string new_id() {
        char buf[32];
        std::snprintf(buf, sizeof buf, "5f%022llx", static_cast<unsigned long long>(next_id++));
        return buf;
    }

    // Stores a package from `from_system` for every system serving one of its recipients.
    // Idempotent on (sender, hash): the same bytes again answer the first DocId.
    std::pair<std::string, std::string> accept(const std::string& from_system,
                                               const std::string& from_code,
                                               const std::string& message_type,
                                               const std::string& package) {
        std::string hash = hub::national::vdxp_hash_file(package);
        for (const auto& s : sent) {
            if (s.from_system == from_system && s.hash == hash) {
                ++counters["duplicates"];
                return {s.doc_id, ""};
            }
        }
        auto info = read_package_info(package);
        if (!info) {
            return {"", "22"};  // edXML not per the standard
        }
        Sent record{
            new_id(), from_system, from_code.empty() ? info->from : from_code, message_type, hash,
            {},       {}};
        std::vector<std::pair<const SystemConfig*, std::string>> targets;
        for (const auto& to : info->to) {
            const SystemConfig* target = system_serving(to);
            if (target == nullptr) {
                return {"", "18"};  // recipient does not exist
            }
            targets.emplace_back(target, to);
        }
        for (const auto& [target, to] : targets) {
            Stored s;
            s.doc_id = new_id();
            s.sender_doc_id = record.doc_id;
            s.from_system = from_system;
            s.to_system = target->id;
            s.from_code = record.from_code;
            s.to_code = to;
            s.message_type = message_type;
            s.package = package;
            s.hash = hash;
            s.created = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
            record.receiver_doc_ids.push_back(s.doc_id);
            record.to_codes.push_back(to);
            ++counters[message_type == "status" ? "statuses" : "documents"];
            if (target->peer && message_type == "edoc") {
                asio::co_spawn(io, peer_answer(this, *target, *info, to), asio::detached);
                s.status = "done";
            }
            stored.push_back(std::move(s));
        }
        sent.push_back(record);
        return {record.doc_id, ""};
    }

    // The peer province takes the document: 01, then 03 or 02 with its reason.
    static asio::awaitable<void> peer_answer(State* self,
                                             SystemConfig peer,
                                             PackageInfo about,
                                             std::string recipient_code) {
        const bool reject = peer.answer == "reject";
        const std::vector<std::string> codes{"01", reject ? "02" : "03"};
        for (const auto& code : codes) {
            asio::steady_timer timer(self->io);
            timer.expires_after(20ms);
            co_await timer.async_wait(asio::use_awaitable);
            std::string package = build_status_package(about, recipient_code, code,
                                                       code == "02" ? peer.reason : std::string());
            self->accept(peer.id, recipient_code, "status", package);
        }
    }

    // ---- the axis API ----

    Response handle_axis(const Request& req) {
        Response res{bhttp::status::ok, req.version()};
        res.set(bhttp::field::content_type, "application/json");
        res.body() = dispatch(req, res);
        res.prepare_payload();
        return res;
    }

    std::string dispatch(const Request& req, Response& res) {
        auto header = [&](const std::string& name) -> std::string {
            auto it = req.find(std::string(hub::national::kVdxpPrefix) + name);
            return it == req.end() ? std::string() : std::string(it->value());
        };
        const SystemConfig* caller = system(header("systemid"));
        if (caller == nullptr || caller->peer) {
            res.result(bhttp::status::unauthorized);
            ++counters["refused"];
            return answer_json("401", "unknown system");
        }
        // Only signed parameters count, and they are read from the received strings.
        std::map<std::string, std::string> params;
        auto lookup = [&](const std::string& name) -> const std::string* {
            auto it = req.find(std::string(hub::national::kVdxpPrefix) + name);
            if (it == req.end()) {
                return nullptr;
            }
            params[name] = std::string(it->value());
            return &params[name];
        };
        auto verified =
            hub::national::vdxp_verify(caller->secret, header("sign-header-key"),
                                       header("sign-header"), header("hash-header"), lookup);
        if (!verified) {
            res.result(bhttp::status::unauthorized);
            ++counters["refused"];
            return answer_json("401", "signature refused");
        }
        auto param = [&](const std::string& name) {
            auto it = params.find(name);
            return it == params.end() ? std::string() : it->second;
        };
        if (req.method() != bhttp::verb::post) {
            return answer_json("405", "POST only");
        }
        std::string op(req.target());
        op = op.substr(op.rfind('/') + 1);
        ++counters["calls." + op];
        if (op == "sendEdoc") {
            std::string package = req.body();
            if (package.size() >= 2 && package.compare(package.size() - 2, 2, "\r\n") == 0) {
                package.resize(package.size() - 2);
            }
            if (param("hash-file") != hub::national::vdxp_hash_file(package)) {
                return answer_json("10", "hash-file does not match the package");
            }
            std::string type = param("messagetype") == "status" ? "status" : "edoc";
            auto [doc_id, error] = accept(caller->id, param("from"), type, package);
            if (!error.empty()) {
                return answer_json(error, "package refused");
            }
            return answer_json("0", "Success", {{"DocId", doc_id}});
        }
        if (op == "getReceivedEdocList") {
            std::string type = param("messagetype") == "status" ? "status" : "edoc";
            json::array data;
            for (const auto& s : stored) {
                if (s.to_system == caller->id && s.message_type == type && s.status != "done" &&
                    s.status != "fail") {
                    data.push_back(json::object{{"docId", s.doc_id},
                                                {"serviceType", "eDoc"},
                                                {"messageType", s.message_type},
                                                {"created_time", s.created},
                                                {"updated_time", s.created},
                                                {"from", s.from_code},
                                                {"to", s.to_code},
                                                {"status", s.status},
                                                {"status_desc", s.status}});
                }
            }
            return answer_json("0", "Success", {{"data", std::move(data)}});
        }
        if (op == "getEdoc" || op == "updateStatus") {
            for (auto& s : stored) {
                if (s.to_system == caller->id && s.doc_id == param("docId")) {
                    if (op == "getEdoc") {
                        return answer_json("0", "Success",
                                           {{"data", hub::national::base64_encode(s.package)}});
                    }
                    s.status = param("status");
                    return answer_json("0", "Success");
                }
            }
            return answer_json("404", "no such document");
        }
        if (op == "getSentEdocList") {
            json::array data;
            for (const auto& s : sent) {
                if (s.from_system != caller->id ||
                    (!param("docId").empty() && s.doc_id != param("docId"))) {
                    continue;
                }
                for (std::size_t i = 0; i < s.to_codes.size(); ++i) {
                    data.push_back(json::object{{"serviceType", "eDoc"},
                                                {"messageType", s.message_type},
                                                {"senderDocId", s.doc_id},
                                                {"receiverDocId", s.receiver_doc_ids[i]},
                                                {"fromCode", s.from_code},
                                                {"toCode", s.to_codes[i]},
                                                {"sendStatus", "done"},
                                                {"sendStatusDesc", "done"},
                                                {"receiveStatus", "initial"},
                                                {"receiveStatusDesc", "initial"},
                                                {"hashFile", s.hash}});
                }
            }
            return answer_json("0", "Success", {{"data", std::move(data)}});
        }
        if (op == "getAgenciesListQD20") {
            json::array data;
            for (const auto& a : config.agencies) {
                data.push_back(json::object{{"id", a.id},
                                            {"code", a.code},
                                            {"code102", a.code102},
                                            {"name", a.name},
                                            {"mail", a.mail}});
            }
            return answer_json("0", "Success", {{"data", std::move(data)}});
        }
        return answer_json("404", "unknown operation " + op);
    }

    // ---- the admin API ----

    Response handle_admin(const Request& req) {
        Response res{bhttp::status::ok, req.version()};
        res.set(bhttp::field::content_type, "application/json");
        boost::system::error_code ec;
        json::value body =
            req.body().empty() ? json::value(json::object{}) : json::parse(req.body(), ec);
        std::string target(req.target());
        if (ec || !body.is_object()) {
            res.result(bhttp::status::bad_request);
            res.body() = R"({"error":"body is not a JSON object"})";
        } else if (target == "/admin/mode" && req.method() == bhttp::verb::post) {
            const auto& o = body.as_object();
            mode = string_field(o, "mode");
            const json::value* d = o.if_contains("delay_ms");
            delay = std::chrono::milliseconds(d && d->is_int64() ? d->as_int64() : 0);
            if (mode.empty()) {
                mode = "normal";
            }
            for (auto* timer : held) {
                timer->cancel();
            }
            res.body() = json::serialize(json::object{{"mode", mode}});
        } else if (target == "/admin/inject" && req.method() == bhttp::verb::post) {
            const auto& o = body.as_object();
            const SystemConfig* from = system(string_field(o, "from_system"));
            auto package = hub::national::base64_decode(string_field(o, "package_base64"));
            std::string type = string_field(o, "message_type");
            if (from == nullptr || !package) {
                res.result(bhttp::status::bad_request);
                res.body() = R"({"error":"from_system and package_base64 are required"})";
            } else {
                auto [doc_id, error] =
                    accept(from->id, "", type == "status" ? "status" : "edoc", *package);
                res.body() = error.empty() ? answer_json("0", "Success", {{"DocId", doc_id}})
                                           : answer_json(error, "package refused");
            }
        } else if (target == "/admin/state") {
            json::object counts;
            for (const auto& [k, v] : counters) {
                counts[k] = v;
            }
            json::array docs;
            for (const auto& s : stored) {
                docs.push_back(
                    json::object{{"doc_id", s.doc_id},
                                 {"sender_doc_id", s.sender_doc_id},
                                 {"from_system", s.from_system},
                                 {"to_system", s.to_system},
                                 {"from", s.from_code},
                                 {"to", s.to_code},
                                 {"message_type", s.message_type},
                                 {"hash", s.hash},
                                 {"status", s.status},
                                 {"package_base64", hub::national::base64_encode(s.package)}});
            }
            res.body() = json::serialize(
                json::object{{"mode", mode}, {"counters", counts}, {"documents", docs}});
        } else {
            res.result(bhttp::status::not_found);
            res.body() = R"({"error":"no such admin call"})";
        }
        res.prepare_payload();
        return res;
    }
};

namespace {

// One request, one answer, then close: as the SDK uses connections.
template <class Stream>
asio::awaitable<void> serve_one(Simulator::State* s, Stream& stream, bool admin) {
    beast::flat_buffer buffer;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxBody);
    beast::get_lowest_layer(stream).expires_after(30s);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (hec) {
        co_return;
    }
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        // Without it the SDK's Apache client waits 3 s before sending the body.
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
        auto [cec, cn] = co_await bhttp::async_write(stream, cont, kTuple);
        if (cec) {
            co_return;
        }
    }
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (rec) {
        co_return;
    }
    Request req = parser.release();
    if (admin) {
        Response res = s->handle_admin(req);
        co_await bhttp::async_write(stream, res, kTuple);
        co_return;
    }
    if (s->mode == "error") {
        ++s->counters["answered_500"];
        Response res{bhttp::status::internal_server_error, req.version()};
        res.set(bhttp::field::content_type, "text/html");
        res.body() = "<html><body>502 Bad Gateway</body></html>";
        res.prepare_payload();
        co_await bhttp::async_write(stream, res, kTuple);
        co_return;
    }
    if (s->mode == "slow") {
        asio::steady_timer timer(stream.get_executor());
        timer.expires_after(s->delay);
        co_await timer.async_wait(kTuple);
    }
    Response res = s->handle_axis(req);
    if (s->mode == "hold" && std::string_view(req.target()).ends_with("/sendEdoc")) {
        // Stored, not yet answered: the window in which a client that dies cannot know
        // whether the axis has its package (the hub's kill -9 test aims here).
        ++s->counters["held"];
        asio::steady_timer timer(stream.get_executor());
        timer.expires_after(s->delay > 0ms ? s->delay : std::chrono::milliseconds(24h));
        s->held.insert(&timer);
        co_await timer.async_wait(kTuple);
        s->held.erase(&timer);
    }
    if (s->mode == "drop") {
        // The request was handled (stored), but the answer never arrives whole: the client
        // must retry and the (sender, hash) idempotency must hold.
        ++s->counters["dropped"];
        bhttp::response_serializer<bhttp::string_body> sr{res};
        co_await bhttp::async_write_header(stream, sr, kTuple);
        co_return;
    }
    co_await bhttp::async_write(stream, res, kTuple);
}

asio::awaitable<void> session(Simulator::State* s, tcp::socket socket, bool admin) {
    if (!admin && s->mode == "down") {
        ++s->counters["refused_down"];
        boost::system::error_code ignored;
        socket.set_option(asio::socket_base::linger(true, 0), ignored);  // a reset, not an answer
        socket.close(ignored);
        co_return;
    }
    if (admin || !s->ssl) {
        beast::tcp_stream stream(std::move(socket));
        co_await serve_one(s, stream, admin);
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *s->ssl);
    beast::get_lowest_layer(stream).expires_after(30s);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (hec) {
        co_return;
    }
    co_await serve_one(s, stream, false);
    if (s->mode != "drop") {
        beast::get_lowest_layer(stream).expires_after(2s);
        co_await stream.async_shutdown(kTuple);
    }
}

asio::awaitable<void> accept_loop(Simulator::State* s, tcp::acceptor* acceptor, bool admin) {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(kTuple);
        if (ec) {
            co_return;  // closed by stop()
        }
        asio::co_spawn(s->io, session(s, std::move(socket), admin), [](std::exception_ptr e) {
            if (e) {
                std::fprintf(stderr, "national-sim: session failed\n");
            }
        });
    }
}

SystemConfig system_from(const json::object& o) {
    SystemConfig s;
    s.id = string_field(o, "id");
    s.secret = string_field(o, "secret");
    if (const json::value* list = o.if_contains("serves"); list && list->is_array()) {
        for (const auto& v : list->as_array()) {
            if (v.is_string()) {
                std::string code(v.as_string());
                std::string canonical = hub::canonical_org_code(code);
                s.serves.push_back(canonical.empty() ? code : canonical);
            }
        }
    }
    if (const json::value* p = o.if_contains("peer"); p && p->is_bool()) {
        s.peer = p->as_bool();
    }
    if (!string_field(o, "answer").empty()) {
        s.answer = string_field(o, "answer");
    }
    if (!string_field(o, "reason").empty()) {
        s.reason = string_field(o, "reason");
    }
    return s;
}

}  // namespace

SimConfig load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value v = json::parse(text.str(), ec);
    if (ec || !v.is_object()) {
        throw std::runtime_error(path + ": not a JSON object");
    }
    const auto& o = v.as_object();
    SimConfig config;
    if (const json::value* list = o.if_contains("systems"); list && list->is_array()) {
        for (const auto& e : list->as_array()) {
            if (e.is_object()) {
                config.systems.push_back(system_from(e.as_object()));
            }
        }
    }
    if (const json::value* list = o.if_contains("agencies"); list && list->is_array()) {
        for (const auto& e : list->as_array()) {
            if (e.is_object()) {
                const auto& a = e.as_object();
                config.agencies.push_back(AgencyConfig{
                    string_field(a, "id"), string_field(a, "code"), string_field(a, "code102"),
                    string_field(a, "name"), string_field(a, "mail")});
            }
        }
    }
    config.cert_file = string_field(o, "cert_file");
    config.key_file = string_field(o, "key_file");
    return config;
}

Simulator::Simulator(SimConfig config) : state_(std::make_unique<State>()) {
    state_->config = std::move(config);
}

Simulator::~Simulator() { stop(); }

void Simulator::start() {
    State& s = *state_;
    if (!s.config.cert_file.empty()) {
        s.ssl.emplace(asio::ssl::context::tls_server);
        s.ssl->use_certificate_chain_file(s.config.cert_file);
        s.ssl->use_private_key_file(s.config.key_file, asio::ssl::context::pem);
    }
    auto loopback = asio::ip::make_address("127.0.0.1");
    s.acceptor.emplace(s.io, tcp::endpoint(loopback, s.config.port));
    s.admin_acceptor.emplace(s.io, tcp::endpoint(loopback, s.config.admin_port));
    asio::co_spawn(s.io, accept_loop(&s, &*s.acceptor, false), asio::detached);
    asio::co_spawn(s.io, accept_loop(&s, &*s.admin_acceptor, true), asio::detached);
    s.thread = std::thread([&s] { s.io.run(); });
}

void Simulator::stop() {
    State& s = *state_;
    if (!s.thread.joinable()) {
        return;
    }
    asio::post(s.io, [&s] {
        boost::system::error_code ignored;
        s.acceptor->close(ignored);
        s.admin_acceptor->close(ignored);
    });
    s.io.stop();
    s.thread.join();
}

std::string admin_call(std::uint16_t admin_port,
                       const std::string& method,
                       const std::string& target,
                       const std::string& body) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), admin_port));
    Request req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    Response res;
    bhttp::read(stream, buffer, res);
    if (res.result() != bhttp::status::ok) {
        throw std::runtime_error("admin " + target + ": " + res.body());
    }
    return res.body();
}

std::uint16_t Simulator::port() const { return state_->acceptor->local_endpoint().port(); }
std::uint16_t Simulator::admin_port() const {
    return state_->admin_acceptor->local_endpoint().port();
}

}  // namespace lienthong::sim
