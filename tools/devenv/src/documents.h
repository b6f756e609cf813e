#pragma once
// The JSON and text files of a dev environment, built from what make_dev_env issued.

#include "lienthong/devenv/dev_env.h"

#include <string>
#include <vector>

namespace lienthong::devenv::detail {

/// One agency with the fingerprints the registry lists for it.
struct AgencyFiles {
    DevAgency agency;
    std::string client_sha256;
    std::string signer_sha256;
};

/// registry.json: lienthong.v1.Registry, snake_case JSON, every field printed.
std::string registry_json(const std::vector<AgencyFiles>& agencies);

/// lienthongd.json: lienthong.v1.Config with paths relative to the environment directory,
/// the operator certificate as the only operator credential, then options.config_overrides merged.
/// Throws std::runtime_error when the merged result is not a valid Config (an override with a
/// misspelt key fails here, not in the daemon).
std::string config_json(const DevEnvOptions& options, const std::string& operator_sha256);

/// README.txt for people.
std::string readme_text(const std::vector<AgencyFiles>& agencies);

}  // namespace lienthong::devenv::detail
