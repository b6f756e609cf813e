#include "hub/routing/status_rules.h"

#include <algorithm>
#include <array>
#include <string>

namespace hub {
namespace {

constexpr std::array<std::string_view, 9> kKnown{"01", "02", "03", "04", "05",
                                                 "06", "13", "15", "16"};

bool has(const std::vector<std::string>& recorded, std::string_view code) {
    return std::find(recorded.begin(), recorded.end(), code) != recorded.end();
}

// A withdrawal request (13) is open until the recipient answers it with 15 or 16.
bool withdrawal_open(const std::vector<std::string>& recorded) {
    for (auto it = recorded.rbegin(); it != recorded.rend(); ++it) {
        if (*it == "13") {
            return true;
        }
        if (*it == "15" || *it == "16") {
            return false;
        }
    }
    return false;
}

Failure out_of_order(std::string_view code, std::string_view why) {
    return fail(errc::invalid_status, "code",
                "status " + std::string(code) + " not allowed now: " + std::string(why));
}

}  // namespace

bool is_known_status(std::string_view code) noexcept {
    return std::find(kKnown.begin(), kKnown.end(), code) != kKnown.end();
}

bool awaiting_handling(const std::vector<std::string>& recorded) noexcept {
    return !has(recorded, "02") && !has(recorded, "03");
}

Result<void> check_status(const std::vector<std::string>& recorded,
                          std::string_view code,
                          StatusParty party,
                          std::string_view description) {
    if (!is_known_status(code)) {
        return fail(errc::invalid_status, "code",
                    "unknown status code '" + std::string(code) + "'");
    }
    const bool from_recipient = code != "01" && code != "13";
    if ((code == "01" && party != StatusParty::hub) ||
        (code == "13" && party != StatusParty::sender) ||
        (from_recipient && party != StatusParty::recipient)) {
        return fail(errc::invalid_status, "code",
                    "status " + std::string(code) + " is not sent by this party");
    }
    if (has(recorded, "02")) {
        return out_of_order(code, "the document was rejected (02 is final)");
    }
    if ((code == "02" || code == "13") && description.empty()) {
        return fail(errc::reason_required, "description",
                    "status " + std::string(code) + " needs a reason in description");
    }
    if (code == "01") {
        if (has(recorded, "01")) {
            return out_of_order(code, "already arrived");
        }
        return {};
    }
    if (code == "13") {
        if (withdrawal_open(recorded)) {
            return out_of_order(code, "a withdrawal request is already open");
        }
        return {};
    }
    if (code == "15" || code == "16") {
        if (!withdrawal_open(recorded)) {
            return out_of_order(code, "no open withdrawal request (13)");
        }
        return {};
    }
    if (!has(recorded, "01")) {
        return out_of_order(code, "the document has not arrived (01) yet");
    }
    if (code == "02" || code == "03") {
        if (has(recorded, "03")) {
            return out_of_order(code, "the document was already accepted (03)");
        }
        return {};
    }
    // 04, 05, 06: handling steps after acceptance; 06 (done) closes them.
    if (!has(recorded, "03")) {
        return out_of_order(code, "the document has not been accepted (03) yet");
    }
    if (has(recorded, "06")) {
        return out_of_order(code, "handling is already done (06)");
    }
    // Progress reports (04 assigned, 05 in progress) are not unlimited: each one is a notice
    // to the sender and a line in the trace.
    const auto progress = std::count_if(recorded.begin(), recorded.end(), [](const std::string& c) {
        return c == "04" || c == "05";
    });
    if ((code == "04" || code == "05") &&
        progress >= static_cast<std::ptrdiff_t>(kMaxProgressReports)) {
        return fail(errc::invalid_status, "code",
                    "at most " + std::to_string(kMaxProgressReports) +
                        " progress reports (04/05) per delivery");
    }
    return {};
}

}  // namespace hub
