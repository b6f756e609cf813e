#pragma once
/// Content digests: attachment references carry a hex SHA-256 (envelope.md), and receipts
/// carry the SHA-256 of the signed header.

#include <string>
#include <string_view>

namespace hub {

/// Lowercase hex SHA-256 of `data` (64 characters). Thread-safe.
std::string sha256_hex(std::string_view data);

}  // namespace hub
