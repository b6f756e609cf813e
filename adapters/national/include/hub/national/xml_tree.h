#pragma once
/// A small element tree written out with libxml2's tree API, for the hub's own XML answers
/// (issue 9: Receipt, Error and InboxBatch in the project's namespace) so that no caller builds
/// XML by concatenating strings: names, attributes and text are escaped by libxml2.

#include "hub/core/result.h"

#include <string>
#include <utility>
#include <vector>

namespace hub::national {

/// One element: attributes in order, then its text, then its children (all in the document's
/// one namespace).
struct XmlElement {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string text;
    std::vector<XmlElement> children;

    /// Appends a child with that name and text; returns it.
    XmlElement& add(std::string child_name, std::string child_text = {}) {
        children.push_back(XmlElement{std::move(child_name), {}, std::move(child_text), {}});
        return children.back();
    }
    /// Appends an attribute; returns *this.
    XmlElement& set(std::string attribute, std::string value) {
        attributes.emplace_back(std::move(attribute), std::move(value));
        return *this;
    }
};

/// Serializes `root` as a UTF-8 document with an XML declaration, every element in namespace
/// `ns` (the default namespace of the root). Text must be valid UTF-8. Error: INTERNAL when
/// libxml2 fails. Thread-safe.
Result<std::string> write_xml(const XmlElement& root, const std::string& ns);

}  // namespace hub::national
