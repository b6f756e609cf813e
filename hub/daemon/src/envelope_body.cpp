#include "envelope_body.h"

#include "hub/core/digest.h"
#include "hub/http/message.h"
#include "lienthong/v1/envelope.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/wire_format_lite.h>

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "services.h"

namespace hub {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

constexpr std::uint32_t kMaxHeaderBytes = 16u << 20;  // a header is metadata, never files

Failure malformed(const std::string& why) { return fail(errc::malformed, "body", why); }

class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
    }
    void update(const void* data, std::size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_.get(), digest, &len);
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < len; ++i) {
            out += kHex[digest[i] >> 4];
            out += kHex[digest[i] & 15];
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// Copies `length` bytes of the stream into a new temp file, hashing them on the way.
Result<void> stream_content(CodedInputStream& in,
                            std::uint32_t length,
                            const std::string& dir,
                            IncomingAttachment& out) {
    if (!out.file.empty()) {
        std::filesystem::remove(out.file);
    }
    out.file = dir + "/up-" + new_id("") + ".part";
    std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(out.file.c_str(), "wb"),
                                                            &std::fclose);
    if (!file) {
        return fail(errc::unavailable, "", "cannot create " + out.file);
    }
    Sha256 sha;
    std::array<char, 64 * 1024> chunk;
    std::uint32_t left = length;
    while (left > 0) {
        const auto n = std::min<std::uint32_t>(left, chunk.size());
        if (!in.ReadRaw(chunk.data(), static_cast<int>(n))) {
            return malformed("attachment content is truncated");
        }
        sha.update(chunk.data(), n);
        if (std::fwrite(chunk.data(), 1, n, file.get()) != n) {
            return fail(errc::unavailable, "", "cannot write " + out.file);
        }
        left -= n;
    }
    out.size = length;
    out.sha256 = sha.hex();
    return {};
}

Result<void> read_attachment(CodedInputStream& in,
                             const std::string& dir,
                             IncomingAttachment& out) {
    std::uint32_t length = 0;
    if (!in.ReadVarint32(&length)) {
        return malformed("bad attachment length");
    }
    const auto limit = in.PushLimit(static_cast<int>(length));
    while (std::uint32_t tag = in.ReadTag()) {
        const int field = WireFormatLite::GetTagFieldNumber(tag);
        const auto wire = WireFormatLite::GetTagWireType(tag);
        if (wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED && (field == 1 || field == 2)) {
            std::uint32_t n = 0;
            if (!in.ReadVarint32(&n)) {
                return malformed("bad attachment field length");
            }
            if (field == 1) {
                if (n > kMaxHeaderBytes || !in.ReadString(&out.content_id, static_cast<int>(n))) {
                    return malformed("bad attachment content_id");
                }
            } else if (auto r = stream_content(in, n, dir, out); !r) {
                return r;
            }
        } else if (!WireFormatLite::SkipField(&in, tag)) {
            return malformed("bad field in attachment");
        }
    }
    if (!in.ConsumedEntireMessage()) {
        return malformed("attachment does not parse");
    }
    in.PopLimit(limit);
    return {};
}

Result<IncomingEnvelope> read_streamed(const std::string& path, const std::string& dir) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fail(errc::internal, "", "cannot open spilled body");
    }
    google::protobuf::io::FileInputStream file(fd);
    file.SetCloseOnDelete(true);
    CodedInputStream in(&file);
    in.SetTotalBytesLimit(std::numeric_limits<int>::max());
    IncomingEnvelope envelope;
    while (std::uint32_t tag = in.ReadTag()) {
        const int field = WireFormatLite::GetTagFieldNumber(tag);
        const auto wire = WireFormatLite::GetTagWireType(tag);
        if (wire != WireFormatLite::WIRETYPE_LENGTH_DELIMITED || field < 1 || field > 3) {
            if (!WireFormatLite::SkipField(&in, tag)) {
                return malformed("not a SignedEnvelope");
            }
            continue;
        }
        if (field == 3) {
            envelope.attachments.emplace_back();
            if (auto r = read_attachment(in, dir, envelope.attachments.back()); !r) {
                return r.error();
            }
            continue;
        }
        std::uint32_t n = 0;
        std::string* target = field == 1 ? &envelope.header : &envelope.signature;
        if (!in.ReadVarint32(&n) || n > kMaxHeaderBytes ||
            !in.ReadString(target, static_cast<int>(n))) {
            return malformed(field == 1 ? "bad header field" : "bad signature field");
        }
    }
    if (!in.ConsumedEntireMessage() || file.GetErrno() != 0) {
        return malformed("not a SignedEnvelope");
    }
    return envelope;
}

}  // namespace

IncomingEnvelope::~IncomingEnvelope() {
    for (const auto& attachment : attachments) {
        if (!attachment.file.empty()) {
            std::error_code ignored;
            std::filesystem::remove(attachment.file, ignored);
        }
    }
}

Result<IncomingEnvelope> read_envelope_body(const http::Request& request,
                                            const std::string& temp_dir) {
    std::string type = request.content_type.substr(0, request.content_type.find(';'));
    std::erase(type, ' ');
    for (auto& c : type) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!request.body_file.empty() && type == http::kProtobufType) {
        return read_streamed(request.body_file, temp_dir);
    }
    lienthong::v1::SignedEnvelope message;
    if (auto parsed = http::parse_message(request, message); !parsed) {
        return parsed.error();
    }
    IncomingEnvelope envelope;
    envelope.header = std::move(*message.mutable_header());
    envelope.signature = std::move(*message.mutable_signature());
    for (auto& attachment : *message.mutable_attachments()) {
        IncomingAttachment in;
        in.content_id = attachment.content_id();
        in.size = attachment.content().size();
        in.sha256 = sha256_hex(attachment.content());
        in.bytes = std::move(*attachment.mutable_content());
        envelope.attachments.push_back(std::move(in));
    }
    return envelope;
}

}  // namespace hub
