#pragma once
/// lienthongd's configuration: JSON of lienthong.v1.Config, checked once at start-up, with
/// defaults filled in and relative paths resolved against the config file's directory.

#include "hub/core/result.h"
#include "lienthong/v1/config.pb.h"

#include <string>

namespace hub {

/// Reads, parses (unknown keys refused) and checks the file. Error: MALFORMED whose
/// message is one line naming the key or value at fault.
Result<lienthong::v1::Config> load_config(const std::string& path);

/// Fills defaults and resolves paths of an already parsed config relative to `base_dir`.
Result<lienthong::v1::Config> complete_config(lienthong::v1::Config config,
                                              const std::string& base_dir);

}  // namespace hub
