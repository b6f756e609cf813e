#pragma once
// Header-value text as HTTP reads it: optional whitespace around values, names compared
// without case. One home for the listener, the message negotiation, ranges and forms.

#include <string>
#include <string_view>

namespace hub::http::detail {

/// Without the spaces and tabs (RFC 9110 "OWS") around it.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// ASCII lower case (header names, media types and parameter names).
inline std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

}  // namespace hub::http::detail
