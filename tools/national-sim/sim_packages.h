#pragma once
// The only place the simulator looks inside a package: what it must know to route one
// (sender, recipients, DocumentId) and the status packages its peers answer with.
// Both go through the edXML codec (adapters/national).

#include <optional>
#include <string>
#include <vector>

namespace lienthong::sim {

struct PackageInfo {
    bool status = false;          ///< a status package (no body), else a document
    std::string document_id;      ///< DocumentId, or ResponseFor/DocumentId of a status
    std::string from;             ///< From/OrganId
    std::vector<std::string> to;  ///< To/OrganId of a document; ResponseFor/OrganId of a status
    std::string status_code;      ///< StatusCode of a status
};

/// Reads what routing needs; nullopt when the bytes are not an edXML package.
std::optional<PackageInfo> read_package_info(const std::string& package);

/// A status package from `from` about the document `about` (its DocumentId and sender).
std::string build_status_package(const PackageInfo& about,
                                 const std::string& from,
                                 const std::string& code,
                                 const std::string& description);

}  // namespace lienthong::sim
