#include "attachments_check.h"

#include "hub/core/media_type.h"
#include "hub/core/text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <map>

namespace hub {
namespace {

// A read-only view of a whole file; only the pages the sniffer touches are read.
class MappedFile {
public:
    explicit MappedFile(const std::string& path, std::size_t size) : size_(size) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && size_ > 0) {
            void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            data_ = p == MAP_FAILED ? nullptr : static_cast<const char*>(p);
        }
        if (fd >= 0) {
            ::close(fd);
        }
    }
    ~MappedFile() {
        if (data_ != nullptr) {
            ::munmap(const_cast<char*>(data_), size_);
        }
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    bool ok() const { return data_ != nullptr || size_ == 0; }
    std::string_view view() const {
        return data_ ? std::string_view(data_, size_) : std::string_view();
    }

private:
    const char* data_ = nullptr;
    std::size_t size_;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

Result<void> check_attachments(const lienthong::v1::EnvelopeHeader& header,
                               const IncomingEnvelope& envelope) {
    std::map<std::string, int> ref_index;
    for (int i = 0; i < header.attachments_size(); ++i) {
        ref_index.emplace(header.attachments(i).content_id(), i);
    }
    std::vector<int> ref_of(envelope.attachments.size(), -1);
    std::vector<bool> ref_seen(header.attachments_size(), false);
    for (std::size_t i = 0; i < envelope.attachments.size(); ++i) {
        const auto field = "attachments[" + std::to_string(i) + "]";
        auto it = ref_index.find(to_nfc(envelope.attachments[i].content_id));
        if (it == ref_index.end()) {
            return fail(errc::attachment_digest, field,
                        "no attachment reference has this content_id");
        }
        if (ref_seen[it->second]) {
            return fail(errc::attachment_digest, field, "content_id sent twice");
        }
        ref_seen[it->second] = true;
        ref_of[i] = it->second;
    }
    for (int i = 0; i < header.attachments_size(); ++i) {
        if (!ref_seen[i]) {
            return fail(errc::attachment_digest, "attachments",
                        "missing attachment " + header.attachments(i).content_id());
        }
    }
    for (std::size_t i = 0; i < envelope.attachments.size(); ++i) {
        const auto& attachment = envelope.attachments[i];
        const auto& ref = header.attachments(ref_of[i]);
        const auto field = "attachments[" + std::to_string(i) + "]";
        if (attachment.size != ref.size()) {
            return fail(errc::attachment_digest, field, "size differs from the header");
        }
        if (attachment.sha256 != lower(ref.sha256())) {
            return fail(errc::attachment_digest, field, "SHA-256 differs from the header");
        }
        bool matches = false;
        if (attachment.file.empty()) {
            matches = content_matches(ref.media_type(), attachment.bytes);
        } else {
            MappedFile mapped(attachment.file, attachment.size);
            if (!mapped.ok()) {
                return fail(errc::unavailable, "", "cannot read an uploaded attachment");
            }
            matches = content_matches(ref.media_type(), mapped.view());
        }
        if (!matches) {
            return fail(errc::attachment_type, field, "content is not " + ref.media_type());
        }
    }
    return {};
}

}  // namespace hub
