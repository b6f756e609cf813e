#include "certificate_metrics.h"

#include "hub/crypto/certificate_dates.h"

#include <chrono>
#include <fstream>
#include <string>

namespace hub {

namespace {

constexpr std::size_t kMaxPemBytes = 1 << 20;
constexpr const char* kName = "lienthong_certificate_expiry_timestamp_seconds";

std::string read_bounded(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text;
    text.resize(kMaxPemBytes);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

void sample(ops::Exposition& out, const char* kind, const crypto::CertificateDates& cert) {
    const double at = std::chrono::duration<double>(cert.not_after.time_since_epoch()).count();
    out.sample(kName, {{"kind", kind}, {"subject", cert.subject}, {"sha256", cert.sha256}}, at);
}

void sample_file(ops::Exposition& out, const char* kind, const std::string& path) {
    if (path.empty()) {
        return;
    }
    if (auto certs = crypto::certificate_dates(read_bounded(path))) {
        for (const auto& cert : *certs) {
            sample(out, kind, cert);
        }
    }
}

}  // namespace

void render_certificate_expiry(ops::Exposition& out, const Services& services) {
    out.family(kName, "gauge",
               "End of validity (Unix time) of each certificate the hub holds, by kind.");
    const auto& c = services.config;
    sample_file(out, "server", c.tls().server_cert());
    sample_file(out, "receipt_signer", c.receipt().cert());
    sample_file(out, "client_ca", c.tls().client_ca());
    sample_file(out, "operator_ca", c.tls().operator_ca());
    if (auto trust = services.trust.get()) {
        for (const auto& cert : trust->certificates()) {
            sample(out, "trust_anchor", cert);
        }
    }
}

}  // namespace hub
