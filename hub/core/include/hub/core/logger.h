#pragma once
/// One key=value line per event (rippled's Journal idea): passed by reference into the
/// components that log. Never give it document bodies, keys or passwords.

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace hub {

enum class LogLevel { debug = 0, info, warn, error, off };

class Logger {
public:
    /// Writes to `out` (not owned; stderr by default). Thread-safe.
    explicit Logger(LogLevel level = LogLevel::info, std::FILE* out = stderr)
        : level_(level), out_(out) {}

    bool enabled(LogLevel level) const noexcept {
        return level >= level_ && level_ != LogLevel::off;
    }
    void set_level(LogLevel level) noexcept { level_ = level; }

    /// `event` is a short snake_case name; `fields` is already "k=v k=v".
    void log(LogLevel level, std::string_view event, std::string_view fields = {});
    void debug(std::string_view event, std::string_view fields = {}) {
        log(LogLevel::debug, event, fields);
    }
    void info(std::string_view event, std::string_view fields = {}) {
        log(LogLevel::info, event, fields);
    }
    void warn(std::string_view event, std::string_view fields = {}) {
        log(LogLevel::warn, event, fields);
    }
    void error(std::string_view event, std::string_view fields = {}) {
        log(LogLevel::error, event, fields);
    }

    /// Parses "debug", "info", "warn", "error", "off"; false when unknown.
    static bool parse_level(std::string_view text, LogLevel& out) noexcept;

private:
    LogLevel level_;
    std::FILE* out_;
    std::mutex mutex_;
};

/// Quotes a value for a key=value line when it has spaces, quotes or control characters.
std::string log_value(std::string_view value);

}  // namespace hub
