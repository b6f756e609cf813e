#pragma once
/// Single-range `Range: bytes=...` requests (RFC 9110 section 14) against a representation of
/// a known size, for handlers that answer with Response::file.

#include <cstdint>
#include <string>
#include <string_view>

namespace hub::http {

/// What a Range header asks of a representation of `size` bytes.
struct RangeRequest {
    enum class Kind {
        /// No Range header, one this server ignores (another unit, several ranges, bad
        /// syntax): answer 200 with the whole representation.
        whole,
        /// One satisfiable range: answer 206 with `offset`/`length` and Content-Range.
        partial,
        /// A well-formed range that lies wholly past the end: answer 416 with
        /// Content-Range from unsatisfied_content_range(size).
        unsatisfiable,
    };
    Kind kind = Kind::whole;
    std::uint64_t offset = 0;  ///< first byte; with `whole`: 0
    std::uint64_t length = 0;  ///< bytes from `offset`; with `whole`: size
};

/// Parses `header` (the Range value, "" when absent) against `size`. Accepts "bytes=a-b"
/// (b past the end is clipped), "bytes=a-" and "bytes=-n" (the last n bytes; n over the size
/// means the whole representation as a range); whitespace around the unit and the range is
/// allowed and the unit is case-insensitive. Never fails: what it does not take is `whole`.
RangeRequest parse_range(std::string_view header, std::uint64_t size);

/// "bytes a-b/size" for a `partial` answer.
std::string content_range(const RangeRequest& range, std::uint64_t size);

/// "bytes */size", the Content-Range of a 416 answer.
std::string unsatisfied_content_range(std::uint64_t size);

/// `text` with every byte outside RFC 3986's unreserved set written %XX, for a path segment
/// (a download path naming an attachment's content id).
std::string percent_encode(std::string_view text);

}  // namespace hub::http
