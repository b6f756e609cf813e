#include "ossl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <chrono>
#include <climits>
#include <ctime>
#include <fstream>
#include <sstream>

namespace hub::crypto::ossl {

BioPtr mem_bio(std::string_view data) {
    // OpenSSL's length is an int; larger inputs are not certificates or signatures anyway.
    if (data.size() > static_cast<std::size_t>(INT_MAX)) {
        return nullptr;
    }
    // An empty string_view may have a null data(), which BIO_new_mem_buf refuses.
    const char* bytes = data.empty() ? "" : data.data();
    return BioPtr(BIO_new_mem_buf(bytes, static_cast<int>(data.size())));
}

CertStackPtr read_pem_certs(std::string_view pem) {
    CertStackPtr certs(sk_X509_new_null());
    BioPtr bio = mem_bio(pem);
    if (!certs || !bio) {
        return certs;
    }
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (sk_X509_push(certs.get(), cert) == 0) {
            X509_free(cert);
            break;
        }
    }
    // The loop always ends on a "no start line" error at end of input; not a failure.
    ERR_clear_error();
    return certs;
}

std::string cert_der(X509* cert) {
    unsigned char* buf = nullptr;
    const int len = i2d_X509(cert, &buf);
    if (len <= 0) {
        return {};
    }
    std::string der(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
    return der;
}

std::string sha256_hex(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
        return {};
    }
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t{len} * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0x0f]);
    }
    return out;
}

std::string cert_sha256_hex(X509* cert) {
    const std::string der = cert_der(cert);
    return der.empty() ? std::string() : sha256_hex(der);
}

bool asn1_to_instant(const ASN1_TIME* t, Instant& out) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        return false;
    }
    using namespace std::chrono;
    const year_month_day day{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                             std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
    out = Instant(sys_days(day)) + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec);
    return true;
}

time_t to_time_t(Instant t) {
    return static_cast<time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) {
        return false;
    }
    out = std::move(buf).str();
    return true;
}

ErrorQueueGuard::~ErrorQueueGuard() { ERR_clear_error(); }

}  // namespace hub::crypto::ossl
