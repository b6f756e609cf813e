#include "hub/store/blob_store.h"

#include "hub/core/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

namespace hub {

namespace {

Failure io_failure(std::string_view what, const std::string& path, int err) {
    return fail(errc::unavailable, {},
                "blob store: " + std::string(what) + " " + path + ": " + std::strerror(err));
}

/// Closes on scope exit; fd -1 is "none".
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// Blobs are documents: their directories are the daemon user's only, also when they
// existed before (made by an installer or an older version with a wider mode).
Result<void> make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        return io_failure("mkdir", path, errno);
    }
    return {};
}

Result<void> restrict_dir(const std::string& path) {
    if (::chmod(path.c_str(), 0700) != 0) {
        return io_failure("chmod", path, errno);
    }
    return {};
}

// Files a previous run left in tmp when it was killed mid-write: half-written blobs
// ("blob-*") and spilled request bodies ("lienthong-body-*"). Nothing else is touched.
Result<void> clean_temp(const std::string& tmp_dir) {
    std::error_code ec;
    std::vector<std::string> leftovers;
    for (std::filesystem::directory_iterator it(tmp_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind("blob-", 0) == 0 || name.rfind("lienthong-body-", 0) == 0) {
            leftovers.push_back(it->path().string());
        }
    }
    if (ec) {
        return io_failure("list", tmp_dir, ec.value());
    }
    for (const auto& path : leftovers) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            return io_failure("unlink", path, errno);
        }
    }
    return {};
}

/// A rename or a new entry is durable only once its directory is fsync'd.
Result<void> sync_dir(const std::string& path) {
    Fd d(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.fd < 0) {
        return io_failure("open dir", path, errno);
    }
    if (::fsync(d.fd) != 0) {
        return io_failure("fsync dir", path, errno);
    }
    return {};
}

Result<void> write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_failure("write", path, errno);
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

/// A new, empty file in `tmp_dir`; its name goes to `path`.
Result<int> make_temp(const std::string& tmp_dir, std::string& path) {
    path = tmp_dir + "/blob-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) {
        return io_failure("mkstemp", path, errno);
    }
    return fd;
}

std::string hex(const unsigned char* p, unsigned n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (unsigned i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 0xf];
    }
    return out;
}

/// Hashes the file behind `fd` from its start; with `copy_to` >= 0 also copies it there.
Result<std::string> hash_file(int fd, const std::string& path, int copy_to) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        return fail(errc::internal, {}, "blob store: sha256 init failed");
    }
    std::string buf(1 << 16, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_failure("read", path, errno);
        }
        if (n == 0) {
            break;
        }
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
        if (copy_to >= 0) {
            if (auto r =
                    write_all(copy_to, std::string_view(buf.data(), static_cast<size_t>(n)), path);
                !r) {
                return r.error();
            }
        }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    return hex(md, len);
}

}  // namespace

bool is_sha256_hex(std::string_view text) noexcept {
    if (text.size() != 64) {
        return false;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

Result<BlobStore> BlobStore::open(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    BlobStore store(std::move(dir));
    if (auto r = make_dir(store.dir_); !r) {
        return r.error();
    }
    if (auto r = make_dir(store.temp_dir()); !r) {
        return r.error();
    }
    for (const auto& dir : {store.dir_, store.temp_dir()}) {
        if (auto r = restrict_dir(dir); !r) {
            return r.error();
        }
    }
    return store;
}

Result<void> BlobStore::remove_leftovers() const { return clean_temp(temp_dir()); }

std::string BlobStore::path_of(std::string_view sha256) const {
    if (!is_sha256_hex(sha256)) {
        return {};
    }
    std::string path = dir_;
    path += '/';
    path += sha256.substr(0, 2);
    path += '/';
    path += sha256;
    return path;
}

bool BlobStore::contains(std::string_view sha256) const {
    std::string path = path_of(sha256);
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

Result<std::string> BlobStore::install(const std::string& temp_path, const std::string& sha256) {
    std::string target = path_of(sha256);
    if (contains(sha256)) {
        // Same digest, same bytes: the stored copy is already durable.
        ::unlink(temp_path.c_str());
        return sha256;
    }
    std::string shard = dir_ + "/" + sha256.substr(0, 2);
    struct stat st {};
    if (::stat(shard.c_str(), &st) != 0) {
        if (auto r = make_dir(shard); !r) {
            return r.error();
        }
        if (auto r = sync_dir(dir_); !r) {
            return r.error();
        }
    }
    if (::rename(temp_path.c_str(), target.c_str()) != 0) {
        return io_failure("rename", temp_path, errno);
    }
    if (auto r = sync_dir(shard); !r) {
        return r.error();
    }
    return sha256;
}

Result<std::string> BlobStore::put_file(const std::string& temp_path,
                                        std::string_view expected_sha256) {
    Fd in(::open(temp_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0) {
        return io_failure("open", temp_path, errno);
    }
    // Same filesystem: hash in place and rename. Another filesystem: copy into tmp while
    // hashing, because rename cannot cross devices.
    struct stat src {};
    struct stat tmp {};
    if (::fstat(in.fd, &src) != 0 || ::stat(temp_dir().c_str(), &tmp) != 0) {
        return io_failure("stat", temp_path, errno);
    }
    bool same_device = src.st_dev == tmp.st_dev;

    std::string copy_path;
    int copy_fd = -1;
    if (!same_device) {
        auto fd = make_temp(temp_dir(), copy_path);
        if (!fd) {
            return fd.error();
        }
        copy_fd = *fd;
    }
    Fd copy(copy_fd);
    auto digest = hash_file(in.fd, temp_path, copy.fd);
    if (!digest) {
        if (!copy_path.empty()) {
            ::unlink(copy_path.c_str());
        }
        return digest.error();
    }
    if (!expected_sha256.empty() && *digest != expected_sha256) {
        if (!copy_path.empty()) {
            ::unlink(copy_path.c_str());
        }
        return fail(
            errc::attachment_digest, {},
            "content SHA-256 " + *digest + " does not match " + std::string(expected_sha256));
    }
    const std::string& staged = same_device ? temp_path : copy_path;
    int staged_fd = same_device ? in.fd : copy.fd;
    if (::fsync(staged_fd) != 0) {
        return io_failure("fsync", staged, errno);
    }
    auto installed = install(staged, *digest);
    if (installed && !same_device) {
        ::unlink(temp_path.c_str());
    }
    return installed;
}

Result<std::string> BlobStore::put(std::string_view bytes) {
    std::string sha256 = sha256_hex(bytes);
    if (contains(sha256)) {
        return sha256;
    }
    std::string path;
    auto fd = make_temp(temp_dir(), path);
    if (!fd) {
        return fd.error();
    }
    Fd out(*fd);
    auto written = write_all(out.fd, bytes, path);
    if (written && ::fsync(out.fd) != 0) {
        written = io_failure("fsync", path, errno);
    }
    if (!written) {
        ::unlink(path.c_str());
        return written.error();
    }
    return install(path, sha256);
}

Result<std::string> BlobStore::read(std::string_view sha256) const {
    std::string path = path_of(sha256);
    if (path.empty()) {
        return fail(errc::not_found, "sha256", "not a SHA-256 digest");
    }
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0) {
        if (errno == ENOENT) {
            return fail(errc::not_found, "sha256", "no blob " + std::string(sha256));
        }
        return io_failure("open", path, errno);
    }
    struct stat st {};
    if (::fstat(in.fd, &st) != 0) {
        return io_failure("stat", path, errno);
    }
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::read(in.fd, out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_failure("read", path, errno);
        }
        if (n == 0) {
            return fail(errc::internal, {}, "blob store: " + path + " shorter than its size");
        }
        done += static_cast<size_t>(n);
    }
    return out;
}

}  // namespace hub
