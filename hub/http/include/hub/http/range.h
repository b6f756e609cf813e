#pragma once
/// Byte ranges of downloads (RFC 9110 §14): one range per request, which is what download
/// tools resume with; several ranges are answered as the whole representation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hub::http {

struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    bool partial = false;  ///< false: the whole representation (no Range, or one ignored)
};

/// The part of a `size`-byte representation that a Range header value asks for: "" or a
/// header that is not one "bytes=" range means the whole; "bytes=a-b", "bytes=a-" and
/// "bytes=-n" a part (b past the end is cut to the end). Empty optional: unsatisfiable
/// (answer 416 with "Content-Range: bytes */size").
std::optional<ByteRange> parse_byte_range(std::string_view header, std::uint64_t size);

/// `text` with every byte outside RFC 3986's unreserved set written %XX, for a path segment.
std::string percent_encode(std::string_view text);

}  // namespace hub::http
