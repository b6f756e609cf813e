#include "envelopes.h"

#include "hub/core/clock.h"
#include "hub/core/digest.h"
#include "hub/core/time.h"
#include "lienthong/v1/envelope.pb.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "https.h"

namespace bench {
namespace v1 = lienthong::v1;

namespace {

std::string new_uuid() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const std::uint64_t hi = random();
    const std::uint64_t lo = random();
    unsigned char bytes[16];
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(hi >> (8 * i));
        bytes[8 + i] = static_cast<unsigned char>(lo >> (8 * i));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        out += kHex[bytes[i] >> 4];
        out += kHex[bytes[i] & 0x0F];
    }
    return out;
}

// Zero-padded so that the length of the file does not depend on the numbers written in it.
std::string padded(std::size_t value, int width) {
    char text[32];
    std::snprintf(text, sizeof text, "%0*zu", width, value);
    return text;
}

}  // namespace

const char* content_type(Format format) {
    return format == Format::protobuf ? "application/x-protobuf" : "application/json";
}

namespace {

// The PDF around `filler`; every number in it is zero-padded, so its length is the length
// of `filler` plus a constant.
std::string assemble_pdf(const std::string& text, const std::string& filler) {
    std::vector<std::size_t> offsets;
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    auto object = [&](const std::string& body) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
    };
    object("<< /Type /Catalog /Pages 2 0 R >>");
    object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>");
    object("<< /Length " + padded(text.size() + filler.size(), 10) + " >>\nstream\n" + text +
           filler + "endstream");
    object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 6\n0000000000 65535 f \n";
    for (auto offset : offsets) {
        pdf += padded(offset, 10) + " 00000 n \n";
    }
    pdf += "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n" + padded(xref, 10) + "\n%%EOF\n";
    return pdf;
}

}  // namespace

std::string make_pdf(const std::string& tag, std::size_t size) {
    // One page showing the tag; the content stream ends in comment lines (also holding the
    // tag and pseudo-random text) that bring the file to `size`. The xref offsets are real.
    const std::string text = "BT /F1 12 Tf 72 770 Td (lienthong bench " + tag + ") Tj ET\n";
    const std::size_t fixed = assemble_pdf(text, "").size();
    if (size < fixed + 2) {
        throw std::invalid_argument("make_pdf: " + std::to_string(size) + " bytes is too small");
    }
    const std::size_t filler_size = size - fixed;
    std::string filler;
    filler.reserve(filler_size + 80);
    std::mt19937 random(static_cast<unsigned>(std::hash<std::string>{}(tag)));
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    while (filler.size() < filler_size) {
        std::string line = "% " + tag + " ";
        while (line.size() < 79) {
            line += kChars[random() % (sizeof kChars - 1)];
        }
        filler += line + '\n';
    }
    filler.resize(filler_size - 1);
    filler += '\n';
    std::string pdf = assemble_pdf(text, filler);
    if (pdf.size() != size) {
        throw std::logic_error("make_pdf: built " + std::to_string(pdf.size()) + " bytes, not " +
                               std::to_string(size));
    }
    return pdf;
}

EnvelopeFactory::EnvelopeFactory(Agency sender, Format format, int pdf_bytes)
    : sender_(std::move(sender)),
      format_(format),
      pdf_bytes_(static_cast<std::size_t>(pdf_bytes)),
      signer_([&] {
          auto loaded = hub::crypto::CmsSigner::load(sender_.dir + "/signer.key",
                                                     sender_.dir + "/signer.crt");
          if (!loaded) {
              throw std::runtime_error("signer of " + sender_.code + ": " + loaded.error().text());
          }
          return std::move(*loaded);
      }()) {}

PooledEnvelope EnvelopeFactory::make(const std::vector<std::string>& to, long number) const {
    const auto now = hub::SystemClock().now();
    const auto today =
        std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(hub::to_vietnam(now)));
    const std::string number_text = std::to_string(number);
    const std::string notation = "UBND-VP";

    v1::EnvelopeHeader header;
    header.set_envelope_id(new_uuid());
    header.set_business_type(v1::NEW);
    header.set_document_id(sender_.code + "," + hub::format_edxml_date(today) + "," + number_text +
                           "/" + notation);
    header.mutable_from()->set_code(sender_.code);
    header.mutable_from()->set_name(sender_.name);
    for (const auto& code : to) {
        header.add_to(code);
    }
    header.mutable_code()->set_number(number_text);
    header.mutable_code()->set_notation(notation);
    header.mutable_promulgation()->set_place("Long An");
    header.mutable_promulgation()->set_date(hub::format_date(today));
    header.mutable_document_type()->set_type(1);
    header.mutable_document_type()->set_type_name("Công văn");
    header.set_subject("Về việc đo tải hệ thống liên thông văn bản (lienthong_bench)");
    header.mutable_signer()->set_competence("KT.");
    header.mutable_signer()->set_position("Chánh Văn phòng");
    header.mutable_signer()->set_full_name("Nguyễn Văn A");
    header.set_priority(v1::NORMAL);
    header.set_secrecy(v1::NONE);
    header.set_created_at(hub::format_instant(now));

    const std::string pdf = make_pdf(header.envelope_id(), pdf_bytes_);
    auto* ref = header.add_attachments();
    ref->set_content_id("cid:1");
    ref->set_name("van-ban.pdf");
    ref->set_media_type("application/pdf");
    ref->set_size(pdf.size());
    ref->set_sha256(hub::sha256_hex(pdf));
    ref->set_role(v1::MAIN);

    v1::SignedEnvelope envelope;
    envelope.set_header(header.SerializeAsString());
    auto signature = signer_.sign_detached(envelope.header());
    if (!signature) {
        throw std::runtime_error("signing as " + sender_.code + ": " + signature.error().text());
    }
    envelope.set_signature(std::move(*signature));
    auto* attachment = envelope.add_attachments();
    attachment->set_content_id("cid:1");
    attachment->set_content(pdf);

    std::string body;
    if (format_ == Format::protobuf) {
        body = envelope.SerializeAsString();
    } else {
        const auto status = google::protobuf::util::MessageToJsonString(envelope, &body);
        if (!status.ok()) {
            throw std::runtime_error("JSON of an envelope: " + std::string(status.message()));
        }
    }
    const char* type = content_type(format_);
    PooledEnvelope out;
    out.envelope_id = header.envelope_id();
    out.request = request_head("POST", "/v1/envelopes", type, type, body.size()) + body;
    return out;
}

std::vector<PooledEnvelope> build_parallel(std::size_t count,
                                           const std::function<PooledEnvelope(std::size_t)>& make) {
    std::vector<PooledEnvelope> out(count);
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            for (std::size_t i = next++; i < count; i = next++) {
                try {
                    out[i] = make(i);
                } catch (...) {
                    std::lock_guard lock(failure_mutex);
                    if (!failure) {
                        failure = std::current_exception();
                    }
                    next = count;  // the others stop at their next item
                }
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return out;
}

}  // namespace bench
