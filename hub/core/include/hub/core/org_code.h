#pragma once
/// Organization codes (mã định danh, envelope.md): the edXML form `NNN.NN.NN.Xdd` (QCVN 102,
/// read right to left) and the QĐ 20/2020 form `Xdd[.NN[.NNN]...]` (left to right). Both
/// denote the same hierarchy; the canonical form is the QĐ 20/2020 one.

#include "hub/core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace hub {

enum class OrgCodeForm { edxml, qd20 };

struct OrgCode {
    std::string given;      ///< exactly as written
    std::string canonical;  ///< QĐ 20/2020 form, e.g. "H39.05" for "000.00.05.H39"
    OrgCodeForm form = OrgCodeForm::qd20;
    char kind = 0;                      ///< level-1 letter, 'A'..'K'
    int level1_number = 0;              ///< the two digits after the letter (39 for H39)
    std::vector<std::string> segments;  ///< canonical segments, level 1 first: {"H39","05"}

    /// Province number for H (People's Committee) and K (People's Council) codes, else 0.
    int province() const noexcept;
    /// Canonical code of the level-1 organization ("H39").
    std::string level1() const;
    /// Canonical code of the parent; empty for a level-1 code.
    std::string parent() const;
    /// The edXML form, when the code fits it (at most 4 levels, segment widths 2, 2, 3);
    /// empty otherwise.
    std::string edxml() const;
};

/// Parses either form. Error: INVALID_ORG_CODE (field left empty for the caller to fill).
Result<OrgCode> parse_org_code(std::string_view text);

/// Canonical form of a code, or empty when it does not parse.
std::string canonical_org_code(std::string_view text);

/// Human name of a level-1 kind letter ("ministries and central agencies" for 'G').
std::string_view org_kind_name(char kind) noexcept;

}  // namespace hub
