#include "hub/core/org_code.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace {

struct Example {
    const char* given;
    const char* canonical;
    hub::OrgCodeForm form;
};

std::string two_digits(std::mt19937& rng) {
    std::uniform_int_distribution<int> d(0, 9);
    return std::string{static_cast<char>('0' + d(rng)), static_cast<char>('0' + d(rng))};
}

std::string digits(std::mt19937& rng, int width, bool nonzero) {
    std::uniform_int_distribution<int> d(0, 9);
    for (;;) {
        std::string s;
        for (int i = 0; i < width; ++i) {
            s += static_cast<char>('0' + d(rng));
        }
        if (!nonzero || s.find_first_not_of('0') != std::string::npos) {
            return s;
        }
    }
}

std::string level1(std::mt19937& rng) {
    std::uniform_int_distribution<int> letter(0, 10);
    return static_cast<char>('A' + letter(rng)) + two_digits(rng);
}

/// A canonical code that fits the edXML form: up to 4 levels, widths 2, 2, 3, none zero.
std::string random_edxml_fit(std::mt19937& rng) {
    static constexpr int kWidths[] = {2, 2, 3};
    std::string code = level1(rng);
    const int extra = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int i = 0; i < extra; ++i) {
        code += '.' + digits(rng, kWidths[i], true);
    }
    return code;
}

/// Any QĐ 20 code: segments of 2 or 3 digits (zeros allowed), at most 35 characters.
std::string random_qd20(std::mt19937& rng) {
    std::string code = level1(rng);
    const int extra = std::uniform_int_distribution<int>(0, 8)(rng);
    for (int i = 0; i < extra; ++i) {
        const std::string seg =
            '.' + digits(rng, std::uniform_int_distribution<int>(2, 3)(rng), false);
        if (code.size() + seg.size() > 35) {
            break;
        }
        code += seg;
    }
    return code;
}

}  // namespace

TEST_CASE("org codes: examples of both forms and their canonical form", "[org_code]") {
    const std::vector<Example> examples = {
        {"000.00.00.G22", "G22", hub::OrgCodeForm::edxml},
        {"000.00.00.H39", "H39", hub::OrgCodeForm::edxml},
        {"000.00.05.H39", "H39.05", hub::OrgCodeForm::edxml},
        {"000.12.05.H39", "H39.05.12", hub::OrgCodeForm::edxml},
        {"001.12.05.H39", "H39.05.12.001", hub::OrgCodeForm::edxml},
        {"000.00.04.G14", "G14.04", hub::OrgCodeForm::edxml},
        {"000.01.01.H08", "H08.01.01", hub::OrgCodeForm::edxml},
        {"H39", "H39", hub::OrgCodeForm::qd20},
        {"H39.05", "H39.05", hub::OrgCodeForm::qd20},
        {"H39.05.12", "H39.05.12", hub::OrgCodeForm::qd20},
        {"G12.01", "G12.01", hub::OrgCodeForm::qd20},
        {"H55.242", "H55.242", hub::OrgCodeForm::qd20},
        {"H37.02.02", "H37.02.02", hub::OrgCodeForm::qd20},
        {"A01.00.123", "A01.00.123", hub::OrgCodeForm::qd20},
        {"K39.01.02.03.04.05.06.07.08.100.100", "K39.01.02.03.04.05.06.07.08.100.100",
         hub::OrgCodeForm::qd20},  // exactly 35 characters
    };
    for (const auto& ex : examples) {
        INFO(ex.given);
        auto code = hub::parse_org_code(ex.given);
        REQUIRE(code.has_value());
        CHECK(code->given == ex.given);
        CHECK(code->canonical == ex.canonical);
        CHECK(code->form == ex.form);
        CHECK(hub::canonical_org_code(ex.given) == ex.canonical);
    }
}

TEST_CASE("org codes: malformed codes are INVALID_ORG_CODE", "[org_code]") {
    const std::vector<std::string> bad = {
        "",
        "h39",  // lowercase letter
        "L39",  // letter after K
        "Z01",
        "H3",        // one digit
        "H399",      // three digits in level 1
        "H39.",      // trailing dot
        "H39..05",   // empty segment
        "H39.5",     // one-digit segment
        "H39.0512",  // four-digit segment
        "H39.05 ",   // trailing space
        " H39",      // leading space
        "H39-05",
        "H39.a5",
        "K39.01.02.03.04.05.06.07.100.100.100",  // 36 characters
        "000.05.00.H39",                         // used level 3 below unused level 2
        "001.00.05.H39",                         // used level 4 below unused level 3
        "001.05.00.H39",
        "000.00.00.h39",
        "000.00.00.L39",
        "00.00.00.H39",  // wrong widths
        "000.000.00.H39",
        "999.010.01.H22",  // seen in test data, not the standard shape
        "28.22.H17",
        "000.00.00.H39.05",
        "000-00-00-H39",
        "000.00.00.H3",
        "000.00.00.H399",
        "000.00.0a.H39",
        "H39.05.",
        ".H39",
        "H\xC3\x8A"
        "9",  // non-ASCII
    };
    for (const auto& text : bad) {
        INFO("'" << text << "'");
        auto code = hub::parse_org_code(text);
        REQUIRE_FALSE(code.has_value());
        CHECK(code.error().code == hub::errc::invalid_org_code);
        CHECK(code.error().field.empty());
        CHECK(hub::canonical_org_code(text).empty());
    }
}

TEST_CASE("org codes: hierarchy accessors", "[org_code]") {
    auto code = hub::parse_org_code("001.12.05.H39");
    REQUIRE(code.has_value());
    CHECK(code->kind == 'H');
    CHECK(code->level1_number == 39);
    CHECK(code->province() == 39);
    CHECK(code->level1() == "H39");
    CHECK(code->parent() == "H39.05.12");
    CHECK(code->segments == std::vector<std::string>{"H39", "05", "12", "001"});
    CHECK(code->edxml() == "001.12.05.H39");

    auto council = hub::parse_org_code("K41.02");
    REQUIRE(council.has_value());
    CHECK(council->province() == 41);
    CHECK(council->parent() == "K41");
    CHECK(council->edxml() == "000.00.02.K41");

    auto ministry = hub::parse_org_code("000.00.00.G22");
    REQUIRE(ministry.has_value());
    CHECK(ministry->province() == 0);  // only H and K codes are provinces
    CHECK(ministry->parent().empty());
    CHECK(ministry->level1() == "G22");
    CHECK(ministry->edxml() == "000.00.00.G22");
}

TEST_CASE("org codes: edxml() is empty when the code does not fit the edXML form", "[org_code]") {
    for (const char* text :
         {"H55.242", "H39.05.12.01", "H39.05.12.001.01", "H39.00", "H39.05.00", "H39.05.12.000"}) {
        INFO(text);
        auto code = hub::parse_org_code(text);
        REQUIRE(code.has_value());
        CHECK(code->edxml().empty());
    }
}

TEST_CASE("org codes: kind names", "[org_code]") {
    CHECK(hub::org_kind_name('G') == "ministries and central agencies");
    CHECK(hub::org_kind_name('H') == "provincial People's Committees");
    CHECK(hub::org_kind_name('K') == "provincial People's Councils");
    for (char c = 'A'; c <= 'K'; ++c) {
        INFO(c);
        CHECK_FALSE(hub::org_kind_name(c).empty());
    }
    CHECK(hub::org_kind_name('L').empty());
    CHECK(hub::org_kind_name('h').empty());
}

TEST_CASE("org codes: property - edXML round trip returns the canonical code", "[org_code]") {
    std::mt19937 rng(20200101);
    for (int i = 0; i < 2000; ++i) {
        const std::string canonical = random_edxml_fit(rng);
        INFO(canonical);
        auto code = hub::parse_org_code(canonical);
        REQUIRE(code.has_value());
        const std::string edxml = code->edxml();
        REQUIRE(edxml.size() == 13);
        auto back = hub::parse_org_code(edxml);
        REQUIRE(back.has_value());
        CHECK(back->form == hub::OrgCodeForm::edxml);
        CHECK(back->canonical == canonical);
        CHECK(back->segments == code->segments);
        CHECK(back->edxml() == edxml);
    }
}

TEST_CASE("org codes: property - parsing is stable on canonical output", "[org_code]") {
    std::mt19937 rng(35);
    for (int i = 0; i < 2000; ++i) {
        const std::string text = random_qd20(rng);
        INFO(text);
        auto code = hub::parse_org_code(text);
        REQUIRE(code.has_value());
        CHECK(code->canonical == text);
        auto again = hub::parse_org_code(code->canonical);
        REQUIRE(again.has_value());
        CHECK(again->canonical == code->canonical);
        CHECK(again->segments == code->segments);
    }
}

TEST_CASE("org codes: property - a single non-alphanumeric mutation is rejected", "[org_code]") {
    const std::string replacements = " .-/_#,:;+*\t\n\"'()";
    std::mt19937 rng(7);
    std::vector<std::string> valid;
    for (int i = 0; i < 150; ++i) {
        valid.push_back(random_qd20(rng));
        auto code = hub::parse_org_code(random_edxml_fit(rng));
        REQUIRE(code.has_value());
        valid.push_back(code->edxml());
    }
    for (const auto& text : valid) {
        for (size_t pos = 0; pos < text.size(); ++pos) {
            for (char r : replacements) {
                if (text[pos] == r) {
                    continue;
                }
                std::string mutated = text;
                mutated[pos] = r;
                INFO("'" << text << "' -> '" << mutated << "'");
                CHECK_FALSE(hub::parse_org_code(mutated).has_value());
            }
        }
        // The kind letter is upper case only.
        std::string lower = text;
        lower[text.find_first_of("ABCDEFGHIJK")] += 'a' - 'A';
        CHECK_FALSE(hub::parse_org_code(lower).has_value());
    }
}
