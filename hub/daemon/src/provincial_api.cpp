// The provincial API façade: each call is the hub's own path under another wire. Sending is
// POST /v1/edxml's accept path, the received list is the recipient's open inbox items in the
// ledger (a listing offers nothing, so a client that lists and then fetches changes no
// visibility timeout), a receipt (01 or "done") is an inbox ack, and 02-16 are POST /v1/status.

#include "provincial_api.h"

#include "hub/core/digest.h"
#include "hub/http/message.h"
#include "hub/http/multipart.h"
#include "hub/national/edxml_mapping.h"
#include "hub/provincial/lgsp_wire.h"
#include "lienthong/v1/api.pb.h"
#include "lienthong/v1/envelope.pb.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <optional>

#include "api_common.h"
#include "blocking.h"
#include "inbox_items.h"
#include "intake_paths.h"
#include "xml_answers.h"

namespace hub {
namespace v1 = lienthong::v1;
namespace json = boost::json;
using provincial::Call;

namespace {

// Login tokens one client certificate may hold at once (one per worker of an installation).
constexpr std::size_t kTokensPerCertificate = 8;

// Most items one list answer names; the clients poll every few minutes and ask again.
constexpr std::size_t kMaxListed = 500;

http::Response answer(const provincial::Reply& reply, std::optional<errc> error = std::nullopt) {
    http::Response response{reply.status, "application/json", reply.body, {}, {}};
    response.error = error;
    return response;
}

http::Response refused(const Failure& failure) {
    return answer(provincial::refusal(failure), failure.code);
}

// The hub's own answer (protobuf, as asked) as the id it names, or the Failure it carries.
Result<std::string> answered_id(const http::Response& response, bool status_kind) {
    if (response.error) {
        v1::Error error;
        error.ParseFromString(response.body);
        return fail(*response.error, error.field(), error.message());
    }
    if (status_kind) {
        v1::StatusReceipt receipt;
        if (!receipt.ParseFromString(response.body)) {
            return fail(errc::internal, "", "unreadable status receipt");
        }
        return receipt.status_id();
    }
    v1::Receipt receipt;
    if (!receipt.ParseFromString(response.body)) {
        return fail(errc::internal, "", "unreadable receipt");
    }
    return receipt.envelope_id();
}

bool same_secret(const std::string& secret, const std::string& expected_sha256) {
    const std::string digest = sha256_hex(secret);
    return digest.size() == expected_sha256.size() &&
           CRYPTO_memcmp(digest.data(), expected_sha256.data(), digest.size()) == 0;
}

// Who a unit call acts for. A system's certificate: the unit X-SystemId names among the
// system's, proved by X-SecretKey. An organization's certificate: that organization only.
Result<Caller> unit_caller(CallerContext& context, const http::Request& request) {
    auto registry = context.registry.get();
    const std::string cert = request.client_cert_sha256.value_or("");
    const SystemInfo* system = registry->by_system_cert(cert);
    if (system == nullptr) {
        return authenticate(context, request);
    }
    const std::string& system_id = request.header(provincial::kSystemIdHeader);
    auto unit = system->units.find(system_id);
    if (unit == system->units.end()) {
        return fail(errc::unauthenticated, "X-SystemId",
                    "system " + system->name + " does not act for unit '" + system_id + "'");
    }
    if (!same_secret(request.header(provincial::kSecretHeader), unit->second.secret_sha256)) {
        return fail(errc::unauthenticated, "X-SecretKey", "wrong secret for this unit");
    }
    const OrgInfo* org = registry->find(unit->second.code);
    if (org == nullptr) {
        return fail(errc::unauthenticated, "X-SystemId", "the unit's organization is gone");
    }
    if (!org->active) {
        return fail(errc::forbidden_sender, "X-SystemId",
                    "organization " + org->code + " is suspended");
    }
    return Caller{std::move(registry), org};
}

// The code a client sees for an organization: its edXML form when it has one.
std::string wire_code(const Registry& registry, const std::string& code) {
    const OrgInfo* org = registry.find(code);
    if (org == nullptr) {
        return code;
    }
    return org->edxml.empty() ? org->given : org->edxml;
}

boost::asio::awaitable<http::Response> send(ProvincialDeps& deps,
                                            http::Request& request,
                                            const Caller& caller) {
    auto read = [&] { return http::body_bytes(request); };
    auto body = co_await run_blocking(deps.edxml.intake.blocking, read);
    if (!body) {
        co_return refused(body.error());
    }
    auto parts = http::parse_form_data(request.content_type, *body);
    if (!parts) {
        co_return refused(parts.error());
    }
    const auto* package = http::find_part(*parts, provincial::kPackagePart);
    if (package == nullptr) {
        co_return refused(fail(errc::malformed, std::string(provincial::kPackagePart),
                               "the package part is missing"));
    }
    if (const auto* type = http::find_part(*parts, provincial::kMessageTypePart);
        type != nullptr && type->body != "edoc" && type->body != "status") {
        co_return refused(
            fail(errc::malformed, std::string(provincial::kMessageTypePart), "edoc or status"));
    }
    national::PackageKind kind = national::PackageKind::envelope;
    auto response =
        co_await accept_edxml(deps.edxml, request, caller, std::string(package->body), kind);
    auto id = answered_id(response, kind == national::PackageKind::status);
    if (!id) {
        co_return refused(id.error());
    }
    co_return answer(provincial::success(provincial::sent_data(*id)));
}

// One listed item with who sent it, from the ledger.
boost::asio::awaitable<Result<provincial::ListedItem>> listed(ProvincialDeps& deps,
                                                              const Caller& caller,
                                                              const OutboxItem& item) {
    const Registry& registry = *caller.registry;
    provincial::ListedItem out{item.item_id, "", wire_code(registry, caller.org->code),
                               item.created_at};
    if (item.kind == "status") {
        auto status = co_await deps.inbox.envelopes.get_status(item.item_id);
        if (!status) {
            co_return status.error();
        }
        out.from = *status ? wire_code(registry, (*status)->from) : "";
        co_return out;
    }
    auto envelope = co_await deps.inbox.envelopes.load_envelope(item.ref, false);
    if (!envelope) {
        co_return envelope.error();
    }
    out.from = *envelope ? wire_code(registry, (*envelope)->from) : "";
    co_return out;
}

boost::asio::awaitable<http::Response> list(ProvincialDeps& deps,
                                            const http::Request& request,
                                            const Caller& caller) {
    auto query = [&](const char* name) -> std::string {
        auto it = request.query.find(name);
        return it == request.query.end() ? std::string() : it->second;
    };
    const std::string type = query("messageType").empty() ? "edoc" : query("messageType");
    if (type != "edoc" && type != "status") {
        co_return refused(fail(errc::malformed, "messageType", "edoc or status"));
    }
    auto window = provincial::list_window(query("fromDate"), query("toDate"));
    if (!window) {
        co_return refused(window.error());
    }
    auto items = co_await deps.inbox.outbox.list_inbox(caller.org->code,
                                                       type == "edoc" ? "envelope" : "status",
                                                       window->first, window->second, kMaxListed);
    if (!items) {
        co_return refused(items.error());
    }
    json::array entries;
    for (const auto& item : *items) {
        auto entry = co_await listed(deps, caller, item);
        if (!entry) {
            co_return refused(entry.error());
        }
        entries.push_back(provincial::list_entry(*entry));
    }
    const auto count = entries.size();
    co_return answer(provincial::success(std::move(entries), count));
}

// The open or taken item `id` of the caller's inbox, as an inbox item; nullopt when it is no
// item of the caller's.
boost::asio::awaitable<Result<std::optional<v1::InboxItem>>> own_item(ProvincialDeps& deps,
                                                                      const Caller& caller,
                                                                      const std::string& id) {
    QueueMessage message;
    message.id = id;
    message.recipient = caller.org->code;
    if (id.starts_with("d-")) {
        auto delivery = co_await deps.inbox.envelopes.get_delivery(id);
        if (!delivery) {
            co_return delivery.error();
        }
        if (!*delivery || (*delivery)->recipient != caller.org->code) {
            co_return std::optional<v1::InboxItem>();
        }
        message.kind = "envelope";
        message.enqueued_at = (*delivery)->created_at;
    } else {
        auto status = co_await deps.inbox.envelopes.get_status(id);
        if (!status) {
            co_return status.error();
        }
        if (!*status || (*status)->to != caller.org->code || (*status)->notice.empty()) {
            co_return std::optional<v1::InboxItem>();
        }
        message.kind = "status";
        message.enqueued_at = (*status)->recorded_at;
    }
    // The package carries its attachments inline, so the whole answer's bound applies.
    auto budget = static_cast<std::int64_t>(deps.inbox.options.max_bytes);
    auto item = co_await inbox_item(deps.inbox, message, budget);
    if (!item) {
        co_return item.error();
    }
    co_return std::optional<v1::InboxItem>(std::move(*item));
}

Failure no_such_document(const std::string& id) {
    return fail(errc::not_found, "docId", "no such document for this unit: " + id);
}

boost::asio::awaitable<http::Response> get(ProvincialDeps& deps,
                                           const http::Request& request,
                                           const Caller& caller) {
    auto it = request.query.find("docId");
    const std::string id = it == request.query.end() ? "" : it->second;
    auto item = co_await own_item(deps, caller, id);
    if (!item) {
        co_return refused(item.error());
    }
    if (!*item) {
        co_return refused(no_such_document(id));
    }
    auto package = edxml_package_of(**item, national::registry_lookup(caller.registry));
    if (!package) {
        co_return refused(package.error());
    }
    const Registry& registry = *caller.registry;
    const auto enqueued = parse_instant((*item)->enqueued_at());
    provincial::ListedItem summary{id, wire_code(registry, (*item)->from()),
                                   wire_code(registry, caller.org->code),
                                   enqueued ? *enqueued : Instant{}};
    std::string from_name, edoc_code, abstract;
    if (const OrgInfo* sender = registry.find((*item)->from())) {
        from_name = sender->name;
    }
    v1::EnvelopeHeader header;
    if ((*item)->has_envelope() && header.ParseFromString((*item)->envelope().header())) {
        edoc_code = header.code().number() + "/" + header.code().notation();
        abstract = header.subject();
    }
    co_return answer(provincial::success(
        provincial::package_data(summary, from_name, edoc_code, abstract, *package)));
}

boost::asio::awaitable<http::Response> update_status(ProvincialDeps& deps,
                                                     http::Request& request,
                                                     const Caller& caller) {
    auto body = http::body_bytes(request);
    if (!body) {
        co_return refused(body.error());
    }
    boost::system::error_code ec;
    const json::value parsed = json::parse(*body, ec);
    const json::object* fields = ec ? nullptr : parsed.if_object();
    auto text = [&](const char* name) -> std::string {
        const json::value* v = fields ? fields->if_contains(name) : nullptr;
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (fields == nullptr || text("docId").empty() || text("status").empty()) {
        co_return refused(fail(errc::malformed, "body", "a JSON object with docId and status"));
    }
    const std::string id = text("docId");
    auto change = provincial::status_change(text("status"));
    if (!change) {
        co_return refused(change.error());
    }
    const auto ok = [] { return answer(provincial::success(json::object{{"status", "OK"}})); };
    using Kind = provincial::StatusChange::Kind;
    if (change->kind == Kind::receipt) {
        std::vector<std::string> ids{id};
        auto acked = co_await acknowledge_items(deps.inbox, request, caller.org->code, ids);
        if (acked.error) {
            v1::Error error;
            error.ParseFromString(acked.body);
            co_return refused(fail(*acked.error,
                                   error.field() == "delivery_id" ? "docId" : error.field(),
                                   error.message()));
        }
        co_return ok();
    }
    if (!id.starts_with("d-") || change->kind == Kind::transport) {
        // A transport step changes nothing: the package stays owed until its receipt.
        auto item = co_await own_item(deps, caller, id);
        if (!item) {
            co_return refused(item.error());
        }
        if (!*item || change->kind != Kind::transport) {
            co_return refused(
                *item ? fail(errc::invalid_status, "status", "a status notice takes only a receipt")
                      : no_such_document(id));
        }
        co_return ok();
    }
    auto delivery = co_await deps.inbox.envelopes.get_delivery(id);
    if (!delivery) {
        co_return refused(delivery.error());
    }
    if (!*delivery || (*delivery)->recipient != caller.org->code) {
        co_return refused(no_such_document(id));
    }
    auto envelope = co_await deps.inbox.envelopes.load_envelope((*delivery)->envelope_seq, false);
    if (!envelope || !*envelope) {
        co_return refused(envelope ? no_such_document(id) : envelope.error());
    }
    v1::StatusUpdate update;
    update.set_document_id((*envelope)->document_id);
    update.set_envelope_id((*envelope)->envelope_id);
    update.set_to((*envelope)->from_given);
    update.set_code(change->code);
    update.set_description(text("description"));
    update.set_timestamp(format_instant(deps.inbox.context.clock.now()));
    request.accept = std::string(http::kProtobufType);
    auto response = co_await record_status(deps.edxml.status, request, caller, "provincial.status",
                                           std::move(update));
    if (auto recorded = answered_id(response, true); !recorded) {
        co_return refused(recorded.error());
    }
    co_return ok();
}

http::Response agencies(const Registry& registry) {
    json::array content;
    for (const auto& [code, org] : registry.organizations()) {
        content.push_back(provincial::agency_entry(org));
    }
    const auto total = content.size();
    return answer(provincial::success(
        json::object{{"content", std::move(content)}, {"totalElements", total}}));
}

std::string random_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("no random bytes for a login token");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

}  // namespace

ProvincialTokens::ProvincialTokens(std::chrono::seconds ttl, std::size_t max)
    : ttl_(ttl), max_(std::max<std::size_t>(max, 1)) {}

std::string ProvincialTokens::issue(const std::string& cert_sha256, Instant now) {
    std::string token = random_token();
    std::lock_guard lock(mutex_);
    std::erase_if(tokens_, [&](const auto& t) { return t.second.expires <= now; });
    // One certificate holds a few tokens at most, so logging in again and again cannot push
    // other clients' tokens out of the bound.
    auto oldest_of = [&](auto keep) {
        auto oldest = tokens_.end();
        std::size_t count = 0;
        for (auto it = tokens_.begin(); it != tokens_.end(); ++it) {
            if (keep(it->second)) {
                ++count;
                if (oldest == tokens_.end() || it->second.expires < oldest->second.expires) {
                    oldest = it;
                }
            }
        }
        return std::pair{oldest, count};
    };
    if (auto [oldest, count] =
            oldest_of([&](const Entry& e) { return e.cert_sha256 == cert_sha256; });
        count >= kTokensPerCertificate) {
        tokens_.erase(oldest);
    }
    if (tokens_.size() >= max_) {
        tokens_.erase(oldest_of([](const Entry&) { return true; }).first);
    }
    tokens_[token] = Entry{cert_sha256, now + ttl_};
    return token;
}

bool ProvincialTokens::valid(const std::string& token,
                             const std::string& cert_sha256,
                             Instant now) const {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(token);
    return it != tokens_.end() && it->second.cert_sha256 == cert_sha256 && now < it->second.expires;
}

http::Response provincial_refusal(const Failure& failure, http::Response answer) {
    const auto reply = provincial::refusal(failure);
    answer.status = reply.status;
    answer.content_type = "application/json";
    answer.body = reply.body;
    return answer;
}

bool is_provincial_path(const std::string& prefix, const std::string& path) {
    return !prefix.empty() && path.size() > prefix.size() && path.starts_with(prefix) &&
           path[prefix.size()] == '/';
}

boost::asio::awaitable<http::Response> provincial_dispatch(ProvincialDeps& deps,
                                                           http::Request request) {
    CallerContext& context = deps.inbox.context;
    const auto call = provincial::call_of(request.method, request.path.substr(deps.prefix.size()));
    if (!call) {
        co_return refused(fail(errc::not_found, "", "no such call"));
    }
    const std::string cert = request.client_cert_sha256.value_or("");
    const Instant now = context.clock.now();
    if (*call == Call::login) {
        // The certificate is the identity; the shared admin login names nobody.
        co_return answer(
            provincial::login_reply(deps.tokens.issue(cert, now), deps.tokens.ttl_s()));
    }
    const auto token = provincial::bearer_token(request.header(provincial::kAuthorizationHeader));
    if (!deps.tokens.valid(token, cert, now)) {
        co_return answer(provincial::token_refused(), errc::unauthenticated);
    }
    if (*call == Call::agencies) {
        co_return agencies(*context.registry.get());
    }
    auto caller = unit_caller(context, request);
    if (!caller) {
        co_await audit(context, "cert:" + cert.substr(0, 16), "provincial.unit", "",
                       std::string(code_name(caller.error().code)),
                       "request=" + request.request_id + " field=" + caller.error().field);
        co_return refused(caller.error());
    }
    request.accept = std::string(http::kProtobufType);
    switch (*call) {
        case Call::send:
            co_return co_await send(deps, request, *caller);
        case Call::list:
            co_return co_await list(deps, request, *caller);
        case Call::get:
            co_return co_await get(deps, request, *caller);
        case Call::update_status:
            co_return co_await update_status(deps, request, *caller);
        case Call::login:
        case Call::agencies:
            break;
    }
    co_return refused(fail(errc::internal, "", "unrouted call"));
}

}  // namespace hub
