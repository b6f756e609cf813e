#pragma once
// A small command-line reader for lienthongctl: `--name value`, `--flag`, positionals.
// Every command declares which flags take values, so a typo is one clear error line.

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctl {

/// A bad command line: printed as one line, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Args {
public:
    /// `valued` flags take the next word (repeatable); `switches` take none.
    Args(const std::vector<std::string>& words,
         const std::set<std::string>& valued,
         const std::set<std::string>& switches);

    bool has(const std::string& flag) const { return values_.count(flag) || switches_.count(flag); }
    std::optional<std::string> get(const std::string& flag) const;
    std::string require(const std::string& flag) const;
    std::vector<std::string> all(const std::string& flag) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::set<std::string> switches_;
    std::vector<std::string> positionals_;
};

}  // namespace ctl
