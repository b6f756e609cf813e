#include "inbox_edxml.h"

#include "hub/national/edxml.h"
#include "hub/national/xml_guard.h"
#include "lienthong/v1/api.pb.h"

#include <boost/json.hpp>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "env.h"
#include "files.h"

namespace ctl {
namespace v1 = lienthong::v1;
namespace fs = std::filesystem;

namespace {

// The namespace of the hub's own XML answers (schemas/lienthong-v1.xsd).
constexpr const char* kHubNamespace = "urn:lienthong:v1";

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocFree>;

struct InboxXmlItem {
    std::string delivery_id;
    std::string kind;
    std::string envelope_id;
    std::string from;
    std::string package_base64;
};

// The answer came over the network, so it passes the guard edXML input passes (no DTD, no
// entities, bounded depth) before libxml2 builds a tree. Its size is already bounded by the
// hub's limits.inbox_max_bytes and held in memory: the guard's size cap would only refuse a
// hub configured for large answers. Null when it is not XML the guard accepts.
XmlDoc parse(const std::string& xml, std::string& error) {
    hub::national::XmlLimits limits;
    limits.max_bytes = std::max(limits.max_bytes, xml.size());
    if (auto checked = hub::national::check_xml(xml, limits); !checked) {
        error = checked.error().text();
        return nullptr;
    }
    if (xml.size() > static_cast<std::size_t>(INT_MAX)) {
        error = "answer too large";
        return nullptr;
    }
    // HUGE: a base64 package is one text node, and libxml2 caps those at 10 MB otherwise.
    XmlDoc doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE));
    if (!doc) {
        error = "not XML";
    }
    return doc;
}

bool is_element(const xmlNode* node, const char* name) {
    return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
           xmlStrEqual(node->ns->href, BAD_CAST kHubNamespace) != 0 &&
           xmlStrEqual(node->name, BAD_CAST name) != 0;
}

std::string owned(xmlChar* text) {
    std::string out = text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
    xmlFree(text);
    return out;
}

std::string attribute(const xmlNode* node, const char* name) {
    return owned(xmlGetNoNsProp(node, BAD_CAST name));
}

std::string text_of(const xmlNode* node) { return owned(xmlNodeGetContent(node)); }

const xmlNode* child(const xmlNode* parent, const char* name) {
    for (const xmlNode* n = parent->children; n != nullptr; n = n->next) {
        if (is_element(n, name)) {
            return n;
        }
    }
    return nullptr;
}

std::vector<InboxXmlItem> items_of(const xmlNode* batch) {
    std::vector<InboxXmlItem> items;
    for (const xmlNode* n = batch->children; n != nullptr; n = n->next) {
        if (!is_element(n, "Item")) {
            continue;
        }
        const xmlNode* package = child(n, "Package");
        items.push_back({attribute(n, "deliveryId"), attribute(n, "kind"),
                         attribute(n, "envelopeId"), attribute(n, "from"),
                         package == nullptr ? std::string() : text_of(package)});
    }
    return items;
}

std::optional<v1::Error> error_of(const xmlNode* root) {
    if (!is_element(root, "Error")) {
        return std::nullopt;
    }
    v1::Error error;
    const auto text = [root](const char* name) {
        const xmlNode* n = child(root, name);
        return n == nullptr ? std::string() : text_of(n);
    };
    error.set_code(text("Code"));
    error.set_message(text("Message"));
    error.set_field(text("Field"));
    return error;
}

// An answer other than 200: the hub's XML Error, or a JSON one (the hub answers some refusals,
// a bad query among them, before it looks at Accept).
int refused(const hub::http::ClientResponse& response, bool json) {
    std::string ignored;
    const XmlDoc doc = parse(response.body, ignored);
    const auto error = doc ? error_of(xmlDocGetRootElement(doc.get())) : std::nullopt;
    if (!error) {
        return finish(response, json, [](const std::string&) {});
    }
    if (!json) {
        return report_error(response.status, *error);
    }
    std::cout << to_json(*error, false) << "\n";
    return response.status / 100 == 4 ? 2 : 1;
}

// The file for an item, refusing a delivery id that would name a path elsewhere.
fs::path file_for(const std::string& dir, const std::string& delivery_id) {
    const fs::path name(delivery_id);
    if (delivery_id.empty() || name.filename() != name || delivery_id == "." ||
        delivery_id == "..") {
        throw std::runtime_error("delivery id '" + delivery_id + "' is not a file name");
    }
    return fs::path(dir) / (delivery_id + ".edxml");
}

// Writes the item's package as the sender's bytes; false (said on stderr) when it cannot.
bool save(const InboxXmlItem& item, const std::string& dir, fs::path& path) {
    auto package = hub::national::base64_decode(item.package_base64);
    if (!package || package->empty()) {
        std::cerr << "item " << item.delivery_id << ": no readable Package"
                  << (package ? "" : " (" + package.error().text() + ")") << "\n";
        return false;
    }
    try {
        path = file_for(dir, item.delivery_id);
        write_file(path.string(), *package);
    } catch (const std::exception& e) {
        std::cerr << "item " << item.delivery_id << ": " << e.what() << "\n";
        return false;
    }
    return true;
}

void print(const InboxXmlItem& item, const fs::path& saved) {
    std::cout << item.kind << " " << item.delivery_id << " envelope=" << item.envelope_id
              << " from=" << item.from << (saved.empty() ? "" : " file=" + saved.string()) << "\n";
}

boost::json::object json_of(const InboxXmlItem& item, const fs::path& saved) {
    boost::json::object out{{"deliveryId", item.delivery_id},
                            {"kind", item.kind},
                            {"envelopeId", item.envelope_id},
                            {"from", item.from}};
    if (!saved.empty()) {
        out["file"] = saved.string();
    }
    return out;
}

}  // namespace

int inbox_edxml(hub::http::Client& client, const std::string& target, const Args& args) {
    const bool json = args.has("json");
    auto response = call(client, boost::beast::http::verb::get, target, {}, {}, "application/xml");
    if (response.status != 200) {
        return refused(response, json);
    }
    std::string error;
    const XmlDoc doc = parse(response.body, error);
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!is_element(root, "InboxBatch")) {
        throw std::runtime_error("inbox: the hub answered something that is not an InboxBatch" +
                                 (error.empty() ? "" : ": " + error));
    }
    const auto save_dir = args.get("save");
    if (save_dir) {
        fs::create_directories(*save_dir);
    }
    int exit_code = 0;
    v1::AckRequest taken;
    boost::json::array listed;
    const auto items = items_of(root);
    for (const auto& item : items) {
        fs::path saved;
        if (save_dir && !save(item, *save_dir, saved)) {
            exit_code = 1;
        }
        if (json) {
            listed.push_back(json_of(item, saved));
        } else {
            print(item, saved);
        }
        // As the JSON path: what was handled before a failure is acked, nothing after it.
        if (exit_code == 0) {
            taken.add_delivery_ids(item.delivery_id);
        }
    }
    if (args.has("ack") && taken.delivery_ids_size() > 0) {
        if (const int acked = ack(client, taken, json); acked != 0) {
            exit_code = acked;
        }
    }
    if (json) {
        std::cout << boost::json::serialize(boost::json::object{{"items", std::move(listed)}})
                  << "\n";
    } else if (items.empty()) {
        std::cout << "inbox empty\n";
    }
    return exit_code;
}

}  // namespace ctl
