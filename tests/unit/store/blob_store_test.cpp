// The content-addressed attachment store.

#include "hub/store/blob_store.h"

#include "hub/core/digest.h"

#include <sys/stat.h>

#include <fstream>

#include "unit/store/store_fixture.h"

using namespace store_test;

namespace {

hub::BlobStore open_store(const TempDir& dir) {
    auto s = hub::BlobStore::open(dir.path + "/blobs/");
    REQUIRE(s.has_value());
    return std::move(*s);
}

std::string write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    return path;
}

}  // namespace

TEST_CASE("blobs: put stores by digest and read returns the bytes", "[store][blob]") {
    TempDir dir;
    auto store = open_store(dir);
    std::string pdf = std::string("%PDF-1.7\0\x01\x02 binary", 19);
    auto sha = store.put(pdf);
    REQUIRE(sha.has_value());
    CHECK(*sha == hub::sha256_hex(pdf));
    CHECK(store.path_of(*sha) == dir.path + "/blobs/" + sha->substr(0, 2) + "/" + *sha);
    CHECK(store.contains(*sha));
    auto back = store.read(*sha);
    REQUIRE(back.has_value());
    CHECK(*back == pdf);
}

TEST_CASE("blobs: identical content is stored once", "[store][blob]") {
    TempDir dir;
    auto store = open_store(dir);
    auto a = store.put("same bytes");
    auto b = store.put("same bytes");
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(*a == *b);
    auto file = write_file(store.temp_dir() + "/upload-1", "same bytes");
    auto c = store.put_file(file, *a);
    REQUIRE(c.has_value());
    CHECK(*c == *a);
    struct stat st {};
    CHECK(::stat(file.c_str(), &st) != 0);  // the duplicate upload is removed
    std::size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path + "/blobs")) {
        files += e.is_regular_file() ? 1 : 0;
    }
    CHECK(files == 1);
}

TEST_CASE("R-06 blobs: put_file moves a checked upload in", "[store][blob]") {
    TempDir dir;
    auto store = open_store(dir);
    std::string bytes(300000, 'x');
    auto file = write_file(store.temp_dir() + "/upload-2", bytes);
    auto sha = store.put_file(file, hub::sha256_hex(bytes));
    REQUIRE(sha.has_value());
    CHECK(store.read(*sha).value() == bytes);
    struct stat st {};
    CHECK(::stat(file.c_str(), &st) != 0);
}

TEST_CASE("blobs: an upload from another directory is moved in too", "[store][blob]") {
    TempDir dir;
    TempDir elsewhere;
    auto store = open_store(dir);
    auto file = write_file(elsewhere.path + "/upload", "from elsewhere");
    auto sha = store.put_file(file, "");  // empty: no expected digest
    REQUIRE(sha.has_value());
    CHECK(store.read(*sha).value() == "from elsewhere");
}

TEST_CASE("blobs: a digest mismatch is refused and nothing is stored", "[store][blob]") {
    TempDir dir;
    auto store = open_store(dir);
    auto file = write_file(store.temp_dir() + "/upload-3", "actual content");
    auto r = store.put_file(file, hub::sha256_hex("declared content"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == hub::errc::attachment_digest);
    CHECK_FALSE(store.contains(hub::sha256_hex("actual content")));
}

TEST_CASE("blobs: unknown or malformed digests are not found", "[store][blob]") {
    TempDir dir;
    auto store = open_store(dir);
    CHECK(store.read(std::string(64, 'a')).error().code == hub::errc::not_found);
    CHECK(store.read("../../etc/passwd").error().code == hub::errc::not_found);
    CHECK(store.path_of("ABC").empty());
    CHECK(store.put_file(store.temp_dir() + "/missing", "").error().code == hub::errc::unavailable);
}

TEST_CASE("R-21 blobs: another process opening the store leaves uploads in flight alone",
          "[store][blob]") {
    TempDir dir;
    auto daemon = open_store(dir);
    const std::string in_flight = write_file(daemon.temp_dir() + "/blob-upload", "half a PDF");
    const std::string spilled = write_file(daemon.temp_dir() + "/lienthong-body-1", "a body");
    const std::string other = write_file(daemon.temp_dir() + "/notes.txt", "not ours");
    // What a backup does while the daemon streams an upload.
    auto backup = open_store(dir);
    CHECK(std::filesystem::exists(in_flight));
    CHECK(std::filesystem::exists(spilled));
    // The daemon's start removes what a killed run left, and nothing else.
    REQUIRE(daemon.remove_leftovers().has_value());
    CHECK_FALSE(std::filesystem::exists(in_flight));
    CHECK_FALSE(std::filesystem::exists(spilled));
    CHECK(std::filesystem::exists(other));
}
