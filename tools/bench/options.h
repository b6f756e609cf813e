#pragma once
// lienthong_bench's command line.

#include <boost/json/object.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

/// Bad flags or values; main prints it with the usage text and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Mode { intake, e2e, raw_confirm };
enum class Format { protobuf, json };

struct Options {
    Mode mode = Mode::intake;
    int connections = 8;
    int seconds = 10;
    int rounds = 3;
    int warmup_seconds = 1;
    int client_threads = 1;
    std::string daemon;  ///< empty: <build>/hub/daemon/lienthongd beside this executable
    std::string dir;     ///< empty: a fresh temporary directory
    bool keep = false;
    std::string json_file;
    Format format = Format::protobuf;
    int pdf_bytes = 16 * 1024;
    int max_pool = 60'000;
    boost::json::object config_overrides;  ///< --set, merged into lienthongd.json
    /// --transport: "sqlite" (the embedded inbox) or "amqp" (queue.kind amqp on --amqp-url).
    std::string transport = "sqlite";
    std::string amqp_url;  ///< default: LIENTHONG_AMQP_URL
    /// Raw confirm phases: message bytes and confirm window (what the hub's relay publishes).
    int raw_bytes = 24;
    int raw_window = 256;
    // e2e only
    int rate = 200;
    int agencies = 4;
    int pollers = 2;
    bool ack_list = true;  ///< --ack list (one POST /v1/inbox/ack per batch) or each
    int grace_seconds = 10;
    /// The command line as typed, shell-quoted, for the top of the report.
    std::string command_line;
};

/// Parses argv. Throws UsageError on an unknown flag, a missing or out-of-range value.
/// Returns false when --help was asked (usage already printed).
bool parse_options(int argc, char** argv, Options& out);

/// The usage text.
const char* usage_text();

const char* mode_name(Mode mode);
const char* format_name(Format format);

}  // namespace bench
