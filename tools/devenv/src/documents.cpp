#include "documents.h"

#include "hub/core/org_code.h"
#include "lienthong/v1/config.pb.h"
#include "lienthong/v1/registry.pb.h"

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <stdexcept>

namespace lienthong::devenv::detail {
namespace {

namespace v1 = lienthong::v1;
namespace pbu = google::protobuf::util;

// snake_case names and every field, defaults included, so people see what they can change.
std::string print(const google::protobuf::Message& message) {
    pbu::JsonPrintOptions options;
    options.add_whitespace = true;
    options.always_print_primitive_fields = true;
    options.preserve_proto_field_names = true;
    std::string out;
    if (auto status = pbu::MessageToJsonString(message, &out, options); !status.ok()) {
        throw std::runtime_error("dev-env: " + std::string(status.message()));
    }
    return out;
}

// "maxBodyBytes" -> "max_body_bytes": overrides in either spelling land on the key the
// file already has instead of sitting beside it as a duplicate.
std::string snake(std::string_view key) {
    std::string out;
    for (const char c : key) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

void merge(boost::json::object& base, const boost::json::object& overrides) {
    for (const auto& [key, value] : overrides) {
        const std::string name = snake(key);
        auto* existing = base.if_contains(name);
        if (existing != nullptr && existing->is_object() && value.is_object()) {
            for (const auto& [inner_key, inner_value] : value.as_object()) {
                existing->as_object()[snake(inner_key)] = inner_value;
            }
        } else if (value.is_object()) {
            boost::json::object converted;
            for (const auto& [inner_key, inner_value] : value.as_object()) {
                converted[snake(inner_key)] = inner_value;
            }
            base[name] = std::move(converted);
        } else {
            base[name] = value;
        }
    }
}

}  // namespace

std::string registry_json(const std::vector<AgencyFiles>& agencies) {
    v1::Registry registry;
    for (const auto& a : agencies) {
        auto code = hub::parse_org_code(a.agency.code);
        if (!code) {
            throw std::runtime_error("dev-env: bad agency code " + a.agency.code);
        }
        auto* org = registry.add_organizations();
        org->set_code(a.agency.code);
        const std::string other =
            code->form == hub::OrgCodeForm::edxml ? code->canonical : code->edxml();
        if (!other.empty() && other != a.agency.code) {
            org->add_aliases(other);
        }
        org->set_name(a.agency.name);
        org->set_parent(code->parent());
        org->set_category("agency");
        org->set_status(v1::ACTIVE);
        org->set_route(v1::LOCAL);
        org->add_client_cert_sha256(a.client_sha256);
        org->add_signers()->set_sha256(a.signer_sha256);
    }
    return print(registry);
}

std::string config_json(const DevEnvOptions& options, const std::string& operator_sha256) {
    v1::Config c;
    c.set_province("H39");
    c.mutable_agency()->set_address("127.0.0.1");
    c.mutable_agency()->set_port(options.agency_port);
    c.mutable_operator_()->set_address("127.0.0.1");
    c.mutable_operator_()->set_port(options.operator_port);
    c.mutable_tls()->set_server_cert("hub/server.crt");
    c.mutable_tls()->set_server_key("hub/server.key");
    c.mutable_tls()->set_client_ca("ca/root.crt");
    // Only the operator's own certificate opens /admin, not any certificate of the CA.
    c.mutable_tls()->add_operator_cert_sha256(operator_sha256);
    c.mutable_trust()->set_anchors_dir("ca/trust");
    c.mutable_trust()->set_crl_dir("ca/crl");
    c.set_registry_file("registry.json");
    c.mutable_store()->set_ledger("data/ledger.db");
    c.mutable_store()->set_blob_dir("data/blobs");
    c.mutable_receipt()->set_key("hub/receipt.key");
    c.mutable_receipt()->set_cert("hub/receipt.crt");
    c.set_ports_file("run/ports.json");
    c.mutable_logging()->set_file("run/lienthongd.log");
    if (options.config_overrides.empty()) {
        return print(c);
    }
    auto merged = boost::json::parse(print(c)).as_object();
    merge(merged, options.config_overrides);
    v1::Config checked;
    auto status = pbu::JsonStringToMessage(boost::json::serialize(merged), &checked);
    if (!status.ok()) {
        throw std::runtime_error("dev-env: config overrides: " + std::string(status.message()));
    }
    return print(checked);
}

std::string readme_text(const std::vector<AgencyFiles>& agencies) {
    std::string list;
    for (const auto& a : agencies) {
        list += "  agencies/" + a.agency.code + "/  " + a.agency.name + "\n";
    }
    const std::string first = agencies.front().agency.code;
    return "lienthong development environment (made by `lienthongctl dev-env`)\n"
           "==================================================================\n"
           "Test keys only: everything here was generated on this machine and must never be\n"
           "used for real documents.\n"
           "\n"
           "Run the hub:     lienthongd --config lienthongd.json\n"
           "Bound ports:     run/ports.json (port 0 in the config lets the daemon pick)\n"
           "Daemon log:      run/lienthongd.log\n"
           "Ledger, blobs:   data/\n"
           "\n"
           "Certificates\n"
           "  ca/                 test CA: root and issuing (intermediate) certificates and keys\n"
           "  ca/trust/           anchors for document signatures (trust.anchors_dir)\n"
           "  ca/crl/             CRL of the issuing CA (lists " +
           first +
           "/signer-revoked)\n"
           "  foreign-ca/         a second CA the hub does not trust\n"
           "  hub/server.*        TLS server certificate (localhost, 127.0.0.1)\n"
           "  hub/receipt.*       the hub's receipt signer (EC P-256, UID=H39)\n"
           "  operator/client.*   operator client certificate (operator listener, /admin);\n"
           "                      the only one tls.operator_cert_sha256 admits\n"
           "\n"
           "Agencies (province H39, Long An), each with client.{crt,key} for mutual TLS and\n"
           "signer.{crt,key} (RSA-2048, UID = its code) for document signatures:\n" +
           list +
           "\n"
           "Bad credentials for negative tests:\n"
           "  agencies/" +
           first +
           "/signer-revoked.*    listed in ca/crl\n"
           "  agencies/" +
           first +
           "/signer-expired.*    validity entirely in the past\n"
           "  agencies/" +
           first +
           "/signer-other-org.*  UID H39.99, not a registered organization\n"
           "  foreign/signer.*                     UID " +
           first +
           ", issued by foreign-ca\n"
           "  unregistered/client.*                our CA, UID H39.98, not in the registry\n"
           "\n"
           "registry.json lists the agencies (lienthong.v1.Registry); lienthongd.json is the\n"
           "daemon's config (lienthong.v1.Config), with paths relative to this directory.\n";
}

}  // namespace lienthong::devenv::detail
