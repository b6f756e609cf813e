#include "tar.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace ctl {

namespace {

constexpr std::size_t kBlock = 512;

void octal(char* field, std::size_t width, std::uint64_t value) {
    // width - 1 digits and a NUL, as ustar writes them.
    std::string digits(width - 1, '0');
    for (std::size_t i = width - 1; i-- > 0 && value > 0; value >>= 3) {
        digits[i] = static_cast<char>('0' + (value & 7));
    }
    if (value != 0) {
        throw std::runtime_error("tar: value too large for its field");
    }
    std::memcpy(field, digits.data(), width - 1);
    field[width - 1] = '\0';
}

std::uint64_t read_octal(const char* field, std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width && field[i] != '\0' && field[i] != ' '; ++i) {
        if (field[i] < '0' || field[i] > '7') {
            throw std::runtime_error("tar: bad number in a header");
        }
        v = v * 8 + static_cast<std::uint64_t>(field[i] - '0');
    }
    return v;
}

}  // namespace

TarWriter::TarWriter(const std::string& path)
    : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
    if (!out_) {
        throw std::runtime_error("cannot create " + path);
    }
}

void TarWriter::header(const std::string& name, std::uint64_t size) {
    if (name.empty() || name.size() >= 100) {
        throw std::runtime_error("tar: name too long: " + name);
    }
    char h[kBlock] = {};
    std::memcpy(h, name.data(), name.size());
    octal(h + 100, 8, 0600);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, size);
    octal(h + 136, 12, 0);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : std::string_view(h, kBlock)) {
        sum += c;
    }
    octal(h + 148, 7, sum);
    h[155] = ' ';
    out_.write(h, kBlock);
}

void TarWriter::pad(std::uint64_t size) {
    static const char zeros[kBlock] = {};
    if (const auto rest = size % kBlock; rest != 0) {
        out_.write(zeros, static_cast<std::streamsize>(kBlock - rest));
    }
}

void TarWriter::add(const std::string& name, const std::string& bytes) {
    header(name, bytes.size());
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    pad(bytes.size());
    if (!out_) {
        throw std::runtime_error("cannot write " + path_);
    }
}

void TarWriter::add_file(const std::string& name,
                         const std::string& source,
                         const std::function<void(std::uint64_t)>& progress) {
    std::ifstream in(source, std::ios::binary | std::ios::ate);
    if (!in) {
        throw std::runtime_error("cannot read " + source);
    }
    const auto size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    header(name, size);
    std::vector<char> buf(1 << 16);
    std::uint64_t left = size;
    while (left > 0) {
        const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buf.size()));
        if (!in.read(buf.data(), n)) {
            throw std::runtime_error("cannot read " + source + " (changed while copied?)");
        }
        out_.write(buf.data(), n);
        left -= static_cast<std::uint64_t>(n);
        if (progress) {
            progress(static_cast<std::uint64_t>(n));
        }
    }
    pad(size);
    if (!out_) {
        throw std::runtime_error("cannot write " + path_);
    }
}

void TarWriter::finish() {
    static const char zeros[2 * kBlock] = {};
    out_.write(zeros, sizeof zeros);
    out_.flush();
    out_.close();
    if (!out_) {
        throw std::runtime_error("cannot write " + path_);
    }
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    const bool synced = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) {
        ::close(fd);
    }
    if (!synced) {
        throw std::runtime_error("cannot fsync " + path_);
    }
}

void read_tar(
    const std::string& path,
    const std::function<void(const std::string&,
                             std::uint64_t,
                             const std::function<std::size_t(char*, std::size_t)>&)>& entry) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    char h[kBlock];
    for (;;) {
        if (!in.read(h, kBlock)) {
            throw std::runtime_error(path + ": truncated archive");
        }
        if (std::all_of(h, h + kBlock, [](char c) { return c == '\0'; })) {
            return;  // end of archive
        }
        if (std::memcmp(h + 257, "ustar", 5) != 0) {
            throw std::runtime_error(path + ": not a ustar archive");
        }
        unsigned sum = 0;
        for (std::size_t i = 0; i < kBlock; ++i) {
            sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
        }
        if (sum != read_octal(h + 148, 8)) {
            throw std::runtime_error(path + ": bad header checksum");
        }
        const std::string name(h, strnlen(h, 100));
        const std::uint64_t size = read_octal(h + 124, 12);
        std::uint64_t left = size;
        const auto read = [&](char* buf, std::size_t n) -> std::size_t {
            const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(n, left));
            if (want == 0) {
                return 0;
            }
            if (!in.read(buf, want)) {
                throw std::runtime_error(path + ": truncated archive");
            }
            left -= static_cast<std::uint64_t>(want);
            return static_cast<std::size_t>(want);
        };
        if (h[156] == '0' || h[156] == '\0') {
            entry(name, size, read);
        }
        in.ignore(static_cast<std::streamsize>(left));
        if (const auto rest = size % kBlock; rest != 0) {
            in.ignore(static_cast<std::streamsize>(kBlock - rest));
        }
        if (!in) {
            throw std::runtime_error(path + ": truncated archive");
        }
    }
}

}  // namespace ctl
