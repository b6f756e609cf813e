// The hostile-XML guard: each attack is refused with its one stable word, before parsing on.

#include "hub/national/xml_guard.h"

#include <catch2/catch.hpp>

#include <string>

using hub::national::check_xml;
using hub::national::refusal_of;
using hub::national::XmlLimits;
namespace refused = hub::national::refused;

namespace {

std::string_view refusal(const hub::Result<void>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == hub::errc::malformed);
    return refusal_of(r.error());
}

}  // namespace

TEST_CASE("a plain document passes the guard", "[national][guard]") {
    CHECK(check_xml("<?xml version=\"1.0\"?><a xmlns=\"urn:x\"><b>t &amp; &#x41;</b></a>"));
}

TEST_CASE("XXE: a DOCTYPE with an external entity is refused as doctype", "[national][guard]") {
    const std::string xxe =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE edXML [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        "<edXML><Subject>&xxe;</Subject></edXML>";
    auto r = check_xml(xxe);
    CHECK(refusal(r) == refused::kDoctype);
    CHECK(r.error().field == "edXML");
    CHECK(r.error().message.find("passwd") == std::string::npos);
}

TEST_CASE("an external DTD alone is refused", "[national][guard]") {
    auto r = check_xml("<!DOCTYPE edXML SYSTEM \"http://127.0.0.1:1/x.dtd\"><edXML/>");
    CHECK(refusal(r) == refused::kDoctype);
}

TEST_CASE("billion laughs is refused before any expansion", "[national][guard]") {
    std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
    for (int i = 1; i <= 9; ++i) {
        bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) {
            bomb += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        }
        bomb += "\">";
    }
    bomb += "]><lolz>&lol9;</lolz>";
    auto r = check_xml(bomb);
    CHECK(refusal(r) == refused::kDoctype);
}

TEST_CASE("an undeclared entity reference is refused as entity", "[national][guard]") {
    auto r = check_xml("<a><b>&nbsp;</b></a>");
    CHECK(refusal(r) == refused::kEntity);
    CHECK(r.error().field == "a/b");
}

TEST_CASE("nesting over the depth limit is refused with the element at fault",
          "[national][guard]") {
    std::string deep;
    for (int i = 0; i < 40; ++i) {
        deep += "<d>";
    }
    for (int i = 0; i < 40; ++i) {
        deep += "</d>";
    }
    XmlLimits limits;
    limits.max_depth = 32;
    auto r = check_xml(deep, limits);
    CHECK(refusal(r) == refused::kDepth);
    CHECK(r.error().field.size() == 33 * 2 - 1);  // "d/d/.../d", 33 deep

    // A very deep document (far past libxml2's own limit) is refused the same way.
    std::string deeper;
    for (int i = 0; i < 100000; ++i) {
        deeper += "<d>";
    }
    CHECK(refusal(check_xml(deeper, limits)) == refused::kDepth);
}

TEST_CASE("a document over the size limit is refused before parsing", "[national][guard]") {
    XmlLimits limits;
    limits.max_bytes = 1024;
    std::string big = "<a>" + std::string(2000, 'x') + "</a>";
    auto r = check_xml(big, limits);
    CHECK(refusal(r) == refused::kSize);
    CHECK(check_xml("<a>" + std::string(100, 'x') + "</a>", limits));
}

TEST_CASE("what is not XML is refused as not_xml", "[national][guard]") {
    CHECK(refusal(check_xml("")) == refused::kNotWellFormed);
    CHECK(refusal(check_xml("<a><b></a>")) == refused::kNotWellFormed);
    CHECK(refusal(check_xml("%PDF-1.7")) == refused::kNotWellFormed);
}
