#include "options.h"

#include <boost/json/parse.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace bench {
namespace {

// Quotes a word so the printed command can be pasted back into a shell.
std::string shell_quote(std::string_view word) {
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_./=:,+@%") == std::string_view::npos;
    if (plain) {
        return std::string(word);
    }
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

int to_int(const std::string& flag, const std::string& text, int min, int max) {
    int value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) {
        throw UsageError(flag + ": '" + text + "' is not a whole number");
    }
    if (value < min || value > max) {
        throw UsageError(flag + ": " + text + " is outside " + std::to_string(min) + ".." +
                         std::to_string(max));
    }
    return value;
}

// One level deep, like DevEnvOptions::config_overrides, so several --set flags add up.
void merge_override(boost::json::object& into, const std::string& text) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(text, ec);
    if (ec || !parsed.is_object()) {
        throw UsageError("--set: '" + text + "' is not a JSON object");
    }
    for (auto& [key, value] : parsed.as_object()) {
        auto* existing = into.if_contains(key);
        if (existing && existing->is_object() && value.is_object()) {
            for (auto& [k, v] : value.as_object()) {
                existing->as_object()[k] = v;
            }
        } else {
            into[key] = value;
        }
    }
}

}  // namespace

const char* usage_text() {
    return R"(usage: lienthong_bench --mode intake|e2e|raw-confirm [flags]

Starts lienthongd in a fresh dev environment and measures it against a baseline in the
same run. See tools/bench/README.md.

common flags:
  --mode M             intake (W1 POST vs GET /healthz) or e2e (POST -> inbox latency)
  --connections N      intake: connections per workload; e2e: sender connections (8)
  --seconds S          intake: length of each timed phase; e2e: sending time (10)
  --rounds R           intake: rounds, each timing A and B, order alternating (3)
  --warmup S           intake: untimed A and B before round 1, 0 to skip (1)
  --client-threads T   intake: client I/O threads sharing the connections (1)
  --daemon PATH        lienthongd binary (default: <build>/hub/daemon/lienthongd)
  --dir DIR            dev environment directory, must be empty or absent (default: temp)
  --keep               keep the temporary directory (a --dir is always kept)
  --json FILE          also write a JSON summary
  --format F           request and response bodies: protobuf or json (protobuf)
  --pdf-bytes B        size of the MAIN PDF (16384)
  --max-pool N         most pre-signed envelopes held at once (60000)
  --set JSON           merged into lienthongd.json, e.g. '{"logging":{"level":"warn"}}'
  --transport T        sqlite (default) or amqp: the hub on RabbitMQ (queue.kind amqp); intake
                       then also times C, raw rabbitmq-c confirms, each round, and prints A/C
  --amqp-url URL       the broker for amqp and raw-confirm (default: $LIENTHONG_AMQP_URL;
                       deploy/rabbitmq/broker start DIR prints one)
  --raw-bytes B        raw-confirm message size (24: what the relay publishes per item)
  --raw-window W       raw-confirm window of unconfirmed messages (256)
e2e flags:
  --rate R             envelopes per second, all senders together (200)
  --agencies A         agencies in the dev env: first half send, the rest receive (4)
  --pollers P          long-polling connections per recipient agency (2)
  --ack list|each      ack a poll's items in one POST /v1/inbox/ack (list) or one by one
  --grace S            after sending, how long to wait for the last deliveries (10)
)";
}

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::intake:
            return "intake";
        case Mode::e2e:
            return "e2e";
        case Mode::raw_confirm:
            return "raw-confirm";
    }
    return "?";
}

const char* format_name(Format format) { return format == Format::protobuf ? "protobuf" : "json"; }

bool parse_options(int argc, char** argv, Options& out) {
    out.command_line.clear();
    for (int i = 0; i < argc; ++i) {
        if (i > 0) {
            out.command_line += ' ';
        }
        out.command_line += shell_quote(argv[i]);
    }
    std::vector<std::string> words(argv + 1, argv + argc);
    bool mode_given = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string flag = words[i];
        std::string value;
        bool has_value = false;
        if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            has_value = true;
        }
        auto take = [&]() -> std::string {
            if (has_value) {
                return value;
            }
            if (i + 1 >= words.size()) {
                throw UsageError(flag + " needs a value");
            }
            return words[++i];
        };
        if (flag == "--help" || flag == "-h") {
            std::fputs(usage_text(), stdout);
            return false;
        } else if (flag == "--keep") {
            out.keep = true;
        } else if (flag == "--mode") {
            const auto m = take();
            if (m == "intake") {
                out.mode = Mode::intake;
            } else if (m == "e2e") {
                out.mode = Mode::e2e;
            } else if (m == "raw-confirm") {
                out.mode = Mode::raw_confirm;
            } else {
                throw UsageError("--mode: '" + m + "' is not intake, e2e or raw-confirm");
            }
            mode_given = true;
        } else if (flag == "--format") {
            const auto f = take();
            if (f == "protobuf") {
                out.format = Format::protobuf;
            } else if (f == "json") {
                out.format = Format::json;
            } else {
                throw UsageError("--format: '" + f + "' is neither protobuf nor json");
            }
        } else if (flag == "--connections") {
            out.connections = to_int(flag, take(), 1, 1000);
        } else if (flag == "--seconds") {
            out.seconds = to_int(flag, take(), 1, 3600);
        } else if (flag == "--rounds") {
            out.rounds = to_int(flag, take(), 1, 100);
        } else if (flag == "--warmup") {
            out.warmup_seconds = to_int(flag, take(), 0, 60);
        } else if (flag == "--client-threads") {
            out.client_threads = to_int(flag, take(), 1, 16);
        } else if (flag == "--daemon") {
            out.daemon = take();
        } else if (flag == "--dir") {
            out.dir = take();
        } else if (flag == "--json") {
            out.json_file = take();
        } else if (flag == "--pdf-bytes") {
            out.pdf_bytes = to_int(flag, take(), 1024, 32 * 1024 * 1024);
        } else if (flag == "--max-pool") {
            out.max_pool = to_int(flag, take(), 100, 1'000'000);
        } else if (flag == "--set") {
            merge_override(out.config_overrides, take());
        } else if (flag == "--rate") {
            out.rate = to_int(flag, take(), 1, 100'000);
        } else if (flag == "--agencies") {
            out.agencies = to_int(flag, take(), 2, 60);
        } else if (flag == "--ack") {
            const std::string how = take();
            if (how != "list" && how != "each") {
                throw UsageError("--ack: '" + how + "' is not list or each");
            }
            out.ack_list = how == "list";
        } else if (flag == "--pollers") {
            out.pollers = to_int(flag, take(), 1, 16);
        } else if (flag == "--transport") {
            out.transport = take();
            if (out.transport != "sqlite" && out.transport != "amqp") {
                throw UsageError("--transport: '" + out.transport + "' is neither sqlite nor amqp");
            }
        } else if (flag == "--amqp-url") {
            out.amqp_url = take();
        } else if (flag == "--raw-bytes") {
            out.raw_bytes = to_int(flag, take(), 1, 1 << 20);
        } else if (flag == "--raw-window") {
            out.raw_window = to_int(flag, take(), 1, 65535);
        } else if (flag == "--grace") {
            out.grace_seconds = to_int(flag, take(), 1, 300);
        } else {
            throw UsageError("unknown flag '" + words[i] + "'");
        }
    }
    if (!mode_given) {
        throw UsageError("--mode is required");
    }
    if (out.transport == "amqp" || out.mode == Mode::raw_confirm) {
        if (out.amqp_url.empty()) {
            const char* env = std::getenv("LIENTHONG_AMQP_URL");
            out.amqp_url = env != nullptr ? env : "";
        }
        if (out.amqp_url.empty()) {
            throw UsageError("--transport amqp and --mode raw-confirm need --amqp-url");
        }
    }
    if (out.transport == "amqp") {
        // The hub's queue on that broker; a --set of other queue keys still applies.
        auto& queue = out.config_overrides["queue"];
        if (!queue.is_object()) {
            queue = boost::json::object{};
        }
        queue.as_object()["kind"] = "amqp";
        queue.as_object()["amqp_url"] = out.amqp_url;
    }
    if (out.mode == Mode::e2e && out.connections < out.agencies / 2) {
        throw UsageError("--connections must be at least the number of sender agencies (" +
                         std::to_string(out.agencies / 2) + ")");
    }
    return true;
}

}  // namespace bench
