#pragma once
// Reading a POSTed SignedEnvelope. Small bodies are parsed in memory; a large protobuf body
// (the HTTP layer spilled it to a file) is read field by field so that each attachment's
// bytes are copied, in bounded chunks, straight into a temp file next to the blob store
// while being hashed: memory stays bounded whatever the attachment's size.

#include "hub/core/result.h"
#include "hub/http/server.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hub {

struct IncomingAttachment {
    std::string content_id;
    std::uint64_t size = 0;
    std::string sha256;  ///< lowercase hex of the content
    std::string bytes;   ///< the content, when read in memory
    std::string file;    ///< or the temp file holding it (removed by ~IncomingEnvelope)
};

struct IncomingEnvelope {
    std::string header;
    std::string signature;
    std::vector<IncomingAttachment> attachments;

    IncomingEnvelope() = default;
    IncomingEnvelope(IncomingEnvelope&&) = default;
    IncomingEnvelope& operator=(IncomingEnvelope&&) = default;
    ~IncomingEnvelope();
};

/// Parses the request body. Errors: UNSUPPORTED_MEDIA_TYPE, MALFORMED "body",
/// UNAVAILABLE when a temp file cannot be written. Blocks on file I/O for spilled bodies:
/// call it from a thread that may block.
Result<IncomingEnvelope> read_envelope_body(const http::Request& request,
                                            const std::string& temp_dir);

}  // namespace hub
