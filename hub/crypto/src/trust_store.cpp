#include "hub/crypto/trust_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "identity.h"
#include "trust_store_state.h"

namespace hub::crypto {
namespace {

namespace fs = std::filesystem;

// Sorted so that two loads of the same directory behave identically.
Result<std::vector<std::string>> list_files(const std::string& dir,
                                            std::initializer_list<std::string_view> exts) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        return fail(errc::internal, dir, "cannot list directory: " + ec.message());
    }
    std::vector<std::string> files;
    for (const fs::directory_entry& entry : it) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.front() == '.' || !entry.is_regular_file(ec)) {
            continue;
        }
        const std::string ext = entry.path().extension().string();
        if (std::find(exts.begin(), exts.end(), ext) != exts.end()) {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

Result<void> add_cert_file(TrustStore::State& state, const std::string& path) {
    std::string pem;
    if (!ossl::read_file(path, pem)) {
        return fail(errc::internal, path, "cannot read certificate file");
    }
    ossl::CertStackPtr certs = ossl::read_pem_certs(pem);
    if (!certs || sk_X509_num(certs.get()) == 0) {
        return fail(errc::internal, path, "no PEM certificate in file");
    }
    for (int i = 0; i < sk_X509_num(certs.get()); ++i) {
        X509* cert = sk_X509_value(certs.get(), i);
        if (auto dates = dates_of(cert)) {
            state.dates.push_back(std::move(*dates));
        }
        // Checking the self-signature too keeps a merely self-issued certificate from
        // becoming an anchor.
        if (X509_self_signed(cert, 1) == 1) {
            if (X509_STORE_add_cert(state.store.get(), cert) != 1) {
                return fail(errc::internal, path, "cannot add trust anchor");
            }
            ++state.anchors;
        } else {
            if (X509_up_ref(cert) != 1 || sk_X509_push(state.intermediates.get(), cert) == 0) {
                return fail(errc::internal, path, "cannot keep intermediate certificate");
            }
        }
    }
    return {};
}

Result<void> add_crl_file(TrustStore::State& state, const std::string& path) {
    std::string data;
    if (!ossl::read_file(path, data)) {
        return fail(errc::internal, path, "cannot read CRL file");
    }
    std::vector<ossl::CrlPtr> crls;
    ossl::BioPtr bio = ossl::mem_bio(data);
    if (!bio) {
        return fail(errc::internal, path, "CRL file too large");
    }
    if (data.find("-----BEGIN") != std::string::npos) {
        while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
            crls.emplace_back(crl);
        }
        ERR_clear_error();  // the end-of-input "no start line"
    } else if (X509_CRL* crl = d2i_X509_CRL_bio(bio.get(), nullptr)) {
        crls.emplace_back(crl);
    }
    if (crls.empty()) {
        return fail(errc::internal, path, "no PEM or DER CRL in file");
    }
    for (const ossl::CrlPtr& crl : crls) {
        if (X509_STORE_add_crl(state.store.get(), crl.get()) != 1) {
            return fail(errc::internal, path, "cannot add CRL");
        }
        ++state.crls;
    }
    return {};
}

}  // namespace

TrustStore::TrustStore(std::unique_ptr<const State> state) : state_(std::move(state)) {}
TrustStore::~TrustStore() = default;

std::size_t TrustStore::anchor_count() const noexcept { return state_->anchors; }
std::size_t TrustStore::intermediate_count() const noexcept {
    return static_cast<std::size_t>(sk_X509_num(state_->intermediates.get()));
}
std::size_t TrustStore::crl_count() const noexcept { return state_->crls; }

const std::vector<CertificateDates>& TrustStore::certificates() const noexcept {
    return state_->dates;
}

const SignaturePolicy& TrustStore::policy() const noexcept { return state_->options.policy; }

Result<std::shared_ptr<const TrustStore>> TrustStore::load(const std::string& anchors_dir,
                                                           const std::string& crl_dir,
                                                           TrustStoreOptions options) {
    auto state = std::make_unique<State>();
    state->options = options;
    state->store.reset(X509_STORE_new());
    state->intermediates.reset(sk_X509_new_null());
    if (!state->store || !state->intermediates) {
        return fail(errc::internal, anchors_dir, "out of memory");
    }
    auto cert_files = list_files(anchors_dir, {".pem", ".crt", ".cer"});
    if (!cert_files) {
        return cert_files.error();
    }
    for (const std::string& path : *cert_files) {
        if (auto added = add_cert_file(*state, path); !added) {
            ERR_clear_error();
            return added.error();
        }
    }
    if (state->anchors == 0) {
        return fail(errc::internal, anchors_dir, "no self-signed trust anchor in directory");
    }
    if (!crl_dir.empty()) {
        auto crl_files = list_files(crl_dir, {".pem", ".crl", ".der"});
        if (!crl_files) {
            return crl_files.error();
        }
        for (const std::string& path : *crl_files) {
            if (auto added = add_crl_file(*state, path); !added) {
                ERR_clear_error();
                return added.error();
            }
        }
    }
    return std::make_shared<const TrustStore>(std::move(state));
}

}  // namespace hub::crypto
