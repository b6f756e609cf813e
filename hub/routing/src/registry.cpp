#include "hub/routing/registry.h"

#include <algorithm>
#include <cctype>

namespace hub {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::shared_ptr<const Registry> Registry::build(const lienthong::v1::Registry& source,
                                                std::vector<std::string>* skipped) {
    auto registry = std::make_shared<Registry>();
    for (const auto& entry : source.organizations()) {
        auto code = parse_org_code(entry.code());
        if (!code) {
            if (skipped) {
                skipped->push_back(entry.code());
            }
            continue;
        }
        OrgInfo info;
        info.code = code->canonical;
        info.given = entry.code();
        info.edxml = code->edxml();
        info.name = entry.name();
        info.parent = canonical_org_code(entry.parent());
        info.active = entry.status() == lienthong::v1::ACTIVE;
        info.route = entry.route() == lienthong::v1::NATIONAL ? lienthong::v1::NATIONAL
                                                              : lienthong::v1::LOCAL;
        info.signers.assign(entry.signers().begin(), entry.signers().end());
        info.revoked_signers.assign(entry.revoked_signers().begin(), entry.revoked_signers().end());
        info.unsigned_edxml_allowed = entry.unsigned_edxml_allowed();
        for (const auto& revoked : entry.revoked_signers()) {
            if (!revoked.sha256().empty()) {
                registry->revoked_signer_certs_.insert(lower(revoked.sha256()));
            }
        }
        for (const auto& alias : entry.aliases()) {
            if (auto canonical = canonical_org_code(alias); !canonical.empty()) {
                registry->aliases_[canonical] = info.code;
            }
        }
        for (const auto& sha : entry.client_cert_sha256()) {
            registry->client_certs_[lower(sha)] = info.code;
        }
        registry->orgs_[info.code] = std::move(info);
    }
    for (const auto& entry : source.systems()) {
        SystemInfo system;
        system.name = entry.name();
        for (const auto& unit : entry.units()) {
            const OrgInfo* org = registry->find(unit.code());
            if (org == nullptr) {
                if (skipped) {
                    skipped->push_back(entry.name() + "/" + unit.system_id());
                }
                continue;
            }
            system.units[unit.system_id()] = {org->code, lower(unit.secret_sha256())};
        }
        for (const auto& sha : entry.client_cert_sha256()) {
            if (!registry->client_certs_.contains(lower(sha))) {
                registry->system_certs_[lower(sha)] = entry.name();
            }
        }
        registry->systems_[entry.name()] = std::move(system);
    }
    return registry;
}

const SystemInfo* Registry::by_system_cert(std::string_view sha256) const {
    auto it = system_certs_.find(lower(sha256));
    if (it == system_certs_.end()) {
        return nullptr;
    }
    auto system = systems_.find(it->second);
    return system == systems_.end() ? nullptr : &system->second;
}

const OrgInfo* Registry::find(std::string_view code) const {
    auto canonical = canonical_org_code(code);
    if (canonical.empty()) {
        return nullptr;
    }
    if (auto alias = aliases_.find(canonical); alias != aliases_.end()) {
        canonical = alias->second;
    }
    auto it = orgs_.find(canonical);
    return it == orgs_.end() ? nullptr : &it->second;
}

const OrgInfo* Registry::by_client_cert(std::string_view sha256) const {
    auto it = client_certs_.find(lower(sha256));
    if (it == client_certs_.end()) {
        return nullptr;
    }
    auto org = orgs_.find(it->second);
    return org == orgs_.end() ? nullptr : &org->second;
}

Result<void> Registry::check_signer(const OrgInfo& org,
                                    std::string_view cert_sha256,
                                    std::string_view subject_uid) const {
    const auto sha = lower(cert_sha256);
    bool revoked = revoked_signer_certs_.contains(sha);
    for (const auto& signer : org.revoked_signers) {
        revoked = revoked || (!signer.uid().empty() && signer.uid() == subject_uid);
    }
    if (revoked) {
        return fail(errc::certificate_revoked, "signature",
                    "the signer certificate was revoked in the registry");
    }
    if (!signer_listed(org, sha, subject_uid)) {
        return fail(errc::signer_mismatch, "signature",
                    "the signer certificate does not belong to " + org.code);
    }
    return {};
}

bool Registry::signer_belongs(const OrgInfo& org,
                              std::string_view cert_sha256,
                              std::string_view subject_uid) const {
    return check_signer(org, cert_sha256, subject_uid).has_value();
}

bool Registry::signer_listed(const OrgInfo& org,
                             const std::string& sha,
                             std::string_view subject_uid) const {
    // A certificate from a trusted CA whose subject UID is the organization's code (in
    // either form) speaks for it; so does one registered by fingerprint or by UID.
    const OrgInfo* by_uid = subject_uid.empty() ? nullptr : find(subject_uid);
    if (by_uid == &org) {
        return true;
    }
    for (const auto& signer : org.signers) {
        if (!signer.sha256().empty() && lower(signer.sha256()) == sha) {
            return true;
        }
        if (!signer.uid().empty() && signer.uid() == subject_uid) {
            return true;
        }
    }
    return false;
}

RouteDecision Registry::route(const OrgCode& recipient,
                              std::string_view province,
                              bool national_enabled,
                              const NationalDirectory& national_directory) const {
    if (const OrgInfo* org = find(recipient.canonical)) {
        if (!org->active) {
            return {RouteKind::unknown, org->code};
        }
        if (org->route == lienthong::v1::NATIONAL) {
            return {national_enabled ? RouteKind::national : RouteKind::unknown, org->code};
        }
        return {RouteKind::local, org->code};
    }
    if (national_enabled &&
        (national_directory.contains(recipient.canonical) || recipient.level1() != province)) {
        return {RouteKind::national, recipient.canonical};
    }
    return {RouteKind::unknown, recipient.canonical};
}

}  // namespace hub
