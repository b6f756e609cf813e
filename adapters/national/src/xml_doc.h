#pragma once
/// Private to adapters/national: libxml2 documents parsed through the guard, and small tree
/// helpers shared by the decoder, the encoder and XMLDSig.

#include "hub/national/xml_guard.h"

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

namespace hub::national::detail {

struct XmlDocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

/// Initializes libxml2 once per process (thread-safe; later calls do nothing).
void init_libxml();

/// Parses `xml` from memory with the guard of xml_guard.h: never touches the network or a
/// file, refuses a DOCTYPE, entity declarations and references, nesting over the limit and
/// documents over the size limit, before building further. Thread-safe.
Result<XmlDocPtr> parse_guarded(std::string_view xml, const XmlLimits& limits);

/// A guard-style failure: MALFORMED, `field`, message "<what>: <detail>".
Failure refusal(std::string_view what, std::string field, std::string_view detail);

/// Text of an element (all its text children), or empty.
std::string text_of(const xmlNode* node);

/// True when `node` is an element named `name` in namespace `ns` (null ns: no namespace).
bool is_element(const xmlNode* node, std::string_view ns, std::string_view name);

/// The slash path of an element from the root, e.g. "edXML/edXMLEnvelope/edXMLHeader".
std::string path_of(const xmlNode* node);

/// Serializes a document as UTF-8 with an XML declaration; `pretty` indents (never for a
/// signed document, whose bytes the signature covers).
std::string serialize(xmlDoc* doc, bool pretty = true);

inline const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

}  // namespace hub::national::detail
