#include "hub/national/xml_tree.h"

#include "xml_doc.h"

namespace hub::national {

namespace {

bool append(xmlNode* node, xmlNs* ns, const XmlElement& element) {
    for (const auto& [name, value] : element.attributes) {
        if (xmlNewProp(node, detail::x(name.c_str()), detail::x(value.c_str())) == nullptr) {
            return false;
        }
    }
    if (!element.text.empty()) {
        // xmlNodeAddContent escapes; xmlNodeSetContent would read entity references.
        xmlNodeAddContent(node, detail::x(element.text.c_str()));
    }
    for (const auto& child : element.children) {
        xmlNode* c = xmlNewChild(node, ns, detail::x(child.name.c_str()), nullptr);
        if (c == nullptr || !append(c, ns, child)) {
            return false;
        }
    }
    return true;
}

}  // namespace

Result<std::string> write_xml(const XmlElement& root, const std::string& ns) {
    detail::init_libxml();
    detail::XmlDocPtr doc{xmlNewDoc(detail::x("1.0"))};
    if (!doc) {
        return fail(errc::internal, "", "libxml2 cannot create a document");
    }
    xmlNode* top = xmlNewNode(nullptr, detail::x(root.name.c_str()));
    if (top == nullptr) {
        return fail(errc::internal, "", "libxml2 cannot create an element");
    }
    xmlDocSetRootElement(doc.get(), top);
    xmlNs* space = xmlNewNs(top, detail::x(ns.c_str()), nullptr);
    xmlSetNs(top, space);
    if (space == nullptr || !append(top, space, root)) {
        return fail(errc::internal, "", "libxml2 cannot build the answer");
    }
    return detail::serialize(doc.get(), false);
}

}  // namespace hub::national
