#include "golden.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace national_test {

std::string golden(const std::string& name) {
    const std::string path = std::string(LIENTHONG_EDXML_DATA) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    INFO("golden file " << path);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace national_test
