#include "handles.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace lienthong::testca::detail {

void raise(const std::string& what) {
    std::array<char, 256> buf{};
    ERR_error_string_n(ERR_get_error(), buf.data(), buf.size());
    ERR_clear_error();
    throw std::runtime_error("testca: " + what + ": " + buf.data());
}

Ptr<BIO> mem_bio(std::string_view data) {
    // An empty string_view may have a null data(), which BIO_new_mem_buf refuses.
    const char* bytes = data.empty() ? "" : data.data();
    return Ptr<BIO>(
        check(BIO_new_mem_buf(bytes, static_cast<int>(data.size())), "BIO_new_mem_buf"));
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return {data, len > 0 ? static_cast<std::size_t>(len) : 0};
}

Ptr<EVP_PKEY> new_key(KeyType type) {
    EVP_PKEY* key = nullptr;
    switch (type) {
        case KeyType::ec_p256:
            key = EVP_EC_gen("P-256");
            break;
        case KeyType::rsa2048:
            key = EVP_RSA_gen(2048);
            break;
        case KeyType::rsa1024:
            key = EVP_RSA_gen(1024);
            break;
    }
    return Ptr<EVP_PKEY>(check(key, "key generation"));
}

std::string private_pem(EVP_PKEY* key) {
    Ptr<BIO> bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    return bio_text(bio.get());
}

Ptr<EVP_PKEY> parse_private_pem(std::string_view pem) {
    Ptr<BIO> bio = mem_bio(pem);
    return Ptr<EVP_PKEY>(check(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                               "PEM_read_bio_PrivateKey"));
}

std::string cert_pem(X509* cert) {
    Ptr<BIO> bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    return bio_text(bio.get());
}

std::string cert_der(X509* cert) {
    unsigned char* buf = nullptr;
    const int len = i2d_X509(cert, &buf);
    if (len <= 0) {
        raise("i2d_X509");
    }
    std::string der(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
    return der;
}

Ptr<X509> parse_cert_pem(std::string_view pem) {
    Ptr<BIO> bio = mem_bio(pem);
    return Ptr<X509>(
        check(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), "PEM_read_bio_X509"));
}

time_t to_time_t(TimePoint t) { return std::chrono::system_clock::to_time_t(t); }

void write_file(const std::string& path, std::string_view content, unsigned mode) {
    // open() with the mode, then fchmod: a key file must never exist with wider permissions,
    // even for a moment, and an existing file must not keep its old mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        throw std::runtime_error("testca: cannot write " + path + ": " +
                                 std::generic_category().message(errno));
    }
    bool ok = ::fchmod(fd, mode) == 0;
    for (std::size_t done = 0; ok && done < content.size();) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        done += ok ? static_cast<std::size_t>(n) : 0;
    }
    const int saved = errno;
    ok = ::close(fd) == 0 && ok;
    if (!ok) {
        throw std::runtime_error("testca: cannot write " + path + ": " +
                                 std::generic_category().message(saved));
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("testca: cannot read " + path);
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return std::move(buf).str();
}

}  // namespace lienthong::testca::detail
