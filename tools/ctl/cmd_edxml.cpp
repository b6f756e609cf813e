// lienthongctl edxml decode|encode: an edXML package as the JSON of the hub's matching message,
// and back. Offline: no daemon, no registry (codes map by their written form alone).
// edxml post: a package to a running daemon's POST /v1/edxml, as `post` does for envelopes.

#include "hub/core/clock.h"
#include "hub/core/digest.h"
#include "hub/crypto/trust_store.h"
#include "hub/crypto/verify.h"
#include "hub/national/edxml.h"
#include "hub/national/edxml_mapping.h"
#include "hub/national/xmldsig.h"

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>

#include <iostream>

#include "args.h"
#include "commands.h"
#include "env.h"
#include "files.h"

namespace ctl {
namespace v1 = lienthong::v1;
namespace nat = hub::national;

namespace {

constexpr const char* kUsage =
    "usage: edxml decode FILE [--strict] [--max-inflated BYTES] [--trust DIR [--crl DIR]] "
    "[--json] | "
    "edxml encode FILE.json -o OUT.edxml [--sign-key K --sign-cert C] | "
    "edxml post --env DIR --as CODE FILE [--json]";

int report(const hub::Failure& failure, bool json) {
    if (json) {
        std::cout << boost::json::serialize(
                         boost::json::object{{"ok", false},
                                             {"code", hub::code_name(failure.code)},
                                             {"field", failure.field},
                                             {"message", failure.text()}})
                  << "\n";
    } else {
        std::cout << hub::code_name(failure.code) << " " << failure.field << ": " << failure.text()
                  << "\n";
    }
    return 2;
}

boost::json::value json_of(const google::protobuf::Message& message) {
    return boost::json::parse(to_json(message, false));
}

boost::json::array json_of(const std::vector<std::string>& flags) {
    boost::json::array out;
    for (const auto& f : flags) {
        out.emplace_back(f);
    }
    return out;
}

// The package's XMLDSig, checked; with --trust its signer chained to those anchors too.
hub::Result<boost::json::object> signature_of(const std::string& xml,
                                              const Args& args,
                                              std::vector<std::string>& flags) {
    auto sig = nat::verify_xmldsig(xml);
    if (!sig) {
        return sig.error();
    }
    boost::json::object out{{"present", sig->has_value()}};
    if (!sig->has_value()) {
        return out;
    }
    const nat::XmlSignature& s = **sig;
    out["algorithm"] = s.signature_algorithm;
    out["digest"] = s.digest_algorithm;
    out["weak"] = s.weak;
    out["certSha256"] = hub::sha256_hex(s.cert_der);
    if (s.weak) {
        flags.emplace_back(nat::kWeakSignatureFlag);
    }
    if (auto trust = args.get("trust")) {
        hub::crypto::TrustStoreOptions options;
        options.allow_stale_crl = !args.has("crl");
        auto store = hub::crypto::TrustStore::load(*trust, args.get("crl").value_or(""), options);
        if (!store) {
            throw UsageError("--trust: " + store.error().text());
        }
        auto signer = hub::crypto::verify_certificate(s.cert_der, s.chain_der, **store,
                                                      hub::SystemClock().now());
        if (!signer) {
            return signer.error();
        }
        out["signer"] = boost::json::object{{"subject", signer->subject}, {"uid", signer->uid}};
    }
    return out;
}

int decode(const Args& args) {
    if (args.positionals().size() != 1) {
        throw UsageError(kUsage);
    }
    const bool json = args.has("json");
    const std::string xml = read_file(args.positionals()[0]);
    nat::DecodeOptions options;
    options.mode = args.has("strict") ? nat::DecodeMode::strict : nat::DecodeMode::lenient;
    if (auto limit = args.get("max-inflated")) {
        try {
            options.max_inflated_bytes = std::stoull(*limit);
        } catch (const std::exception&) {
            throw UsageError("--max-inflated: a number of bytes");
        }
    }
    auto kind = nat::package_kind(xml, options.limits);
    if (!kind) {
        return report(kind.error(), json);
    }
    const nat::CodeLookup lookup;  // offline: codes map by their form alone
    boost::json::object out{{"ok", true}};
    std::vector<std::string> flags;
    if (*kind == nat::PackageKind::status) {
        auto package = nat::decode_status_package(xml, options);
        if (!package) {
            return report(package.error(), json);
        }
        auto mapped = nat::to_status_update(*package, lookup, options.mode);
        if (!mapped) {
            return report(mapped.error(), json);
        }
        flags = mapped->flags;
        out["kind"] = "status";
        out["from"] = mapped->from;
        out["statusUpdate"] = json_of(mapped->update);
        if (!json) {
            std::cout << "status " << mapped->update.code() << " from " << mapped->from << " about "
                      << mapped->update.document_id() << " at " << mapped->update.timestamp()
                      << "\n";
        }
    } else {
        auto package = nat::decode_envelope_package(xml, options);
        if (!package) {
            return report(package.error(), json);
        }
        auto mapped = nat::to_signed_envelope(*package, xml, lookup, options.mode);
        if (!mapped) {
            return report(mapped.error(), json);
        }
        flags = mapped->flags;
        // The original bytes are FILE itself: left out rather than repeated in base64.
        mapped->envelope.clear_edxml_package();
        out["kind"] = "envelope";
        out["signedEnvelope"] = json_of(mapped->envelope);
        out["header"] = json_of(mapped->header);
        boost::json::array attachments;
        for (const auto& ref : mapped->header.attachments()) {
            attachments.push_back(
                boost::json::object{{"contentId", ref.content_id()},
                                    {"name", ref.name()},
                                    {"mediaType", ref.media_type()},
                                    {"size", ref.size()},
                                    {"sha256", ref.sha256()},
                                    {"role", v1::AttachmentRole_Name(ref.role())}});
        }
        out["attachments"] = std::move(attachments);
        if (!json) {
            const auto& h = mapped->header;
            std::cout << v1::BusinessType_Name(h.business_type()) << " " << h.document_id()
                      << " from " << h.from().code() << " to";
            for (const auto& to : h.to()) {
                std::cout << " " << to;
            }
            std::cout << "\n" << h.subject() << "\n";
            for (const auto& ref : h.attachments()) {
                std::cout << v1::AttachmentRole_Name(ref.role()) << " " << ref.name() << " "
                          << ref.size() << " " << ref.sha256() << "\n";
            }
        }
    }
    auto signature = signature_of(xml, args, flags);
    if (!signature) {
        return report(signature.error(), json);
    }
    out["signature"] = std::move(*signature);
    out["flags"] = json_of(flags);
    if (json) {
        std::cout << boost::json::serialize(out) << "\n";
    } else {
        for (const auto& f : flags) {
            std::cout << "flag " << f << "\n";
        }
    }
    return 0;
}

template <class Message>
void message_from(const boost::json::value& value, Message& message, const char* what) {
    auto status =
        google::protobuf::util::JsonStringToMessage(boost::json::serialize(value), &message);
    if (!status.ok()) {
        throw UsageError(std::string(what) + ": " + std::string(status.message()));
    }
}

int encode(const Args& args) {
    if (args.positionals().size() != 1) {
        throw UsageError(kUsage);
    }
    const std::string out_path = args.require("out");
    boost::json::value doc;
    try {
        doc = boost::json::parse(read_file(args.positionals()[0]));
    } catch (const std::exception& e) {
        throw UsageError(args.positionals()[0] + ": not JSON: " + e.what());
    }
    if (!doc.is_object()) {
        throw UsageError(args.positionals()[0] + ": not a JSON object");
    }
    const boost::json::object& o = doc.as_object();
    const nat::CodeLookup lookup;
    hub::Result<std::string> xml = hub::fail(hub::errc::malformed, "", "nothing to encode");
    if (const auto* update_json = o.if_contains("statusUpdate")) {
        v1::StatusUpdate update;
        message_from(*update_json, update, "statusUpdate");
        v1::Organization from;
        if (const auto* f = o.if_contains("from"); f != nullptr && f->is_string()) {
            from.set_code(std::string(f->as_string()));
        } else {
            throw UsageError("a statusUpdate needs \"from\", the reporter's code");
        }
        auto package = nat::from_status_update(update, from, lookup);
        if (!package) {
            return report(package.error(), false);
        }
        xml = nat::encode_status_package(*package);
    } else {
        // The decode output ({"signedEnvelope": ...}) or a SignedEnvelope's own JSON.
        v1::SignedEnvelope envelope;
        const auto* inner = o.if_contains("signedEnvelope");
        message_from(inner != nullptr ? *inner : doc, envelope, "signedEnvelope");
        auto package = nat::from_signed_envelope(envelope, lookup);
        if (!package) {
            return report(package.error(), false);
        }
        xml = nat::encode_envelope_package(*package);
    }
    if (!xml) {
        return report(xml.error(), false);
    }
    const auto key = args.get("sign-key");
    const auto cert = args.get("sign-cert");
    if (key.has_value() != cert.has_value()) {
        throw UsageError("--sign-key and --sign-cert go together");
    }
    if (key) {
        auto signed_xml = nat::sign_xmldsig(*xml, read_file(*key), read_file(*cert));
        if (!signed_xml) {
            throw std::runtime_error("signing: " + signed_xml.error().text());
        }
        xml = std::move(*signed_xml);
    }
    write_file(out_path, *xml);
    std::cerr << "edXML package written to " << out_path << "\n";
    return 0;
}

int post(const Args& args) {
    if (args.positionals().size() != 1) {
        throw UsageError(kUsage);
    }
    DevEnv env(args.require("env"));
    // Sent byte for byte: the package's XMLDSig covers all of it.
    const std::string xml = read_file(args.positionals()[0]);
    hub::http::Client client(env.agency_client(args.require("as")));
    auto response =
        call(client, boost::beast::http::verb::post, "/v1/edxml", xml, "application/xml");
    return finish(response, args.has("json"),
                  [](const std::string& body) { std::cout << body << "\n"; });
}

}  // namespace

int cmd_edxml(const Words& words) {
    if (words.empty() || (words[0] != "decode" && words[0] != "encode" && words[0] != "post")) {
        throw UsageError(kUsage);
    }
    Words rest(words.begin() + 1, words.end());
    if (words[0] == "decode") {
        return decode(Args(rest, {"trust", "crl", "max-inflated"}, {"json", "strict"}));
    }
    if (words[0] == "post") {
        return post(Args(rest, {"env", "as"}, {"json"}));
    }
    return encode(Args(rest, {"out", "sign-key", "sign-cert"}, {"json"}));
}

}  // namespace ctl
