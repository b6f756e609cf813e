#include "tls.h"

#include "hub/http/tls_policy.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace hub::http {
namespace ssl = boost::asio::ssl;

namespace {

constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kTls13Ciphers[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// Leaf, issuing CA, root, and room for one more level; longer chains are not ours.
constexpr int kVerifyDepth = 4;

Result<void> tls_failure(const std::string& what, const boost::system::error_code& ec) {
    return fail(errc::unavailable, "", what + ": " + ec.message());
}

}  // namespace

Result<void> apply_tls_policy(SSL_CTX* ctx) {
    // TLS 1.0/1.1 peers must fail the handshake (api.md "Listeners").
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        return fail(errc::internal, "", "cannot set the minimum TLS version");
    }
    // Only AEAD suites with forward secrecy: no CBC (Lucky 13 and friends), no SHA-1 MACs,
    // no static RSA key exchange. TLS 1.3 suites are all AEAD with (EC)DHE.
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, kTls13Ciphers) != 1) {
        return fail(errc::internal, "", "cannot set the TLS cipher suites");
    }
    return {};
}

Result<void> configure_server_tls(ssl::context& ctx, const ServerOptions& options) {
    SSL_CTX* raw = ctx.native_handle();
    if (auto policy = apply_tls_policy(raw); !policy) {
        return policy;
    }
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    // Client-initiated renegotiation costs the server a handshake each time: refuse it.
    SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);

    boost::system::error_code ec;
    ctx.use_certificate_chain_file(options.cert_chain_file, ec);
    if (ec) {
        return tls_failure("certificate chain " + options.cert_chain_file, ec);
    }
    ctx.use_private_key_file(options.key_file, ssl::context::pem, ec);
    if (ec) {
        return tls_failure("private key " + options.key_file, ec);
    }
    if (SSL_CTX_check_private_key(raw) != 1) {
        return fail(errc::unavailable, "", "the private key does not match the certificate");
    }

    if (options.client_ca_file.empty()) {
        if (options.require_client_cert) {
            return fail(errc::unavailable, "", "require_client_cert needs client_ca_file");
        }
        ctx.set_verify_mode(ssl::verify_none);
        return {};
    }
    ctx.load_verify_file(options.client_ca_file, ec);
    if (ec) {
        return tls_failure("client CA " + options.client_ca_file, ec);
    }
    // Tells clients which CAs we accept, so one with several certificates picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
    if (names == nullptr) {
        return fail(errc::unavailable, "", "client CA " + options.client_ca_file + ": no names");
    }
    SSL_CTX_set_client_CA_list(raw, names);  // takes ownership
    ssl::verify_mode mode = ssl::verify_peer;
    if (options.require_client_cert) {
        mode |= ssl::verify_fail_if_no_peer_cert;
    }
    ctx.set_verify_mode(mode);
    SSL_CTX_set_verify_depth(raw, kVerifyDepth);
    // Without a session id context OpenSSL refuses to resume sessions of verified clients.
    static const unsigned char kContext[] = "lienthong";
    SSL_CTX_set_session_id_context(raw, kContext, sizeof kContext - 1);
    return {};
}

std::optional<std::string> peer_certificate_sha256(SSL* ssl) {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
        return std::nullopt;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) {
        return std::nullopt;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 0xf];
    }
    return out;
}

int tls_version(int short_version) {
    switch (short_version) {
        case 10:
            return TLS1_VERSION;
        case 11:
            return TLS1_1_VERSION;
        case 12:
            return TLS1_2_VERSION;
        case 13:
            return TLS1_3_VERSION;
        default:
            return 0;
    }
}

std::string openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) {
            out += "; ";
        }
        out += buf;
    }
    return out;
}

}  // namespace hub::http
