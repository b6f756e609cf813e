#pragma once
/// Attachment bytes, content-addressed: `<dir>/<first two hex digits>/<sha256 hex>`.
/// Files rather than SQLite blobs because a 200 MB attachment would be written twice through
/// the WAL; a file is streamed once, and identical content is stored once.
///
/// A blob is durable (file and directory entry fsync'd) when put returns, which must happen
/// BEFORE the ledger commit that references it. Blobs are never modified; a crash leaves at
/// most a stray file in `<dir>/tmp`. Blocking file I/O: call from a thread that may block
/// (not an I/O thread for large blobs). Thread-safe.

#include "hub/core/result.h"

#include <string>
#include <string_view>

namespace hub {

class BlobStore {
public:
    /// Creates `dir` and `dir/tmp` when missing. Error: UNAVAILABLE.
    static Result<BlobStore> open(std::string dir);
    /// Removes what a killed run left in temp_dir() (half-written blobs, spilled request
    /// bodies). Only for the daemon at start, before it serves: another process that opens
    /// the store (a backup) must not remove the files of uploads in flight. Error: UNAVAILABLE.
    Result<void> remove_leftovers() const;

    /// Moves a file already on disk (best in temp_dir(), the same filesystem, so the move is
    /// a rename) into the store after checking its SHA-256 against `expected_sha256`
    /// (lowercase hex; empty skips the check). Returns the hex digest. When the blob exists
    /// the file is just removed. Error: ATTACHMENT_DIGEST (mismatch, file left in place),
    /// UNAVAILABLE (I/O).
    Result<std::string> put_file(const std::string& temp_path, std::string_view expected_sha256);
    /// Stores `bytes`; returns their hex SHA-256. Error: UNAVAILABLE.
    Result<std::string> put(std::string_view bytes);
    /// The blob's bytes. Error: NOT_FOUND (unknown or malformed digest), UNAVAILABLE.
    Result<std::string> read(std::string_view sha256) const;
    /// True when the blob is stored.
    bool contains(std::string_view sha256) const;
    /// Where the blob lives (whether or not it exists); empty for a malformed digest.
    std::string path_of(std::string_view sha256) const;
    /// Where callers should stream uploads before put_file.
    std::string temp_dir() const { return dir_ + "/tmp"; }
    const std::string& dir() const { return dir_; }

private:
    explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}

    /// Makes `temp_path` (already fsync'd, digest `sha256`) the blob, durably.
    Result<std::string> install(const std::string& temp_path, const std::string& sha256);

    std::string dir_;
};

/// True for 64 lowercase hex digits.
bool is_sha256_hex(std::string_view text) noexcept;

}  // namespace hub
