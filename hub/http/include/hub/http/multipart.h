#pragma once
/// multipart/form-data bodies (RFC 7578), as upload clients send them: the parts and their
/// names, taken from a body already bounded by the listener.

#include "hub/core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace hub::http {

struct FormPart {
    std::string name;          ///< Content-Disposition name
    std::string filename;      ///< Content-Disposition filename, empty when none
    std::string content_type;  ///< the part's Content-Type, empty when none
    std::string_view body;     ///< into the body given to parse_form_data
};

/// The parts of `body` sent with `content_type` (which names the boundary), at most
/// `max_parts`. The parts' bodies point into `body`. Error: UNSUPPORTED_MEDIA_TYPE when the
/// type is not multipart/form-data with a boundary; MALFORMED (field "multipart") when the
/// body does not follow it.
Result<std::vector<FormPart>> parse_form_data(std::string_view content_type,
                                              std::string_view body,
                                              std::size_t max_parts = 16);

/// The first part named `name`, or null.
const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace hub::http
