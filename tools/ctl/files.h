#pragma once
// File helpers shared by lienthongctl commands.

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

namespace ctl {

/// Whole file; throws std::runtime_error naming the path when unreadable.
std::string read_file(const std::string& path);
/// Writes atomically enough for a CLI (temp file + rename).
void write_file(const std::string& path, std::string_view bytes);

/// Parses a message from a file holding binary protobuf or its JSON form (detected by the
/// first non-blank byte being '{'). False when it does not parse; `error` says why.
bool read_message(const std::string& path, google::protobuf::Message& message, std::string& error);
/// JSON text of a message (lowerCamelCase names, as the API speaks).
std::string to_json(const google::protobuf::Message& message, bool pretty = true);

}  // namespace ctl
