#pragma once
/// An immutable snapshot of the organization registry, built from the ledger's
/// lienthong.v1.Registry. Changes build a new snapshot that replaces the old one atomically,
/// so a request sees one consistent registry and the next request sees the change.

#include "hub/core/org_code.h"
#include "hub/core/result.h"
#include "lienthong/v1/registry.pb.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hub {

struct OrgInfo {
    std::string code;   ///< canonical
    std::string given;  ///< as registered
    std::string edxml;  ///< edXML form when it has one
    std::string name;
    std::string parent;
    bool active = true;
    lienthong::v1::Route route = lienthong::v1::LOCAL;
    std::vector<lienthong::v1::SignerCert> signers;
    /// Revoked through the admin API; they win over `signers` and the subject-UID rule.
    std::vector<lienthong::v1::SignerCert> revoked_signers;
    /// May post edXML without an XMLDSig signature (OrgEntry.unsigned_edxml_allowed).
    bool unsigned_edxml_allowed = false;
};

/// A document system that acts for several units on the provincial API façade, with one
/// client certificate (SystemEntry). It is nobody on the hub's own API.
struct SystemInfo {
    struct Unit {
        std::string code;           ///< canonical code of the organization it acts as
        std::string secret_sha256;  ///< lowercase hex SHA-256 of its X-SecretKey
    };
    std::string name;
    std::map<std::string, Unit, std::less<>> units;  ///< by X-SystemId
};

/// Canonical codes the national directory lists (the adapter's last sync): a code of the
/// hub's own province that is not registered here still goes out when the axis serves it.
using NationalDirectory = std::set<std::string>;

/// Where a recipient goes (envelope.md "Routing").
enum class RouteKind { local, national, unknown };

struct RouteDecision {
    RouteKind kind = RouteKind::unknown;
    std::string
        code;  ///< canonical code of the registered organization (local), or of the code (national)
};

class Registry {
public:
    /// Builds the snapshot; entries whose code does not parse are skipped and named in `skipped`.
    static std::shared_ptr<const Registry> build(const lienthong::v1::Registry& source,
                                                 std::vector<std::string>* skipped = nullptr);

    /// The organization a code (either form, any registered alias) names; null when none.
    const OrgInfo* find(std::string_view code) const;
    /// The organization a TLS client certificate (SHA-256 hex, any case) belongs to.
    const OrgInfo* by_client_cert(std::string_view sha256) const;
    /// The system a TLS client certificate belongs to; null when it is none's (an
    /// organization's certificate is never a system's).
    const SystemInfo* by_system_cert(std::string_view sha256) const;
    /// Whether a signer certificate may sign for the organization. Revocation is checked
    /// first and wins: a fingerprint revoked for any organization, or a UID revoked for this
    /// one, is CERTIFICATE_REVOKED (field "signature"). Otherwise it belongs when its subject
    /// UID names the organization (either code form), or its fingerprint or UID is registered
    /// for it; else SIGNER_MISMATCH (field "signature").
    Result<void> check_signer(const OrgInfo& org,
                              std::string_view cert_sha256,
                              std::string_view subject_uid) const;
    /// check_signer() succeeded.
    bool signer_belongs(const OrgInfo& org,
                        std::string_view cert_sha256,
                        std::string_view subject_uid) const;

    /// Routing of one recipient: local when registered, active and routed LOCAL; national
    /// when the adapter is enabled and the directory lists it, or its level-1 code is not
    /// the hub's province (or it is registered with route NATIONAL); otherwise unknown.
    RouteDecision route(const OrgCode& recipient,
                        std::string_view province,
                        bool national_enabled,
                        const NationalDirectory& national_directory = {}) const;

    const std::map<std::string, OrgInfo>& organizations() const { return orgs_; }

private:
    bool signer_listed(const OrgInfo& org,
                       const std::string& lower_sha256,
                       std::string_view subject_uid) const;

    std::map<std::string, OrgInfo> orgs_;                           // canonical -> info
    std::map<std::string, std::string, std::less<>> aliases_;       // canonical alias -> canonical
    std::map<std::string, std::string, std::less<>> client_certs_;  // lowercase sha256 -> canonical
    std::set<std::string, std::less<>> revoked_signer_certs_;       // lowercase sha256
    std::map<std::string, SystemInfo> systems_;                     // name -> info
    std::map<std::string, std::string, std::less<>> system_certs_;  // lowercase sha256 -> name
};

}  // namespace hub
