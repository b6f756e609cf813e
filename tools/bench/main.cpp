// lienthong_bench: side-by-side measurements of lienthongd (see README.md).

#include <google/protobuf/stubs/common.h>

#include <cstdio>
#include <exception>

#include "modes.h"
#include "options.h"
#include "report.h"

int main(int argc, char** argv) {
    GOOGLE_PROTOBUF_VERIFY_VERSION;
    bench::Options options;
    try {
        if (!bench::parse_options(argc, argv, options)) {
            return 0;
        }
    } catch (const bench::UsageError& e) {
        std::fprintf(stderr, "lienthong_bench: %s\n\n%s", e.what(), bench::usage_text());
        return 2;
    }
    bench::print_command(options);
    try {
        return options.mode == bench::Mode::intake ? bench::run_intake(options)
                                                   : bench::run_e2e(options);
    } catch (const bench::UsageError& e) {
        std::fprintf(stderr, "lienthong_bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "lienthong_bench: %s\n", e.what());
        return 1;
    }
}
