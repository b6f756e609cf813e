#include "hub/core/digest.h"

#include "hub/core/result.h"

#include <openssl/evp.h>

namespace hub {

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    // EVP_Digest only fails on allocation failure or a broken provider setup: a bug, not a
    // property of the input.
    if (EVP_Digest(data.data(), data.size(), md, &md_len, EVP_sha256(), nullptr) != 1) {
        throw FailureException(fail(errc::internal, {}, "SHA-256 is unavailable"));
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(md_len * 2);
    for (unsigned int i = 0; i < md_len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0x0F]);
    }
    return out;
}

}  // namespace hub
