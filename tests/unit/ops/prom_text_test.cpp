// The test parser itself refuses what a scraper would: a parser that accepts anything checks
// nothing.

#include "unit/ops/prom_text.h"

#include <catch2/catch.hpp>

TEST_CASE("prom_text: accepts the format and refuses malformed expositions", "[ops][prom]") {
    const auto ok = prom::parse(
        "# HELP a_total A counter.\n# TYPE a_total counter\na_total{x=\"1\",y=\"2\"} 3\n"
        "a_total{x=\"2\"} 4 1700000000000\n"
        "# HELP h A histogram.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
        "h_sum 1.5\nh_count 2\n");
    CHECK(ok.value("a_total", {{"x", "1"}}) == 3);
    CHECK(ok.family("h").samples.size() == 4);
    const char* bad[] = {
        "a 1\n",                                                               // no TYPE
        "# TYPE a gauge\na 1\n",                                               // no HELP
        "# HELP a x\n# TYPE a gauge\na{x=\"1} 1\n",                            // unterminated
        "# HELP a x\n# TYPE a gauge\na one\n",                                 // bad value
        "# HELP a x\n# TYPE a gauge\na 1\na 2\n",                              // repeated series
        "# HELP a x\n# TYPE a counter\na -1\n",                                // negative counter
        "# HELP a x\n# TYPE a gauge\n# HELP b y\n# TYPE b gauge\nb 1\na 1\n",  // a out of group
        "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
        "h_count 1\n",                                                           // not cumulative
        "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n",  // count differs
        "# HELP a x\n# TYPE a gauge\na 1",                                       // no final newline
    };
    for (const char* text : bad) {
        INFO(text);
        CHECK_THROWS(prom::parse(text));
    }
}
