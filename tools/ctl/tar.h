#pragma once
// A minimal POSIX ustar archive, enough for lienthongctl's backups: regular files with names
// under 100 bytes, written and read as streams (a 200 MB blob never sits in memory).

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>

namespace ctl {

class TarWriter {
public:
    /// Creates (truncates) `path`; throws std::runtime_error when it cannot.
    explicit TarWriter(const std::string& path);
    /// Appends `bytes` as the file `name`.
    void add(const std::string& name, const std::string& bytes);
    /// Appends the file at `source` as `name`, streamed; `progress(bytes)` after each chunk.
    void add_file(const std::string& name,
                  const std::string& source,
                  const std::function<void(std::uint64_t)>& progress = {});
    /// Writes the end-of-archive blocks, flushes and fsyncs; throws on any write error.
    void finish();

private:
    void header(const std::string& name, std::uint64_t size);
    void pad(std::uint64_t size);
    std::string path_;
    std::ofstream out_;
};

/// Reads an archive, calling `entry(name, size, read)` for each regular file; `read(buf, n)`
/// reads the next up to n bytes of that file (returns how many). Unread bytes are skipped.
/// Throws std::runtime_error on a malformed archive.
void read_tar(
    const std::string& path,
    const std::function<void(const std::string& name,
                             std::uint64_t size,
                             const std::function<std::size_t(char*, std::size_t)>& read)>& entry);

}  // namespace ctl
