#include "identity.h"

#include <openssl/bn.h>
#include <openssl/objects.h>

#include <utility>

#include "ossl.h"

namespace hub::crypto {
namespace {

bool subject_text(X509_NAME* name, std::string& out) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    // RFC 2253 escapes non-ASCII bytes by default; Vietnamese names should stay readable.
    constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) {
        return false;
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    out.assign(data, len > 0 ? static_cast<std::size_t>(len) : 0);
    return true;
}

bool uid_text(X509_NAME* name, std::string& out) {
    const int index = X509_NAME_get_index_by_NID(name, NID_userId, -1);
    if (index < 0) {
        out.clear();
        return true;
    }
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, value);
    if (len < 0) {
        return false;
    }
    out.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return true;
}

bool serial_text(X509* cert, std::string& out) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = bn != nullptr ? BN_bn2hex(bn) : nullptr;
    BN_free(bn);
    if (hex == nullptr) {
        return false;
    }
    out = hex;
    OPENSSL_free(hex);
    return true;
}

}  // namespace

std::string name_text(X509_NAME* name) {
    std::string out;
    return name != nullptr && subject_text(name, out) ? out : std::string("?");
}

Result<SignerIdentity> identity_of(X509* cert) {
    SignerIdentity id;
    id.cert_sha256 = ossl::cert_sha256_hex(cert);
    X509_NAME* subject = X509_get_subject_name(cert);
    if (id.cert_sha256.empty() || !subject_text(subject, id.subject) ||
        !uid_text(subject, id.uid) || !serial_text(cert, id.serial) ||
        !ossl::asn1_to_instant(X509_get0_notAfter(cert), id.not_after)) {
        return fail(errc::internal, "signature", "cannot read the signer certificate");
    }
    return id;
}

Result<CertificateDates> dates_of(X509* cert) {
    auto id = identity_of(cert);
    if (!id) {
        return id.error();
    }
    return CertificateDates{std::move(id->subject), std::move(id->cert_sha256), id->not_after};
}

}  // namespace hub::crypto
