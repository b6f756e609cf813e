// lienthongctl org ...: registry changes through the operator listener. They
// take effect on the hub's next request, without a restart.

#include "hub/crypto/fingerprint.h"
#include "lienthong/v1/registry.pb.h"

#include <iostream>

#include "args.h"
#include "commands.h"
#include "env.h"
#include "files.h"

namespace ctl {
namespace v1 = lienthong::v1;
using boost::beast::http::verb;

namespace {

int answer(const hub::http::ClientResponse& response) {
    if (response.status / 100 == 2) {
        if (!response.body.empty()) {
            std::cout << response.body << "\n";
        }
        return 0;
    }
    std::cerr << "HTTP " << response.status << ": " << response.body << "\n";
    return response.status / 100 == 4 ? 2 : 1;
}

// The fingerprint from --sha256, or computed from the certificate file in --cert.
std::string fingerprint(const Args& args) {
    if (auto sha = args.get("sha256")) {
        return *sha;
    }
    auto fp = hub::crypto::cert_fingerprint_pem(read_file(args.require("cert")));
    if (!fp) {
        throw UsageError("--cert: " + fp.error().text());
    }
    return *fp;
}

}  // namespace

int cmd_org(const Words& words) {
    if (words.empty()) {
        throw UsageError("usage: org list|add|suspend|activate|cert-add|cert-revoke --env DIR ...");
    }
    const std::string& action = words[0];
    Args args(Words(words.begin() + 1, words.end()),
              {"env", "code", "name", "parent", "alias", "route", "sha256", "cert", "kind"},
              {"json"});
    DevEnv env(args.require("env"));
    hub::http::Client client(env.operator_client());
    if (action == "list") {
        return answer(call(client, verb::get, "/admin/v1/orgs"));
    }
    if (action == "add") {
        v1::OrgEntry entry;
        entry.set_code(args.require("code"));
        entry.set_name(args.get("name").value_or(""));
        entry.set_parent(args.get("parent").value_or(""));
        for (const auto& alias : args.all("alias")) {
            entry.add_aliases(alias);
        }
        if (args.get("route").value_or("local") == "national") {
            entry.set_route(v1::NATIONAL);
        }
        if (args.has("cert") || args.has("sha256")) {
            entry.add_client_cert_sha256(fingerprint(args));
        }
        return answer(
            call(client, verb::post, "/admin/v1/orgs", to_json(entry, false), "application/json"));
    }
    if (action == "suspend" || action == "activate") {
        std::string code = args.get("code").value_or("");
        if (code.empty() && args.positionals().size() == 1) {
            code = args.positionals()[0];
        }
        if (code.empty()) {
            throw UsageError("org " + action + " needs a CODE");
        }
        return answer(call(client, verb::post, "/admin/v1/orgs/" + code + "/" + action));
    }
    if (action == "cert-add" || action == "cert-revoke") {
        v1::CertChange change;
        change.set_code(args.get("code").value_or(""));
        change.set_sha256(fingerprint(args));
        change.set_kind(args.get("kind").value_or("client"));
        if (change.kind() != "client" && change.kind() != "signer") {
            throw UsageError("--kind is client or signer");
        }
        if (action == "cert-add" && change.code().empty()) {
            throw UsageError("cert-add needs --code");
        }
        const std::string target =
            action == "cert-add" ? "/admin/v1/certs" : "/admin/v1/certs/revoke";
        return answer(call(client, verb::post, target, to_json(change, false), "application/json"));
    }
    throw UsageError("unknown org action '" + action + "'");
}

}  // namespace ctl
