#include "hub/core/text.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

std::string bytes(std::initializer_list<unsigned char> list) {
    return std::string(list.begin(), list.end());
}

}  // namespace

TEST_CASE("R-05 well-formed UTF-8 text is accepted", "[text]") {
    const std::string samples[] = {
        "",
        "Công văn số 125/UBND-VP",
        "Tiếng Việt: ă â đ ê ô ơ ư ạ ả ã ấ ầ ẩ ẫ ậ",
        "tab\there, lines\r\nand\nmore",
        "\x7F",              // DEL is not a C0 control
        "\xC2\x80",          // U+0080, the first two-byte code point
        "\xE0\xA0\x80",      // U+0800, the first three-byte code point
        "\xEF\xBF\xBD",      // U+FFFD
        "\xF0\x9F\x93\x84",  // U+1F4C4, four bytes
        "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last code point
        "\xEF\xBB\xBF"
        "BOM first"  // a byte order mark is a character like any other
    };
    for (const auto& s : samples) {
        INFO(s);
        CHECK(hub::is_valid_utf8(s));
    }
}

TEST_CASE("R-05 malformed UTF-8 and control characters are refused", "[text]") {
    struct Case {
        const char* why;
        std::string text;
    };
    const Case cases[] = {
        {"C3 28: lead byte followed by ASCII", bytes({0xC3, 0x28})},
        {"lone continuation byte", bytes({0x80})},
        {"truncated two-byte sequence at the end", "ab" + bytes({0xC3})},
        {"truncated four-byte sequence", bytes({0xF0, 0x9F, 0x93})},
        {"overlong '/' in two bytes", bytes({0xC0, 0xAF})},
        {"overlong U+007F in two bytes", bytes({0xC1, 0xBF})},
        {"overlong '/' in three bytes", bytes({0xE0, 0x80, 0xAF})},
        {"overlong U+FFFF in four bytes", bytes({0xF0, 0x8F, 0xBF, 0xBF})},
        {"high surrogate U+D800", bytes({0xED, 0xA0, 0x80})},
        {"low surrogate U+DFFF", bytes({0xED, 0xBF, 0xBF})},
        {"U+110000, past the last code point", bytes({0xF4, 0x90, 0x80, 0x80})},
        {"F5 can never start a sequence", bytes({0xF5, 0x80, 0x80, 0x80})},
        {"FF is never UTF-8", bytes({0xFF})},
        {"Latin-1 e acute", bytes({'c', 0xE9})},
        {"NUL", std::string("a\0b", 3)},
        {"SOH control", "a\x01"},
        {"ESC control", "\x1B[31m"},
        {"form feed", "page\fbreak"},
    };
    for (const auto& c : cases) {
        INFO(c.why);
        CHECK_FALSE(hub::is_valid_utf8(c.text));
    }
}

TEST_CASE("R-05 decomposed Vietnamese is stored composed (NFC)", "[text]") {
    // "Tiếng Việt" typed with combining marks: e + U+0302 + U+0301, e + U+0323 + U+0302.
    const std::string decomposed = "Tie\xCC\x82\xCC\x81ng Vie\xCC\xA3\xCC\x82t";
    const std::string composed = "Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t";
    REQUIRE(decomposed != composed);
    CHECK(hub::to_nfc(decomposed) == composed);
    CHECK(hub::to_nfc(composed) == composed);
    CHECK(hub::to_nfc("Công văn") == "Công văn");
    CHECK(hub::to_nfc("ASCII only 125/UBND-VP") == "ASCII only 125/UBND-VP");
    CHECK(hub::to_nfc("") == "");
    // Canonical ordering: dot below before circumflex whatever order they were typed in.
    CHECK(hub::to_nfc("e\xCC\x82\xCC\xA3") == hub::to_nfc("e\xCC\xA3\xCC\x82"));
}

TEST_CASE("to_nfc returns malformed input unchanged", "[text]") {
    const std::string bad = bytes({'a', 0xC3, 0x28});
    CHECK(hub::to_nfc(bad) == bad);
}
