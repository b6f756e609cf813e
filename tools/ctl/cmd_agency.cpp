// Agency-side commands against a running daemon: post, inbox, status send, trace, receipt.

#include "hub/core/digest.h"
#include "hub/crypto/verify.h"
#include "lienthong/v1/api.pb.h"
#include "lienthong/v1/envelope.pb.h"

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <iostream>

#include "args.h"
#include "commands.h"
#include "env.h"
#include "files.h"
#include "inbox_edxml.h"

namespace ctl {
namespace v1 = lienthong::v1;
using boost::beast::http::verb;

namespace {

v1::Receipt parse_receipt(const std::string& path) {
    v1::Receipt receipt;
    std::string error;
    if (!read_message(path, receipt, error)) {
        throw UsageError(path + ": " + error);
    }
    return receipt;
}

}  // namespace

int cmd_post(const Words& words) {
    Args args(words, {"env", "as", "save-receipt"}, {"json"});
    if (args.positionals().size() != 1) {
        throw UsageError("usage: post --env DIR --as CODE FILE [--save-receipt OUT]");
    }
    DevEnv env(args.require("env"));
    v1::SignedEnvelope envelope;
    std::string error;
    if (!read_message(args.positionals()[0], envelope, error)) {
        throw UsageError(args.positionals()[0] + ": " + error);
    }
    hub::http::Client client(env.agency_client(args.require("as")));
    auto response = call(client, verb::post, "/v1/envelopes", envelope.SerializeAsString(),
                         "application/x-protobuf");
    const bool json = args.has("json");
    return finish(response, json, [&](const std::string& body) {
        if (auto out = args.get("save-receipt")) {
            write_file(*out, body);
        }
        v1::Receipt receipt;
        if (json || !google::protobuf::util::JsonStringToMessage(body, &receipt).ok()) {
            std::cout << body << "\n";
            return;
        }
        std::cout << (response.status == 200 ? "already accepted" : "accepted")
                  << " envelope=" << receipt.envelope_id() << " document=" << receipt.document_id()
                  << " sent_at=" << receipt.sent_at() << "\n";
        for (const auto& r : receipt.recipients()) {
            std::cout << "  to " << r.code() << " route=" << v1::Route_Name(r.route())
                      << " delivery=" << r.delivery_id() << "\n";
        }
    });
}

int cmd_receipt(const Words& words) {
    if (words.empty() || words[0] != "verify") {
        throw UsageError("usage: receipt verify FILE [--env DIR | --cert CERT.pem]");
    }
    Args args(Words(words.begin() + 1, words.end()), {"env", "cert"}, {"json"});
    if (args.positionals().size() != 1) {
        throw UsageError("receipt verify needs one FILE");
    }
    std::string cert_path;
    if (auto cert = args.get("cert")) {
        cert_path = *cert;
    } else {
        cert_path = DevEnv(args.require("env")).receipt_cert();
    }
    const auto receipt = parse_receipt(args.positionals()[0]);
    auto signer = hub::crypto::verify_detached_with_cert(
        receipt.signed_().receipt(), receipt.signed_().signature(), read_file(cert_path));
    v1::Receipt inner;
    // The readable fields must say what the signature covers.
    if (signer && (!inner.ParseFromString(receipt.signed_().receipt()) ||
                   inner.envelope_id() != receipt.envelope_id() ||
                   inner.accepted_at() != receipt.accepted_at() ||
                   inner.header_sha256() != receipt.header_sha256())) {
        signer = hub::fail(hub::errc::signature_invalid, "receipt",
                           "the readable receipt differs from the signed one");
    }
    if (!signer) {
        std::cout << hub::code_name(signer.error().code) << ": " << signer.error().text() << "\n";
        return 2;
    }
    std::cout << "OK envelope=" << inner.envelope_id() << " accepted_at=" << inner.accepted_at()
              << " signer=" << signer->subject << "\n";
    return 0;
}

int cmd_inbox(const Words& words) {
    Args args(words, {"env", "as", "save", "wait", "max", "format"}, {"ack", "json"});
    const auto format = args.get("format").value_or("json");
    if (format != "json" && format != "edxml") {
        throw UsageError("--format: json or edxml");
    }
    DevEnv env(args.require("env"));
    hub::http::Client client(env.agency_client(args.require("as")));
    const std::string target = "/v1/inbox?max=" + args.get("max").value_or("10") +
                               "&wait=" + args.get("wait").value_or("0");
    if (format == "edxml") {
        return inbox_edxml(client, target, args);
    }
    auto response = call(client, verb::get, target);
    if (response.status != 200) {
        return finish(response, args.has("json"), [](const std::string&) {});
    }
    v1::InboxBatch batch;
    if (!google::protobuf::util::JsonStringToMessage(response.body, &batch).ok()) {
        throw std::runtime_error("inbox: the hub answered something that is not an InboxBatch");
    }
    int exit_code = 0;
    v1::AckRequest taken;
    for (const auto& item : batch.items()) {
        if (item.has_envelope()) {
            v1::EnvelopeHeader header;
            header.ParseFromString(item.envelope().header());
            if (!args.has("json")) {
                std::cout << "envelope " << item.delivery_id() << " from=" << header.from().code()
                          << " document=" << header.document_id() << " subject=" << header.subject()
                          << "\n";
            }
            if (auto save = args.get("save")) {
                const auto dir = std::filesystem::path(*save) / header.envelope_id();
                std::filesystem::create_directories(dir);
                // Large attachments come by reference: download them, so what is saved is
                // the envelope exactly as the sender signed it.
                v1::SignedEnvelope whole = item.envelope();
                for (auto& attachment : *whole.mutable_attachments()) {
                    if (attachment.download_path().empty()) {
                        continue;
                    }
                    auto download = call(client, verb::get, attachment.download_path());
                    if (download.status != 200) {
                        std::cerr << "download failed (HTTP " << download.status
                                  << "): " << attachment.content_id() << "\n";
                        exit_code = 1;
                        continue;
                    }
                    attachment.set_content(std::move(download.body));
                    attachment.clear_download_path();
                }
                for (const auto& ref : header.attachments()) {
                    for (const auto& attachment : whole.attachments()) {
                        if (attachment.content_id() != ref.content_id()) {
                            continue;
                        }
                        if (hub::sha256_hex(attachment.content()) != ref.sha256()) {
                            std::cerr << "digest mismatch: " << ref.name() << "\n";
                            exit_code = 1;
                            continue;
                        }
                        const auto name = std::filesystem::path(ref.name()).filename().string();
                        write_file((dir / (name.empty() ? ref.content_id() : name)).string(),
                                   attachment.content());
                    }
                }
                write_file((dir / "envelope.pb").string(), whole.SerializeAsString());
            }
        } else if (!args.has("json")) {
            const auto& s = item.status();
            std::cout << "status " << item.delivery_id() << " code=" << s.code()
                      << " from=" << s.from() << " document=" << s.document_id()
                      << (s.description().empty() ? "" : " reason=" + s.description())
                      << (s.official_received_at().empty()
                              ? ""
                              : " official_received_at=" + s.official_received_at())
                      << "\n";
        }
        if (exit_code == 0) {
            taken.add_delivery_ids(item.delivery_id());
        }
    }
    // What was saved before a failure is acked, all in one request (one transaction).
    if (args.has("ack") && taken.delivery_ids_size() > 0) {
        if (const int acked = ack(client, taken, args.has("json")); acked != 0) {
            exit_code = acked;
        }
    }
    if (args.has("json")) {
        std::cout << response.body << "\n";
    } else if (batch.items().empty()) {
        std::cout << "inbox empty\n";
    }
    return exit_code;
}

int cmd_status(const Words& words) {
    if (words.empty() || words[0] != "send") {
        throw UsageError(
            "usage: status send --env DIR --as CODE --document-id ID --to CODE --code NN");
    }
    Args args(Words(words.begin() + 1, words.end()),
              {"env", "as", "document-id", "envelope-id", "to", "code", "description", "staff",
               "department", "timestamp"},
              {"json"});
    DevEnv env(args.require("env"));
    v1::StatusUpdate update;
    update.set_document_id(args.require("document-id"));
    update.set_envelope_id(args.get("envelope-id").value_or(""));
    update.set_to(args.require("to"));
    update.set_code(args.require("code"));
    update.set_description(args.get("description").value_or(""));
    update.mutable_staff()->set_name(args.get("staff").value_or(""));
    update.mutable_staff()->set_department(args.get("department").value_or(""));
    update.set_timestamp(args.get("timestamp").value_or(""));
    hub::http::Client client(env.agency_client(args.require("as")));
    auto response =
        call(client, verb::post, "/v1/status", to_json(update, false), "application/json");
    return finish(response, args.has("json"),
                  [](const std::string& body) { std::cout << body << "\n"; });
}

int cmd_trace(const Words& words) {
    Args args(words, {"env", "as"}, {"json"});
    if (args.positionals().size() != 1) {
        throw UsageError("usage: trace --env DIR --as CODE ENVELOPE_ID");
    }
    DevEnv env(args.require("env"));
    hub::http::Client client(env.agency_client(args.require("as")));
    auto response = call(client, verb::get, "/v1/envelopes/" + args.positionals()[0]);
    return finish(response, args.has("json"),
                  [](const std::string& body) { std::cout << body << "\n"; });
}

}  // namespace ctl
