#include "args.h"

namespace ctl {

Args::Args(const std::vector<std::string>& words,
           const std::set<std::string>& valued,
           const std::set<std::string>& switches) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i] == "-o" ? std::string("--out") : words[i];
        if (word.rfind("--", 0) != 0 || word == "--") {
            positionals_.push_back(word);
            continue;
        }
        std::string name = word.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (valued.count(name)) {
            if (inline_value) {
                values_[name].push_back(*inline_value);
            } else if (i + 1 < words.size()) {
                values_[name].push_back(words[++i]);
            } else {
                throw UsageError("--" + name + " needs a value");
            }
        } else if (switches.count(name) && !inline_value) {
            switches_.insert(name);
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::optional<std::string> Args::get(const std::string& flag) const {
    auto it = values_.find(flag);
    if (it == values_.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second.back();
}

std::string Args::require(const std::string& flag) const {
    auto value = get(flag);
    if (!value) {
        throw UsageError("missing --" + flag);
    }
    return *value;
}

std::vector<std::string> Args::all(const std::string& flag) const {
    auto it = values_.find(flag);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace ctl
