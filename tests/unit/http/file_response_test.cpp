// Bounded egress: answers streamed from a file range (Response::file) and the Range helper.

#include "hub/http/range.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "unit/http/test_server.h"

namespace hub::http::test {
namespace {

using boost::beast::http::verb;
using Kind = RangeRequest::Kind;

// A file of `size` bytes whose byte i is 'a' + (i * 7 + i / 4096) % 26: any misplaced
// chunk shows.
std::string pattern(std::size_t size) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    }
    return out;
}

std::string write_temp(const std::string& name, const std::string& bytes) {
    auto path = (std::filesystem::path(TestPki::get().dir) / name).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return path;
}

boost::asio::awaitable<Response> answer_file(FileRange range) {
    Response response;
    response.content_type = "application/octet-stream";
    response.body = "ignored";
    response.file = std::move(range);
    co_return response;
}

// Answers every request with `range` of the file.
Handler file_handler(FileRange range) {
    return [range](Request) { return answer_file(range); };
}

TEST_CASE("a file range is streamed with its exact Content-Length", "[http][file]") {
    const std::string content = pattern(5 * 1024 * 1024 + 123);
    const auto path = write_temp("five-mb.bin", content);
    const std::uint64_t offset = 70'001;
    const std::uint64_t length = content.size() - offset - 17;
    TestServer server(test_options(), file_handler(FileRange{path, offset, length}));
    Client client(client_options(server.port()));
    auto response = client.request(verb::get, "/download");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    CHECK(response->header("content-length") == std::to_string(length));
    CHECK(response->header("content-type") == "application/octet-stream");
    REQUIRE(response->body.size() == length);
    CHECK(response->body == content.substr(offset, length));
    // Keep-alive still works after a streamed answer.
    auto again = client.request(verb::get, "/download");
    REQUIRE(outcome(again) == "ok");
    CHECK(again->body.size() == length);
    CHECK(client.connected());
}

TEST_CASE("a streamed file is read while it is sent, not loaded up front", "[http][file]") {
    // The client reads the first 64 KiB and stops; its small receive buffer and the server's
    // send buffer (at most 4 MiB by default) hold far less than the file, so a server that
    // reads in bounded chunks has not read the tail yet. We change the tail, then read on.
    const std::size_t size = 12 * 1024 * 1024;
    const std::string content = pattern(size);
    const auto path = write_temp("twelve-mb.bin", content);
    TestServer server(test_options(), file_handler(FileRange{path, 0, size}));
    RawTls raw(server.port(), 10s, RawTls::Options{"", 64 * 1024, true});
    REQUIRE_FALSE(raw.connect());
    REQUIRE_FALSE(
        raw.write("GET /download HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    auto first = raw.read_exactly(64 * 1024);
    REQUIRE_FALSE(first.ec);
    auto header_end = first.data.find("\r\n\r\n");
    REQUIRE(header_end != std::string::npos);
    CHECK(first.data.find("Content-Length: " + std::to_string(size)) != std::string::npos);

    const std::size_t tail = 2 * 1024 * 1024;
    {
        std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(size - tail));
        f << std::string(tail, 'Z');
    }
    auto rest = raw.read_until_close();
    CHECK(rest.ec != boost::beast::error::timeout);
    std::string body = first.data.substr(header_end + 4) + rest.data;
    REQUIRE(body.size() == size);
    CHECK(body.substr(0, size - tail) == content.substr(0, size - tail));
    CHECK(body.substr(size - tail) == std::string(tail, 'Z'));
}

TEST_CASE("a file range the file cannot supply answers 500 before any byte is sent",
          "[http][file]") {
    const auto path = write_temp("short.bin", pattern(1000));
    TestServer server(test_options(), file_handler(FileRange{path, 900, 101}));
    Client client(client_options(server.port()));
    auto response = client.request(verb::get, "/download");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 500);
    CHECK(response->body.find("INTERNAL") != std::string::npos);

    TestServer missing(test_options(), file_handler(FileRange{path + ".gone", 0, 1}));
    Client other(client_options(missing.port()));
    auto gone = other.request(verb::get, "/download");
    REQUIRE(outcome(gone) == "ok");
    CHECK(gone->status == 500);
}

TEST_CASE("an empty file range answers with Content-Length 0", "[http][file]") {
    const auto path = write_temp("empty.bin", "");
    TestServer server(test_options(), file_handler(FileRange{path, 0, 0}));
    Client client(client_options(server.port()));
    auto response = client.request(verb::get, "/download");
    REQUIRE(outcome(response) == "ok");
    CHECK(response->status == 200);
    CHECK(response->header("content-length") == "0");
    CHECK(response->body.empty());
    CHECK(outcome(client.request(verb::get, "/download")) == "ok");
}

TEST_CASE("Range: bytes=a-b, a- and -n against a size", "[http][range]") {
    auto r = parse_range("bytes=0-99", 1000);
    CHECK(r.kind == Kind::partial);
    CHECK(r.offset == 0);
    CHECK(r.length == 100);
    CHECK(content_range(r, 1000) == "bytes 0-99/1000");

    r = parse_range("bytes=500-", 1000);
    CHECK(r.kind == Kind::partial);
    CHECK(r.offset == 500);
    CHECK(r.length == 500);
    CHECK(content_range(r, 1000) == "bytes 500-999/1000");

    r = parse_range("bytes=-100", 1000);
    CHECK(r.kind == Kind::partial);
    CHECK(r.offset == 900);
    CHECK(r.length == 100);

    // The last byte past the end is clipped; a suffix longer than the file is all of it.
    r = parse_range("bytes=990-5000", 1000);
    CHECK(r.kind == Kind::partial);
    CHECK(r.offset == 990);
    CHECK(r.length == 10);
    r = parse_range("bytes=-5000", 1000);
    CHECK(r.kind == Kind::partial);
    CHECK(r.offset == 0);
    CHECK(r.length == 1000);

    r = parse_range(" Bytes = 7-7 ", 1000);
    CHECK(r.kind == Kind::partial);
    CHECK(r.offset == 7);
    CHECK(r.length == 1);
}

TEST_CASE("a range past the end is unsatisfiable", "[http][range]") {
    CHECK(parse_range("bytes=1000-", 1000).kind == Kind::unsatisfiable);
    CHECK(parse_range("bytes=1000-2000", 1000).kind == Kind::unsatisfiable);
    CHECK(parse_range("bytes=-0", 1000).kind == Kind::unsatisfiable);
    CHECK(parse_range("bytes=0-", 0).kind == Kind::unsatisfiable);
    CHECK(parse_range("bytes=-1", 0).kind == Kind::unsatisfiable);
    CHECK(unsatisfied_content_range(1000) == "bytes */1000");
}

TEST_CASE("a Range this server does not take means the whole representation", "[http][range]") {
    for (const char* header :
         {"", "bytes", "items=0-1", "bytes=abc", "bytes=5-1", "bytes=0-1,5-6", "bytes=--1",
          "bytes=1-2-3", "bytes=+1-2", "bytes=99999999999999999999999-"}) {
        INFO(header);
        auto r = parse_range(header, 1000);
        CHECK(r.kind == Kind::whole);
        CHECK(r.offset == 0);
        CHECK(r.length == 1000);
    }
}

}  // namespace
}  // namespace hub::http::test
