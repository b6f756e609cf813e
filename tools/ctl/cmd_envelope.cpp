// lienthongctl envelope build|check

#include "hub/core/clock.h"
#include "hub/core/digest.h"
#include "hub/core/validation.h"
#include "hub/crypto/cms_signer.h"
#include "hub/crypto/trust_store.h"
#include "hub/crypto/verify.h"

#include <boost/json.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <random>

#include "args.h"
#include "commands.h"
#include "files.h"

namespace ctl {
namespace v1 = lienthong::v1;

namespace {

std::string media_type_for(const std::string& path) {
    static const std::map<std::string, std::string> kByExtension{
        {".pdf", "application/pdf"},
        {".doc", "application/msword"},
        {".xls", "application/vnd.ms-excel"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".odt", "application/vnd.oasis.opendocument.text"},
        {".ods", "application/vnd.oasis.opendocument.spreadsheet"},
        {".rtf", "application/rtf"},
        {".txt", "text/plain"},
        {".csv", "text/csv"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".tif", "image/tiff"},
        {".tiff", "image/tiff"},
        {".svg", "image/svg+xml"},
    };
    auto ext = std::filesystem::path(path).extension().string();
    for (auto& c : ext) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto it = kByExtension.find(ext);
    return it == kByExtension.end() ? "application/octet-stream" : it->second;
}

std::string new_uuid() {
    std::random_device rd;
    std::uniform_int_distribution<int> nibble(0, 15);
    std::string out;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            out += '-';
        }
        int value = nibble(rd);
        if (i == 12) {
            value = 4;  // version 4
        } else if (i == 16) {
            value = 8 | (value & 3);  // RFC 4122 variant
        }
        out += kHex[value];
    }
    return out;
}

// "file.pdf:MAIN" -> {"file.pdf", MAIN}; a colon not followed by a role is part of the path.
std::pair<std::string, std::optional<v1::AttachmentRole>> split_role(const std::string& spec) {
    static const std::map<std::string, v1::AttachmentRole> kRoles{
        {"MAIN", v1::MAIN}, {"APPENDIX", v1::APPENDIX}, {"OTHER", v1::OTHER}};
    if (auto colon = spec.rfind(':'); colon != std::string::npos) {
        std::string role = spec.substr(colon + 1);
        for (auto& c : role) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (auto it = kRoles.find(role); it != kRoles.end()) {
            return {spec.substr(0, colon), it->second};
        }
    }
    return {spec, std::nullopt};
}

int build(const Args& args) {
    v1::EnvelopeHeader header;
    std::string error;
    if (!read_message(args.require("header"), header, error)) {
        throw UsageError("--header: " + error);
    }
    const auto out_path = args.require("out");
    v1::SignedEnvelope envelope;
    bool have_main = false;
    for (const auto& ref : header.attachments()) {
        have_main = have_main || ref.role() == v1::MAIN;
    }
    const auto attach = args.all("attach");
    for (std::size_t i = 0; i < attach.size(); ++i) {
        auto [path, role] = split_role(attach[i]);
        const std::string content = read_file(path);
        auto* ref = static_cast<int>(i) < header.attachments_size()
                        ? header.mutable_attachments(static_cast<int>(i))
                        : header.add_attachments();
        if (ref->content_id().empty()) {
            ref->set_content_id("cid:" + std::to_string(i + 1));
        }
        if (ref->name().empty()) {
            ref->set_name(std::filesystem::path(path).filename().string());
        }
        if (ref->media_type().empty()) {
            ref->set_media_type(media_type_for(path));
        }
        if (ref->size() == 0) {
            ref->set_size(content.size());
        }
        if (ref->sha256().empty()) {
            ref->set_sha256(hub::sha256_hex(content));
        }
        if (role) {
            ref->set_role(*role);
        } else if (ref->role() == v1::ROLE_UNSPECIFIED) {
            ref->set_role(!have_main && ref->media_type() == "application/pdf" ? v1::MAIN
                                                                               : v1::APPENDIX);
        }
        have_main = have_main || ref->role() == v1::MAIN;
        auto* attachment = envelope.add_attachments();
        attachment->set_content_id(ref->content_id());
        attachment->set_content(content);
    }
    if (header.envelope_id().empty()) {
        header.set_envelope_id(new_uuid());
    }
    if (header.created_at().empty()) {
        header.set_created_at(hub::format_instant(hub::SystemClock().now()));
    }
    envelope.set_header(header.SerializeAsString());
    const auto key = args.get("sign-key");
    const auto cert = args.get("sign-cert");
    if (key.has_value() != cert.has_value()) {
        throw UsageError("--sign-key and --sign-cert go together");
    }
    if (key) {
        auto signer = hub::crypto::CmsSigner::load(*key, *cert);
        if (!signer) {
            throw std::runtime_error("signing key: " + signer.error().text());
        }
        auto signature = signer->sign_detached(envelope.header());
        if (!signature) {
            throw std::runtime_error("signing: " + signature.error().text());
        }
        envelope.set_signature(*signature);
    }
    write_file(out_path, args.has("json") ? to_json(envelope) : envelope.SerializeAsString());
    if (args.has("json")) {
        std::cerr << "envelope " << header.envelope_id() << " written to " << out_path << "\n";
    } else {
        std::cout << header.envelope_id() << "\n";
    }
    return 0;
}

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

int check(const Args& args) {
    if (args.positionals().size() != 1) {
        throw UsageError("usage: envelope check FILE [--trust DIR] [--json]");
    }
    const bool json = args.has("json");
    v1::SignedEnvelope envelope;
    std::string error;
    if (!read_message(args.positionals()[0], envelope, error)) {
        return report(hub::fail(hub::errc::malformed, "body", error), json);
    }
    auto checked = hub::validate_envelope(envelope);
    if (!checked) {
        return report(checked.error(), json);
    }
    if (auto trust = args.get("trust")) {
        // Offline, without --crl there is no revocation data to insist on: check the rest.
        hub::crypto::TrustStoreOptions options;
        options.allow_stale_crl = !args.has("crl");
        auto store = hub::crypto::TrustStore::load(*trust, args.get("crl").value_or(""), options);
        if (!store) {
            throw UsageError("--trust: " + store.error().text());
        }
        auto signer = hub::crypto::verify_detached(envelope.header(), envelope.signature(), **store,
                                                   hub::SystemClock().now());
        if (!signer) {
            return report(signer.error(), json);
        }
    }
    if (json) {
        std::cout << boost::json::serialize(
                         boost::json::object{{"ok", true},
                                             {"envelope_id", checked->header.envelope_id()},
                                             {"document_id", checked->header.document_id()},
                                             {"from", checked->from.canonical}})
                  << "\n";
    } else {
        std::cout << "OK\n";
    }
    return 0;
}

}  // namespace

int cmd_envelope(const Words& words) {
    if (words.empty() || (words[0] != "build" && words[0] != "check")) {
        throw UsageError("usage: envelope build ... | envelope check FILE");
    }
    Words rest(words.begin() + 1, words.end());
    if (words[0] == "build") {
        return build(Args(rest, {"header", "attach", "sign-key", "sign-cert", "out"}, {"json"}));
    }
    return check(Args(rest, {"trust", "crl"}, {"json"}));
}

}  // namespace ctl
