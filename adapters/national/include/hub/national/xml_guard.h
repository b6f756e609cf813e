#pragma once
/// The hostile-XML guard every edXML input goes through before anything reads it: no network,
/// no DTD, no entities, bounded size and depth (issue 8 "Hostile XML is refused, not parsed").

#include "hub/core/result.h"

#include <cstddef>
#include <string_view>

namespace hub::national {

/// Bounds on one XML document.
struct XmlLimits {
    /// Largest document accepted, in bytes (base64 attachments included).
    std::size_t max_bytes = 64u * 1024 * 1024;
    /// Deepest element nesting accepted; the edXML tree itself is 7 deep.
    std::size_t max_depth = 32;
};

/// The stable names of what the guard refuses. Each refusal is a Failure with code MALFORMED,
/// `field` naming the element at fault (a slash path such as "edXML/edXMLEnvelope", or the
/// DOCTYPE's root name) and `message` starting with one of these words and a colon.
namespace refused {
inline constexpr std::string_view kDoctype = "doctype";         ///< any <!DOCTYPE ...>
inline constexpr std::string_view kEntity = "entity";           ///< a declaration or &name;
inline constexpr std::string_view kDepth = "depth";             ///< nesting over max_depth
inline constexpr std::string_view kSize = "size";               ///< over max_bytes
inline constexpr std::string_view kNotWellFormed = "not_xml";   ///< libxml2 refused it
inline constexpr std::string_view kNamespace = "namespace";     ///< not the edXML namespace
inline constexpr std::string_view kZipEntries = "zip_entries";  ///< a zip with != 1 entry
inline constexpr std::string_view kZipSize = "zip_size";        ///< inflated size over limit
inline constexpr std::string_view kZipInvalid = "zip_invalid";  ///< not a readable zip
inline constexpr std::string_view kBase64 = "base64";           ///< bad base64 content
inline constexpr std::string_view kMissing = "missing";         ///< a required element absent
inline constexpr std::string_view kValue = "value";             ///< an element's value is wrong
}  // namespace refused

/// The refusal word of a guard failure (the text before the first ':' of its message), or
/// empty when the failure is not one of the guard's.
std::string_view refusal_of(const Failure& failure) noexcept;

/// Runs the guard alone over `xml` and discards the tree: succeeds when the document would be
/// accepted for decoding. Pure; thread-safe.
Result<void> check_xml(std::string_view xml, const XmlLimits& limits = {});

}  // namespace hub::national
