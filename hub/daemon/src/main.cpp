// lienthongd: the provincial document interconnection hub (the "trục liên thông").

#include "hub/daemon/config.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "app.h"

namespace {

// An exception that escapes a thread ends the process; say which before it does, since an
// operator (or a test) sees only the abort otherwise. Only what() and the type: no document
// content goes into exception texts.
[[noreturn]] void report_terminate() {
    std::fputs("lienthongd: terminate", stderr);
    if (auto current = std::current_exception()) {
        try {
            std::rethrow_exception(current);
        } catch (const std::exception& e) {
            std::fprintf(stderr, ": %s", e.what());
        } catch (...) {
            std::fputs(": an exception of unknown type", stderr);
        }
    }
    std::fputs("\n", stderr);
    std::abort();
}

}  // namespace

int main(int argc, char** argv) {
    std::set_terminate(report_terminate);
    // Ledger, blobs, spilled bodies and logs hold documents: nothing the hub creates is for
    // group or other, whatever the umask it was started with.
    ::umask(077);
    std::string config_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else if (arg == "--help" || arg == "-h") {
            std::cout << "usage: lienthongd --config FILE\n";
            return 0;
        } else {
            std::cerr << "lienthongd: unknown argument '" << arg
                      << "' (usage: lienthongd --config FILE)\n";
            return 2;
        }
    }
    if (config_path.empty()) {
        std::cerr << "lienthongd: --config FILE is required\n";
        return 2;
    }
    auto config = hub::load_config(config_path);
    if (!config) {
        std::cerr << "lienthongd: " << config.error().text() << "\n";
        return 2;
    }
    hub::LogLevel level = hub::LogLevel::info;
    hub::Logger::parse_level(config->logging().level(), level);
    std::FILE* out = stderr;
    if (!config->logging().file().empty()) {
        out = std::fopen(config->logging().file().c_str(), "a");
        if (out == nullptr) {
            std::cerr << "lienthongd: config: logging.file: cannot open "
                      << config->logging().file() << ": " << std::strerror(errno) << "\n";
            return 2;
        }
    }
    hub::Logger log(level, out);
    auto app = hub::App::create(std::move(*config), log);
    if (!app) {
        log.error("start_failed", "error=" + hub::log_value(app.error().text()));
        std::cerr << "lienthongd: " << app.error().text() << "\n";
        return 1;
    }
    return (*app)->run();
}
