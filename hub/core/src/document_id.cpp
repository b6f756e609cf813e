#include "hub/core/document_id.h"

#include "hub/core/org_code.h"
#include "hub/core/time.h"

namespace hub {
namespace {

Failure bad_id(std::string_view text, std::string_view why) {
    return fail(errc::invalid_document_id, {},
                "'" + std::string(text) + "' is not a document id: " + std::string(why));
}

bool is_space_or_control(unsigned char c) { return c <= 0x20 || c == 0x7F; }

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). Kept local so the
// identifier check does not depend on the text module.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (i + len > s.size()) {
            return false;
        }
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += len;
    }
    return true;
}

}  // namespace

Result<DocumentId> parse_document_id(std::string_view text) {
    const size_t first = text.find(',');
    const size_t second = first == std::string_view::npos ? first : text.find(',', first + 1);
    if (second == std::string_view::npos || text.find(',', second + 1) != std::string_view::npos) {
        return bad_id(text, "expected <issuer>,<yyyy/MM/dd>,<number>/<notation>");
    }
    const std::string_view issuer = text.substr(0, first);
    const std::string_view date_text = text.substr(first + 1, second - first - 1);
    const std::string_view code = text.substr(second + 1);

    if (auto org = parse_org_code(issuer); !org) {
        return fail(errc::invalid_org_code, {},
                    "document id issuer '" + std::string(issuer) + "' is not an organization code");
    }
    auto date = parse_edxml_date(date_text);
    if (!date) {
        return bad_id(text, "the date is not a real yyyy/MM/dd date");
    }
    // Notations themselves may hold '/' (e.g. "QĐ-UBND/TCCB"), numbers never do.
    const size_t slash = code.find('/');
    if (slash == std::string_view::npos) {
        return bad_id(text, "expected <number>/<notation>");
    }
    const std::string_view number = code.substr(0, slash);
    const std::string_view notation = code.substr(slash + 1);
    if (number.empty() || notation.empty()) {
        return bad_id(text, "number and notation must not be empty");
    }
    for (char c : number) {
        if (is_space_or_control(static_cast<unsigned char>(c))) {
            return bad_id(text, "the number contains whitespace");
        }
    }
    for (char c : notation) {
        if (is_space_or_control(static_cast<unsigned char>(c))) {
            return bad_id(text, "the notation contains whitespace or control characters");
        }
    }
    if (!valid_utf8(number) || !valid_utf8(notation)) {
        return bad_id(text, "not valid UTF-8");
    }
    return DocumentId{std::string(issuer), *date, std::string(number), std::string(notation)};
}

std::string format_document_id(const DocumentId& id) {
    return id.issuer + ',' + format_edxml_date(id.date) + ',' + id.number + '/' + id.notation;
}

}  // namespace hub
