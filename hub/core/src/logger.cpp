#include "hub/core/logger.h"

#include "hub/core/clock.h"

namespace hub {

void Logger::log(LogLevel level, std::string_view event, std::string_view fields) {
    if (!enabled(level)) {
        return;
    }
    static constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
    std::string line = "ts=" + format_instant(SystemClock().now());
    line += " level=";
    line += kNames[static_cast<int>(level)];
    line += " event=";
    line += event;
    if (!fields.empty()) {
        line += ' ';
        line += fields;
    }
    line += '\n';
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

bool Logger::parse_level(std::string_view text, LogLevel& out) noexcept {
    static constexpr std::pair<std::string_view, LogLevel> kLevels[] = {{"debug", LogLevel::debug},
                                                                        {"info", LogLevel::info},
                                                                        {"warn", LogLevel::warn},
                                                                        {"error", LogLevel::error},
                                                                        {"off", LogLevel::off}};
    for (const auto& [name, level] : kLevels) {
        if (name == text) {
            out = level;
            return true;
        }
    }
    return false;
}

std::string log_value(std::string_view value) {
    bool needs_quotes = value.empty();
    for (unsigned char c : value) {
        if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) {
            needs_quotes = true;
            break;
        }
    }
    if (!needs_quotes) {
        return std::string(value);
    }
    std::string out = "\"";
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < ' ' || c == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    return out;
}

}  // namespace hub
