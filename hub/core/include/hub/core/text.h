#pragma once
/// Unicode text rules of R-05 (TCVN 6909:2001 is Unicode): strict UTF-8 in, NFC stored.

#include <string>
#include <string_view>

namespace hub {

/// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above
/// U+10FFFF) and holds no NUL nor C0 control character other than TAB, CR and LF.
/// The empty string is valid. Pure; thread-safe.
bool is_valid_utf8(std::string_view text) noexcept;

/// The Unicode NFC form of `text` (e.g. "e" + U+0302 + U+0301 becomes U+1EBF "ế").
/// Input that is not well-formed UTF-8 is returned unchanged: validate first.
std::string to_nfc(std::string_view text);

}  // namespace hub
