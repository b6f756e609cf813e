#pragma once
// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it
// reads what a scraper reads and throws on anything a scraper would reject or misread, so a
// test checks /metrics by its meaning rather than by matching lines. Header-only; shared by
// the unit tests of hub/ops and the integration tests of /metrics.

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace prom {

struct Sample {
    std::string name;  // as written: a histogram's series end in _bucket, _sum, _count
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct Family {
    std::string type;  // counter, gauge, histogram, summary, untyped
    std::string help;
    bool has_help = false;
    std::vector<Sample> samples;
};

struct Text {
    std::map<std::string, Family> families;

    /// The family `name`; throws when absent.
    const Family& family(const std::string& name) const {
        auto it = families.find(name);
        if (it == families.end()) {
            throw std::runtime_error("no metric family " + name);
        }
        return it->second;
    }
    /// The value of the one sample of `name` whose labels include `labels`; nullopt when
    /// none; throws when several match.
    std::optional<double> value(const std::string& name,
                                const std::map<std::string, std::string>& labels = {}) const {
        std::optional<double> found;
        for (const auto& [family_name, family] : families) {
            for (const auto& s : family.samples) {
                if (s.name != name) {
                    continue;
                }
                bool match = true;
                for (const auto& [k, v] : labels) {
                    auto it = s.labels.find(k);
                    match = match && it != s.labels.end() && it->second == v;
                }
                if (!match) {
                    continue;
                }
                if (found) {
                    throw std::runtime_error("several samples of " + name + " match");
                }
                found = s.value;
            }
        }
        return found;
    }
};

namespace detail {

inline bool name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

class Line {
public:
    Line(std::string_view text, int number) : s_(text), number_(number) {}

    [[noreturn]] void error(const std::string& what) const {
        throw std::runtime_error("line " + std::to_string(number_) + ": " + what + ": " +
                                 std::string(s_));
    }
    bool done() const { return pos_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[pos_]; }
    void expect(char c) {
        if (peek() != c) {
            error(std::string("expected '") + c + "'");
        }
        ++pos_;
    }
    void skip_blanks() {
        while (peek() == ' ' || peek() == '\t') {
            ++pos_;
        }
    }
    std::string name(bool allow_colon = true) {
        const std::size_t start = pos_;
        if (!name_start(peek()) || (!allow_colon && peek() == ':')) {
            error("expected a name");
        }
        while (name_char(peek()) && (allow_colon || peek() != ':')) {
            ++pos_;
        }
        return std::string(s_.substr(start, pos_ - start));
    }
    std::string quoted() {
        expect('"');
        std::string out;
        for (;;) {
            if (done()) {
                error("unterminated label value");
            }
            char c = s_[pos_++];
            if (c == '"') {
                return out;
            }
            if (c == '\\') {
                if (done()) {
                    error("dangling escape");
                }
                char e = s_[pos_++];
                if (e == 'n') {
                    out += '\n';
                } else if (e == '\\' || e == '"') {
                    out += e;
                } else {
                    error("bad escape");
                }
            } else {
                out += c;
            }
        }
    }
    std::string word() {
        const std::size_t start = pos_;
        while (!done() && peek() != ' ' && peek() != '\t') {
            ++pos_;
        }
        return std::string(s_.substr(start, pos_ - start));
    }
    std::string rest() {
        auto r = std::string(s_.substr(pos_));
        pos_ = s_.size();
        return r;
    }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
    int number_;
};

inline double parse_value(const std::string& word, const Line& line) {
    if (word == "+Inf" || word == "Inf") {
        return INFINITY;
    }
    if (word == "-Inf") {
        return -INFINITY;
    }
    if (word == "NaN") {
        return NAN;
    }
    if (word.empty()) {
        line.error("missing value");
    }
    char* end = nullptr;
    const double v = std::strtod(word.c_str(), &end);
    if (end != word.c_str() + word.size()) {
        line.error("bad value '" + word + "'");
    }
    return v;
}

// The family a sample name belongs to, given the TYPEs seen so far.
inline std::string family_of(const std::string& sample, const std::map<std::string, Family>& fs) {
    if (fs.count(sample)) {
        return sample;
    }
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string_view sv(suffix);
        if (sample.size() > sv.size() &&
            sample.compare(sample.size() - sv.size(), sv.size(), sv) == 0) {
            const auto base = sample.substr(0, sample.size() - sv.size());
            auto it = fs.find(base);
            if (it != fs.end() &&
                (it->second.type == "histogram" || it->second.type == "summary")) {
                return base;
            }
        }
    }
    return {};
}

inline void check_histogram(const std::string& name, const Family& f) {
    // Group by the labels other than le.
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    for (const auto& s : f.samples) {
        auto key = s.labels;
        if (s.name == name + "_bucket") {
            auto le = key.find("le");
            if (le == key.end()) {
                throw std::runtime_error(name + ": a bucket without le");
            }
            Line l(le->second, 0);
            const double bound = parse_value(le->second, l);
            key.erase(le);
            buckets[key].emplace_back(bound, s.value);
        } else if (s.name == name + "_count") {
            counts[key] = s.value;
        }
    }
    for (const auto& [key, list] : buckets) {
        double last_bound = -INFINITY;
        double last_count = 0;
        for (const auto& [bound, count] : list) {
            if (!(bound > last_bound)) {
                throw std::runtime_error(name + ": buckets not in increasing le order");
            }
            if (count < last_count) {
                throw std::runtime_error(name + ": buckets not cumulative");
            }
            last_bound = bound;
            last_count = count;
        }
        if (!std::isinf(last_bound)) {
            throw std::runtime_error(name + ": no +Inf bucket");
        }
        auto c = counts.find(key);
        if (c == counts.end() || c->second != last_count) {
            throw std::runtime_error(name + ": _count differs from the +Inf bucket");
        }
    }
}

}  // namespace detail

/// Parses a whole exposition. Requires of every family a HELP and a TYPE before its samples,
/// samples of one family together, no family described twice, no repeated series, and of
/// histograms increasing le, cumulative buckets and a +Inf bucket equal to _count.
inline Text parse(std::string_view text) {
    Text out;
    std::string current;  // the family whose samples are being read
    std::set<std::string> closed;
    std::set<std::string> series;
    int number = 0;
    std::size_t start = 0;
    if (!text.empty() && text.back() != '\n') {
        throw std::runtime_error("the exposition does not end with a newline");
    }
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        const std::string_view raw = text.substr(start, end - start);
        start = end + 1;
        ++number;
        detail::Line line(raw, number);
        line.skip_blanks();
        if (line.done()) {
            continue;
        }
        if (line.peek() == '#') {
            line.expect('#');
            line.skip_blanks();
            const std::string keyword = line.word();
            if (keyword != "HELP" && keyword != "TYPE") {
                continue;  // a plain comment
            }
            line.skip_blanks();
            const std::string name = line.name();
            if (closed.count(name)) {
                line.error("family " + name + " described after its samples");
            }
            Family& f = out.families[name];
            if (!f.samples.empty()) {
                line.error("HELP or TYPE after samples of " + name);
            }
            if (keyword == "TYPE") {
                line.skip_blanks();
                const std::string type = line.word();
                static const std::set<std::string> kTypes{"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
                if (!kTypes.count(type) || !f.type.empty()) {
                    line.error("bad or repeated TYPE");
                }
                f.type = type;
            } else {
                if (f.has_help) {
                    line.error("repeated HELP");
                }
                line.expect(' ');
                f.help = line.rest();
                f.has_help = true;
            }
            if (current != name && !current.empty()) {
                closed.insert(current);
            }
            current = name;
            continue;
        }
        Sample s;
        s.name = line.name();
        if (line.peek() == '{') {
            line.expect('{');
            line.skip_blanks();
            while (line.peek() != '}') {
                const std::string label = line.name(false);
                line.skip_blanks();
                line.expect('=');
                line.skip_blanks();
                if (s.labels.count(label)) {
                    line.error("repeated label " + label);
                }
                s.labels[label] = line.quoted();
                line.skip_blanks();
                if (line.peek() == ',') {
                    line.expect(',');
                    line.skip_blanks();
                } else if (line.peek() != '}') {
                    line.error("expected ',' or '}'");
                }
            }
            line.expect('}');
        }
        line.skip_blanks();
        s.value = detail::parse_value(line.word(), line);
        line.skip_blanks();
        if (!line.done()) {
            const std::string ts = line.word();  // an optional integer timestamp
            char* e = nullptr;
            std::strtoll(ts.c_str(), &e, 10);
            if (ts.empty() || e != ts.c_str() + ts.size()) {
                line.error("bad timestamp");
            }
            line.skip_blanks();
            if (!line.done()) {
                line.error("trailing text");
            }
        }
        const std::string family = detail::family_of(s.name, out.families);
        if (family.empty()) {
            line.error("sample of " + s.name + " without a TYPE");
        }
        if (family != current) {
            line.error("sample of " + family + " outside its group");
        }
        Family& f = out.families[family];
        if (!f.has_help) {
            line.error("family " + family + " has no HELP");
        }
        std::string key = s.name;
        for (const auto& [k, v] : s.labels) {
            key += '\x1f' + k + '=' + v;
        }
        if (!series.insert(key).second) {
            line.error("repeated series");
        }
        if (f.type == "counter" && !(s.value >= 0)) {
            line.error("negative counter");
        }
        f.samples.push_back(std::move(s));
    }
    for (const auto& [name, f] : out.families) {
        if (f.type.empty()) {
            throw std::runtime_error("family " + name + " has no TYPE");
        }
        if (f.type == "histogram") {
            detail::check_histogram(name, f);
        }
    }
    return out;
}

}  // namespace prom
