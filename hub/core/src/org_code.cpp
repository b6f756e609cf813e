#include "hub/core/org_code.h"

namespace hub {
namespace {

constexpr size_t kMaxQd20Length = 35;  // QĐ 20/2020/QĐ-TTg, Điều 4

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_kind(char c) { return c >= 'A' && c <= 'K'; }

bool all_digits(std::string_view s) {
    for (char c : s) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return !s.empty();
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

/// `Xdd`: an uppercase kind letter and two digits.
bool is_level1(std::string_view s) {
    return s.size() == 3 && is_kind(s[0]) && is_digit(s[1]) && is_digit(s[2]);
}

Failure bad_code(std::string_view text) {
    return fail(errc::invalid_org_code, {},
                "'" + std::string(text) + "' is not an organization code");
}

std::string join(const std::vector<std::string>& segments, size_t count) {
    std::string out;
    for (size_t i = 0; i < count && i < segments.size(); ++i) {
        if (i > 0) {
            out += '.';
        }
        out += segments[i];
    }
    return out;
}

OrgCode make(std::string_view given, OrgCodeForm form, std::vector<std::string> segments) {
    OrgCode code;
    code.given = std::string(given);
    code.form = form;
    code.kind = segments.front()[0];
    code.level1_number = (segments.front()[1] - '0') * 10 + (segments.front()[2] - '0');
    code.canonical = join(segments, segments.size());
    code.segments = std::move(segments);
    return code;
}

// `NNN.NN.NN.Xdd` (QCVN 102): the groups are levels 4, 3, 2 and 1 read right to left; a zero
// group means the level is unused, and a used level cannot hang below an unused one.
Result<OrgCode> parse_edxml(std::string_view text) {
    if (text.size() != 13 || text[3] != '.' || text[6] != '.' || text[9] != '.') {
        return bad_code(text);
    }
    const std::string_view level4 = text.substr(0, 3);
    const std::string_view level3 = text.substr(4, 2);
    const std::string_view level2 = text.substr(7, 2);
    const std::string_view level1 = text.substr(10, 3);
    if (!all_digits(level4) || !all_digits(level3) || !all_digits(level2) || !is_level1(level1)) {
        return bad_code(text);
    }
    std::vector<std::string> segments{std::string(level1)};
    bool unused_above = false;
    for (std::string_view level : {level2, level3, level4}) {
        if (all_zero(level)) {
            unused_above = true;
        } else if (unused_above) {
            return bad_code(text);
        } else {
            segments.emplace_back(level);
        }
    }
    return make(text, OrgCodeForm::edxml, std::move(segments));
}

// `Xdd[.NN[.NNN]...]` (QĐ 20/2020): left to right, segments of 2 or 3 digits.
Result<OrgCode> parse_qd20(std::string_view text) {
    if (text.size() > kMaxQd20Length || !is_level1(text.substr(0, 3))) {
        return bad_code(text);
    }
    std::vector<std::string> segments{std::string(text.substr(0, 3))};
    size_t pos = 3;
    while (pos < text.size()) {
        if (text[pos] != '.') {
            return bad_code(text);
        }
        const size_t start = pos + 1;
        size_t end = start;
        while (end < text.size() && text[end] != '.') {
            ++end;
        }
        const std::string_view segment = text.substr(start, end - start);
        if (segment.size() < 2 || segment.size() > 3 || !all_digits(segment)) {
            return bad_code(text);
        }
        segments.emplace_back(segment);
        pos = end;
    }
    return make(text, OrgCodeForm::qd20, std::move(segments));
}

}  // namespace

int OrgCode::province() const noexcept { return kind == 'H' || kind == 'K' ? level1_number : 0; }

std::string OrgCode::level1() const { return segments.empty() ? std::string() : segments.front(); }

std::string OrgCode::parent() const {
    return segments.size() <= 1 ? std::string() : join(segments, segments.size() - 1);
}

std::string OrgCode::edxml() const {
    static constexpr size_t kWidths[] = {2, 2, 3};  // levels 2, 3, 4
    if (segments.empty() || segments.size() > 4) {
        return {};
    }
    std::string groups[3] = {"00", "00", "000"};
    for (size_t i = 1; i < segments.size(); ++i) {
        // An all-zero segment would read back as "unused" and lose the level.
        if (segments[i].size() != kWidths[i - 1] || all_zero(segments[i])) {
            return {};
        }
        groups[i - 1] = segments[i];
    }
    return groups[2] + '.' + groups[1] + '.' + groups[0] + '.' + segments.front();
}

Result<OrgCode> parse_org_code(std::string_view text) {
    if (text.empty()) {
        return bad_code(text);
    }
    // The two forms are told apart by the first character: only the edXML form starts with
    // a digit.
    return is_digit(text.front()) ? parse_edxml(text) : parse_qd20(text);
}

std::string canonical_org_code(std::string_view text) {
    auto code = parse_org_code(text);
    return code ? std::move(code->canonical) : std::string();
}

std::string_view org_kind_name(char kind) noexcept {
    switch (kind) {
        case 'A':
            return "party bodies";
        case 'B':
            return "President's office";
        case 'C':
            return "National Assembly";
        case 'D':
            return "courts";
        case 'E':
            return "procuracy";
        case 'F':
            return "state audit";
        case 'G':
            return "ministries and central agencies";
        case 'H':
            return "provincial People's Committees";
        case 'I':
            return "socio-political organizations";
        case 'J':
            return "social organizations";
        case 'K':
            return "provincial People's Councils";
        default:
            return {};
    }
}

}  // namespace hub
