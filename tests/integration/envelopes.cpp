#include "envelopes.h"

#include "hub/core/clock.h"
#include "hub/core/digest.h"
#include "hub/core/time.h"
#include "hub/crypto/cms_signer.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <stdexcept>

namespace it {
namespace v1 = lienthong::v1;

std::string minimal_pdf(std::string_view text) {
    // Binary comment bytes after the header, as PDF writers add, mark the file as binary.
    std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n%" + std::string(text) + "\n";
    const char* objects[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    };
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < std::size(objects); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = out.size();
    out += "xref\n0 4\n0000000000 65535 f \n";
    for (const std::size_t offset : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        out += line;
    }
    out += "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
}

std::string minimal_png() {
    // Signature, IHDR (1x1 RGBA), IDAT (zlib of one filtered row), IEND; real CRCs.
    static const unsigned char kPng[] = {
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F,
        0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
    return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

std::string new_uuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            out += '-';
        }
        auto nibble = static_cast<int>(rng() & 15);
        if (i == 12) {
            nibble = 4;
        } else if (i == 16) {
            nibble = 8 | (nibble & 3);
        }
        out += kHex[nibble];
    }
    return out;
}

std::string wire_field(int number, std::string_view bytes) {
    auto varint = [](std::string& out, std::uint64_t v) {
        while (v >= 0x80) {
            out += static_cast<char>((v & 0x7F) | 0x80);
            v >>= 7;
        }
        out += static_cast<char>(v);
    };
    std::string out;
    varint(out, (static_cast<std::uint64_t>(number) << 3) | 2);
    varint(out, bytes.size());
    out += bytes;
    return out;
}

v1::AttachmentRef& Draft::add(const std::string& content_id,
                              const std::string& name,
                              const std::string& media_type,
                              v1::AttachmentRole role,
                              const std::string& content) {
    auto* ref = header.add_attachments();
    ref->set_content_id(content_id);
    ref->set_name(name);
    ref->set_media_type(media_type);
    ref->set_size(content.size());
    ref->set_sha256(hub::sha256_hex(content));
    ref->set_role(role);
    v1::Attachment attachment;
    attachment.set_content_id(content_id);
    attachment.set_content(content);
    attachments.push_back(std::move(attachment));
    return *ref;
}

v1::SignedEnvelope Draft::sign() const {
    v1::SignedEnvelope envelope;
    envelope.set_header(header.SerializeAsString() + header_suffix);
    auto signer = hub::crypto::CmsSigner::load(sign_key, sign_cert);
    if (!signer) {
        throw std::runtime_error("signer " + sign_cert + ": " + signer.error().text());
    }
    auto signature = signer->sign_detached(envelope.header());
    if (!signature) {
        throw std::runtime_error("signing: " + signature.error().text());
    }
    envelope.set_signature(*signature);
    for (const auto& a : attachments) {
        *envelope.add_attachments() = a;
    }
    return envelope;
}

Draft draft(const Hub& hub, const std::string& from, const std::vector<std::string>& to) {
    // Unique across the whole test process, so replies and duplicates are never accidental.
    static std::atomic<int> counter{static_cast<int>(std::random_device{}() % 9000) + 1000};
    const std::string number = std::to_string(counter++);
    const hub::Instant now = hub::SystemClock().now();
    const auto local_day = std::chrono::floor<std::chrono::days>(hub::to_vietnam(now));
    const std::chrono::year_month_day today{local_day};

    Draft d;
    auto& h = d.header;
    h.set_envelope_id(new_uuid());
    h.set_business_type(v1::NEW);
    h.set_document_id(from + "," + hub::format_edxml_date(today) + "," + number + "/UBND-VP");
    h.mutable_from()->set_code(from);
    h.mutable_from()->set_name(hub.name_of(from));
    h.mutable_from()->set_address("Long An");
    for (const auto& code : to) {
        h.add_to(code);
    }
    h.mutable_code()->set_number(number);
    h.mutable_code()->set_notation("UBND-VP");
    h.mutable_promulgation()->set_place("Long An");
    h.mutable_promulgation()->set_date(hub::format_date(today));
    h.mutable_document_type()->set_type(1);
    h.mutable_document_type()->set_type_name("Công văn");
    h.set_subject("Về việc thử nghiệm trục liên thông văn bản số " + number);
    h.mutable_signer()->set_competence("TL.");
    h.mutable_signer()->set_position("Chánh Văn phòng");
    h.mutable_signer()->set_full_name("Nguyễn Văn Thử");
    h.set_priority(v1::NORMAL);
    h.set_secrecy(v1::NONE);
    h.set_created_at(hub::format_instant(now));
    d.add("cid:main", "van-ban-" + number + ".pdf", "application/pdf", v1::MAIN,
          minimal_pdf("document " + number));
    const std::string adir = hub.agency_dir(from);
    d.sign_key = adir + "/signer.key";
    d.sign_cert = adir + "/signer.crt";
    return d;
}

v1::SignedEnvelope make_envelope(const Hub& hub,
                                 const std::string& from,
                                 const std::vector<std::string>& to,
                                 const std::function<void(Draft&)>& before,
                                 const std::function<void(v1::SignedEnvelope&)>& after) {
    Draft d = draft(hub, from, to);
    if (before) {
        before(d);
    }
    v1::SignedEnvelope envelope = d.sign();
    if (after) {
        after(envelope);
    }
    return envelope;
}

}  // namespace it
