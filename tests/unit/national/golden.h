#pragma once
/// The golden edXML packages of tests/data/edxml (written for this project) and their facts.

#include <cstddef>
#include <string>

namespace national_test {

/// The bytes of tests/data/edxml/<name>; fails the test when the file cannot be read.
std::string golden(const std::string& name);

/// SHA-256 of the files inside the golden packages (tests/data/edxml/README.md).
inline constexpr const char* kMainPdfSha256 =
    "348c5fd50f9d7ef40a47131117a58b8d27e74f5c3b28d3f239da5ef7befddcdb";
inline constexpr std::size_t kMainPdfSize = 110;
inline constexpr const char* kAppendixPdfSha256 =
    "7111e93496e6d89da063fb596b5d543c33af077b2e35de426c865bee5310452c";
inline constexpr std::size_t kAppendixPdfSize = 43;
inline constexpr const char* kAppendixTxtSha256 =
    "a439e1f694568673cf6ab5f97688c22017abf574ce4fb82a1c74f1554be8c2ce";
inline constexpr std::size_t kAppendixTxtSize = 47;

}  // namespace national_test
