#include "lienthong/testca/test_ca.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "handles.h"

namespace lienthong::testca {

using detail::check;
using detail::Ptr;

namespace {

struct Revoked {
    std::string serial;  // uppercase hex
    time_t when = 0;
};

std::string serial_hex(const ASN1_INTEGER* serial) {
    Ptr<BIGNUM> bn(check(ASN1_INTEGER_to_BN(serial, nullptr), "ASN1_INTEGER_to_BN"));
    char* hex = check(BN_bn2hex(bn.get()), "BN_bn2hex");
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

Ptr<BIGNUM> parse_serial(const std::string& hex) {
    BIGNUM* bn = nullptr;
    if (hex.empty() || BN_hex2bn(&bn, hex.c_str()) != static_cast<int>(hex.size())) {
        BN_free(bn);
        throw std::runtime_error("testca: not a hex serial: " + hex);
    }
    return Ptr<BIGNUM>(bn);
}

Ptr<X509_NAME> make_name(const std::vector<std::pair<const char*, std::string>>& parts) {
    Ptr<X509_NAME> name(check(X509_NAME_new(), "X509_NAME_new"));
    for (const auto& [field, value] : parts) {
        check(X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                         -1, 0),
              field);
    }
    return name;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    X509_EXTENSION* ext =
        check(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()), "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    check(added, "X509_add_ext");
}

/// Issues a certificate for `subject`/`key`, signed by `issuer` (nullptr: self-signed).
Ptr<X509> make_cert(X509_NAME* subject,
                    EVP_PKEY* key,
                    X509* issuer,
                    EVP_PKEY* issuer_key,
                    const Validity& validity,
                    const std::vector<std::pair<int, std::string>>& extensions) {
    Ptr<X509> cert(check(X509_new(), "X509_new"));
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    // 127 random bits: positive, unique across CAs saved and reloaded.
    Ptr<BIGNUM> serial(check(BN_new(), "BN_new"));
    check(BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
    check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())),
          "BN_to_ASN1_INTEGER");
    check(X509_set_subject_name(cert.get(), subject), "X509_set_subject_name");
    check(X509_set_issuer_name(cert.get(),
                               issuer != nullptr ? X509_get_subject_name(issuer) : subject),
          "X509_set_issuer_name");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    check(ASN1_TIME_set(X509_getm_notBefore(cert.get()), detail::to_time_t(validity.not_before)),
          "notBefore");
    check(ASN1_TIME_set(X509_getm_notAfter(cert.get()), detail::to_time_t(validity.not_after)),
          "notAfter");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    // The subject key id comes first: a self-signed certificate's authority key id is read
    // from it.
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (issuer != nullptr) {
        add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    }
    for (const auto& [nid, value] : extensions) {
        add_ext(cert.get(), &ctx, nid, value);
    }
    check(X509_sign(cert.get(), issuer_key, EVP_sha256()), "X509_sign");
    return cert;
}

Validity default_ca_validity() {
    const auto now = std::chrono::system_clock::now();
    return {now - std::chrono::days(1), now + std::chrono::days(3650)};
}

}  // namespace

KeyPair generate_key(KeyType type) {
    Ptr<EVP_PKEY> key = detail::new_key(type);
    Ptr<BIO> bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_PUBKEY(bio.get(), key.get()), "PEM_write_bio_PUBKEY");
    return {detail::private_pem(key.get()), detail::bio_text(bio.get())};
}

CertFiles IssuedCert::write_files(const std::string& dir, const std::string& name) const {
    std::filesystem::create_directories(dir);
    CertFiles files{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
    detail::write_file(files.cert_path, chain_pem, 0644);
    detail::write_file(files.key_path, key_pem, 0600);
    return files;
}

struct TestCa::State {
    std::string name;
    Ptr<X509> root;
    Ptr<EVP_PKEY> root_key;
    Ptr<X509> intermediate;
    Ptr<EVP_PKEY> intermediate_key;
    std::string root_pem;
    std::string intermediate_pem;
    std::vector<Revoked> revoked;

    IssuedCert issue(const std::string& common_name,
                     const std::string& org_code,
                     KeyType key_type,
                     const Validity& validity,
                     const std::vector<std::pair<int, std::string>>& extensions) const {
        std::vector<std::pair<const char*, std::string>> parts{{"CN", common_name}};
        if (!org_code.empty()) {
            parts.emplace_back("UID", org_code);
        }
        parts.emplace_back("O", name);
        Ptr<X509_NAME> subject = make_name(parts);
        Ptr<EVP_PKEY> key = detail::new_key(key_type);
        std::vector<std::pair<int, std::string>> all{{NID_basic_constraints, "critical,CA:FALSE"}};
        all.insert(all.end(), extensions.begin(), extensions.end());
        Ptr<X509> cert = make_cert(subject.get(), key.get(), intermediate.get(),
                                   intermediate_key.get(), validity, all);
        IssuedCert out;
        out.cert_pem = detail::cert_pem(cert.get());
        out.chain_pem = out.cert_pem + intermediate_pem;
        out.cert_der = detail::cert_der(cert.get());
        out.key_pem = detail::private_pem(key.get());
        out.serial = serial_hex(X509_get0_serialNumber(cert.get()));
        return out;
    }
};

TestCa::TestCa(std::unique_ptr<State> state) : state_(std::move(state)) {}
TestCa::TestCa(TestCa&&) noexcept = default;
TestCa& TestCa::operator=(TestCa&&) noexcept = default;
TestCa::~TestCa() = default;

TestCa TestCa::create(const std::string& name) { return create(name, default_ca_validity()); }

TestCa TestCa::create(const std::string& name, Validity ca_validity) {
    auto s = std::make_unique<State>();
    s->name = name;
    s->root_key = detail::new_key(KeyType::ec_p256);
    Ptr<X509_NAME> root_name = make_name({{"CN", name + " Root CA"}, {"O", name}});
    s->root = make_cert(root_name.get(), s->root_key.get(), nullptr, s->root_key.get(), ca_validity,
                        {{NID_basic_constraints, "critical,CA:TRUE"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"}});
    s->intermediate_key = detail::new_key(KeyType::ec_p256);
    Ptr<X509_NAME> inter_name = make_name({{"CN", name + " Issuing CA"}, {"O", name}});
    s->intermediate = make_cert(inter_name.get(), s->intermediate_key.get(), s->root.get(),
                                s->root_key.get(), ca_validity,
                                {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                 {NID_key_usage, "critical,keyCertSign,cRLSign"}});
    s->root_pem = detail::cert_pem(s->root.get());
    s->intermediate_pem = detail::cert_pem(s->intermediate.get());
    return TestCa(std::move(s));
}

TestCa TestCa::load(const std::string& dir) {
    auto s = std::make_unique<State>();
    s->root_pem = detail::read_file(dir + "/root.crt");
    s->intermediate_pem = detail::read_file(dir + "/intermediate.crt");
    s->root = detail::parse_cert_pem(s->root_pem);
    s->intermediate = detail::parse_cert_pem(s->intermediate_pem);
    s->root_key = detail::parse_private_pem(detail::read_file(dir + "/root.key"));
    s->intermediate_key = detail::parse_private_pem(detail::read_file(dir + "/intermediate.key"));
    if (X509_check_private_key(s->root.get(), s->root_key.get()) != 1 ||
        X509_check_private_key(s->intermediate.get(), s->intermediate_key.get()) != 1) {
        detail::raise("CA key does not match its certificate in " + dir);
    }
    // The organization name is what create() put in the root's O attribute.
    X509_NAME* root_name = X509_get_subject_name(s->root.get());
    const int o = X509_NAME_get_index_by_NID(root_name, NID_organizationName, -1);
    if (o >= 0) {
        const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(root_name, o));
        s->name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                       static_cast<std::size_t>(ASN1_STRING_length(value)));
    }
    if (std::filesystem::exists(dir + "/revoked.txt")) {
        std::istringstream lines(detail::read_file(dir + "/revoked.txt"));
        Revoked r;
        while (lines >> r.serial >> r.when) {
            s->revoked.push_back(r);
        }
    }
    return TestCa(std::move(s));
}

void TestCa::save(const std::string& dir) const {
    std::filesystem::create_directories(dir);
    detail::write_file(dir + "/root.crt", state_->root_pem, 0644);
    detail::write_file(dir + "/intermediate.crt", state_->intermediate_pem, 0644);
    detail::write_file(dir + "/root.key", detail::private_pem(state_->root_key.get()), 0600);
    detail::write_file(dir + "/intermediate.key",
                       detail::private_pem(state_->intermediate_key.get()), 0600);
    std::ostringstream revoked;
    for (const Revoked& r : state_->revoked) {
        revoked << r.serial << ' ' << r.when << '\n';
    }
    detail::write_file(dir + "/revoked.txt", revoked.str(), 0644);
}

IssuedCert TestCa::issue_server(const std::string& common_name,
                                const std::vector<std::string>& dns_names,
                                const std::vector<std::string>& ip_addresses,
                                Validity validity) {
    std::string san;
    for (const std::string& dns : dns_names) {
        san += (san.empty() ? "DNS:" : ",DNS:") + dns;
    }
    for (const std::string& ip : ip_addresses) {
        san += (san.empty() ? "IP:" : ",IP:") + ip;
    }
    std::vector<std::pair<int, std::string>> ext{
        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, "serverAuth"}};
    if (!san.empty()) {
        ext.emplace_back(NID_subject_alt_name, san);
    }
    return state_->issue(common_name, {}, KeyType::ec_p256, validity, ext);
}

IssuedCert TestCa::issue_client(const std::string& common_name,
                                const std::string& org_code,
                                Validity validity) {
    return state_->issue(
        common_name, org_code, KeyType::ec_p256, validity,
        {{NID_key_usage, "critical,digitalSignature"}, {NID_ext_key_usage, "clientAuth"}});
}

IssuedCert TestCa::issue_signer(const std::string& common_name,
                                const std::string& org_code,
                                KeyType key_type,
                                Validity validity) {
    return issue_signer(common_name, org_code, SignerUsage{}, key_type, validity);
}

IssuedCert TestCa::issue_signer(const std::string& common_name,
                                const std::string& org_code,
                                const SignerUsage& usage,
                                KeyType key_type,
                                Validity validity) {
    std::vector<std::pair<int, std::string>> ext;
    if (!usage.key_usage.empty()) {
        ext.emplace_back(NID_key_usage, usage.key_usage);
    }
    if (!usage.extended_key_usage.empty()) {
        ext.emplace_back(NID_ext_key_usage, usage.extended_key_usage);
    }
    return state_->issue(common_name, org_code, key_type, validity, ext);
}

void TestCa::revoke(const std::string& serial, TimePoint when) {
    Ptr<BIGNUM> bn = parse_serial(serial);
    char* hex = check(BN_bn2hex(bn.get()), "BN_bn2hex");
    state_->revoked.push_back({hex, detail::to_time_t(when)});
    OPENSSL_free(hex);
}

std::string TestCa::crl_pem() const {
    const auto now = std::chrono::system_clock::now();
    return crl_pem(now, now + std::chrono::days(30));
}

std::string TestCa::crl_pem(TimePoint this_update, TimePoint next_update) const {
    Ptr<X509_CRL> crl(check(X509_CRL_new(), "X509_CRL_new"));
    check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "X509_CRL_set_version");
    check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(state_->intermediate.get())),
          "X509_CRL_set_issuer_name");
    Ptr<ASN1_TIME> last(check(ASN1_TIME_set(nullptr, detail::to_time_t(this_update)), "time"));
    Ptr<ASN1_TIME> next(check(ASN1_TIME_set(nullptr, detail::to_time_t(next_update)), "time"));
    check(X509_CRL_set1_lastUpdate(crl.get(), last.get()), "lastUpdate");
    check(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "nextUpdate");
    for (const Revoked& r : state_->revoked) {
        X509_REVOKED* entry = check(X509_REVOKED_new(), "X509_REVOKED_new");
        Ptr<BIGNUM> bn = parse_serial(r.serial);
        Ptr<ASN1_INTEGER> serial(check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "serial"));
        Ptr<ASN1_TIME> when(check(ASN1_TIME_set(nullptr, r.when), "time"));
        if (X509_REVOKED_set_serialNumber(entry, serial.get()) != 1 ||
            X509_REVOKED_set_revocationDate(entry, when.get()) != 1 ||
            X509_CRL_add0_revoked(crl.get(), entry) != 1) {
            X509_REVOKED_free(entry);
            detail::raise("CRL entry");
        }
    }
    check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, state_->intermediate.get(), nullptr, nullptr, crl.get(), 0);
    X509_EXTENSION* akid = check(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"), "akid");
    const int added = X509_CRL_add_ext(crl.get(), akid, -1);
    X509_EXTENSION_free(akid);
    check(added, "X509_CRL_add_ext");
    // Monotonic enough for a test CA: a later CRL gets a larger number.
    Ptr<ASN1_INTEGER> number(check(ASN1_INTEGER_new(), "ASN1_INTEGER_new"));
    check(ASN1_INTEGER_set_int64(number.get(), detail::to_time_t(this_update)), "crlNumber");
    check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0), "crlNumber");
    check(X509_CRL_sign(crl.get(), state_->intermediate_key.get(), EVP_sha256()), "X509_CRL_sign");
    Ptr<BIO> bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_X509_CRL(bio.get(), crl.get()), "PEM_write_bio_X509_CRL");
    return detail::bio_text(bio.get());
}

const std::string& TestCa::root_pem() const { return state_->root_pem; }
const std::string& TestCa::intermediate_pem() const { return state_->intermediate_pem; }

}  // namespace lienthong::testca
