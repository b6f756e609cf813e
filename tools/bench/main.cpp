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
        switch (options.mode) {
            case bench::Mode::intake:
                return bench::run_intake(options);
            case bench::Mode::e2e:
                return bench::run_e2e(options);
            case bench::Mode::raw_confirm:
                return bench::run_raw_confirm(options);
        }
        return 2;
    } catch (const bench::UsageError& e) {
        std::fprintf(stderr, "lienthong_bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "lienthong_bench: %s\n", e.what());
        return 1;
    }
}
