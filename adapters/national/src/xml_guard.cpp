#include "hub/national/xml_guard.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <mutex>
#include <string>
#include <vector>

#include "xml_doc.h"

namespace hub::national {
namespace detail {
namespace {

// libxml2's own SAX2 tree builder does the work; these wrappers only watch for what must never
// be parsed further and stop the parser at the first sight of it, before any entity is stored
// or expanded and before a deep tree is built.
struct Guard {
    xmlSAXHandler original;  // the SAX2 defaults, called for what is allowed
    std::size_t max_depth = 0;
    std::vector<std::string> open;  // names of the open elements, root first
    bool refused = false;
    Failure failure;

    std::string here() const {
        std::string path;
        for (const auto& name : open) {
            path += path.empty() ? "" : "/";
            path += name;
        }
        return path;
    }
};

const char* s(const xmlChar* text) {
    return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

Guard& guard_of(void* ctx) {
    auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
    return *static_cast<Guard*>(ctxt->_private);
}

void refuse(void* ctx, std::string_view what, std::string field, std::string detail) {
    Guard& g = guard_of(ctx);
    if (!g.refused) {
        g.refused = true;
        g.failure = refusal(what, std::move(field), detail);
    }
    xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

void on_internal_subset(void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*) {
    refuse(ctx, refused::kDoctype, s(name), std::string("DOCTYPE ") + s(name) + " refused");
}

void on_external_subset(void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*) {
    refuse(ctx, refused::kDoctype, s(name), std::string("external DTD of ") + s(name) + " refused");
}

void on_entity_decl(void* ctx, const xmlChar* name, int, const xmlChar*, const xmlChar*, xmlChar*) {
    refuse(ctx, refused::kEntity, guard_of(ctx).here(),
           std::string("entity declaration ") + s(name) + " refused");
}

void on_unparsed_entity_decl(
    void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*, const xmlChar*) {
    refuse(ctx, refused::kEntity, guard_of(ctx).here(),
           std::string("entity declaration ") + s(name) + " refused");
}

// Called for every reference that is not one of the five predefined entities (&amp; and the
// like) nor a character reference, which stay allowed.
xmlEntityPtr on_get_entity(void* ctx, const xmlChar* name) {
    refuse(ctx, refused::kEntity, guard_of(ctx).here(),
           std::string("entity reference &") + s(name) + "; refused");
    return nullptr;
}

xmlEntityPtr on_get_parameter_entity(void* ctx, const xmlChar* name) {
    refuse(ctx, refused::kEntity, guard_of(ctx).here(),
           std::string("parameter entity %") + s(name) + "; refused");
    return nullptr;
}

void on_reference(void* ctx, const xmlChar* name) {
    refuse(ctx, refused::kEntity, guard_of(ctx).here(),
           std::string("entity reference &") + s(name) + "; refused");
}

void on_start_element(void* ctx,
                      const xmlChar* localname,
                      const xmlChar* prefix,
                      const xmlChar* uri,
                      int nb_namespaces,
                      const xmlChar** namespaces,
                      int nb_attributes,
                      int nb_defaulted,
                      const xmlChar** attributes) {
    Guard& g = guard_of(ctx);
    if (g.refused) {
        return;
    }
    g.open.emplace_back(s(localname));
    if (g.open.size() > g.max_depth) {
        refuse(ctx, refused::kDepth, g.here(),
               "nesting deeper than " + std::to_string(g.max_depth) + " elements refused");
        return;
    }
    g.original.startElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                              nb_defaulted, attributes);
}

void on_end_element(void* ctx,
                    const xmlChar* localname,
                    const xmlChar* prefix,
                    const xmlChar* uri) {
    Guard& g = guard_of(ctx);
    if (g.refused) {
        return;
    }
    if (!g.open.empty()) {
        g.open.pop_back();
    }
    g.original.endElementNs(ctx, localname, prefix, uri);
}

// Parse errors become the Failure below; nothing is printed to stderr.
void on_structured_error(void*, xmlErrorPtr) {}

struct CtxtFree {
    void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};

}  // namespace

void init_libxml() {
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
}

Failure refusal(std::string_view what, std::string field, std::string_view detail) {
    std::string message(what);
    message += ": ";
    message += detail;
    return fail(errc::malformed, std::move(field), std::move(message));
}

Result<XmlDocPtr> parse_guarded(std::string_view xml, const XmlLimits& limits) {
    if (xml.size() > limits.max_bytes || xml.size() > static_cast<std::size_t>(INT_MAX)) {
        return refusal(refused::kSize, "",
                       "document of " + std::to_string(xml.size()) +
                           " bytes is over the limit of " + std::to_string(limits.max_bytes));
    }
    if (xml.empty()) {
        return refusal(refused::kNotWellFormed, "", "empty document");
    }
    init_libxml();
    std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(
        xmlCreateMemoryParserCtxt(xml.data(), static_cast<int>(xml.size())));
    if (!ctxt || ctxt->sax == nullptr) {
        return fail(errc::internal, "", "libxml2 parser context");
    }
    // No network, no DTD loading or validation, no entity substitution (XML_PARSE_NOENT and
    // the DTD options stay off). HUGE lifts libxml2's 10 MB text-node cap, which base64
    // attachments exceed; our own size and depth limits replace its.
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    if (limits.max_bytes > 10'000'000) {
        options |= XML_PARSE_HUGE;
    }
    xmlCtxtUseOptions(ctxt.get(), options);

    Guard guard;
    guard.original = *ctxt->sax;
    guard.max_depth = limits.max_depth;
    ctxt->_private = &guard;
    xmlSAXHandler* sax = ctxt->sax;
    sax->internalSubset = on_internal_subset;
    sax->externalSubset = on_external_subset;
    sax->entityDecl = on_entity_decl;
    sax->unparsedEntityDecl = on_unparsed_entity_decl;
    sax->getEntity = on_get_entity;
    sax->getParameterEntity = on_get_parameter_entity;
    sax->reference = on_reference;
    sax->startElementNs = on_start_element;
    sax->endElementNs = on_end_element;
    sax->serror = on_structured_error;

    const int rc = xmlParseDocument(ctxt.get());
    XmlDocPtr doc(ctxt->myDoc);
    ctxt->myDoc = nullptr;
    if (guard.refused) {
        return guard.failure;
    }
    if (rc != 0 || ctxt->wellFormed == 0 || !doc) {
        const xmlError* error = xmlCtxtGetLastError(ctxt.get());
        std::string detail = error != nullptr && error->message != nullptr
                                 ? std::string(error->message)
                                 : std::string("not well-formed");
        while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) {
            detail.pop_back();
        }
        if (error != nullptr) {
            detail += " (line " + std::to_string(error->line) + ")";
        }
        return refusal(refused::kNotWellFormed, guard.here(), detail);
    }
    // Belt and braces: the callbacks above refuse any DTD before it is stored.
    if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
        return refusal(refused::kDoctype, "", "DOCTYPE refused");
    }
    return doc;
}

std::string text_of(const xmlNode* node) {
    std::string out;
    if (node == nullptr) {
        return out;
    }
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content != nullptr) {
            out += reinterpret_cast<const char*>(c->content);
        }
    }
    return out;
}

bool is_element(const xmlNode* node, std::string_view ns, std::string_view name) {
    if (node == nullptr || node->type != XML_ELEMENT_NODE || name != s(node->name)) {
        return false;
    }
    const char* href = node->ns != nullptr ? s(node->ns->href) : nullptr;
    if (ns.empty()) {
        return href == nullptr || *href == '\0';
    }
    return href != nullptr && ns == href;
}

std::string path_of(const xmlNode* node) {
    std::string path;
    for (; node != nullptr && node->type == XML_ELEMENT_NODE; node = node->parent) {
        path.insert(0,
                    path.empty() ? std::string(s(node->name)) : std::string(s(node->name)) + "/");
    }
    return path;
}

std::string serialize(xmlDoc* doc, bool pretty) {
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", pretty ? 1 : 0);
    std::string out(mem != nullptr ? reinterpret_cast<const char*>(mem) : "",
                    static_cast<std::size_t>(size > 0 ? size : 0));
    xmlFree(mem);
    return out;
}

}  // namespace detail

std::string_view refusal_of(const Failure& failure) noexcept {
    if (failure.code != errc::malformed) {
        return {};
    }
    const std::string_view message = failure.message;
    const auto colon = message.find(':');
    if (colon == std::string_view::npos) {
        return {};
    }
    const std::string_view word = message.substr(0, colon);
    for (std::string_view known :
         {refused::kDoctype, refused::kEntity, refused::kDepth, refused::kSize,
          refused::kNotWellFormed, refused::kNamespace, refused::kZipEntries, refused::kZipSize,
          refused::kZipInvalid, refused::kBase64, refused::kMissing, refused::kValue}) {
        if (word == known) {
            return known;
        }
    }
    return {};
}

Result<void> check_xml(std::string_view xml, const XmlLimits& limits) {
    auto doc = detail::parse_guarded(xml, limits);
    if (!doc) {
        return doc.error();
    }
    return {};
}

}  // namespace hub::national
