// XMLDSig with xmlsec1 (OpenSSL backend). The key that checks a signature is always the one of
// the certificate the package carries, set by us: xmlsec1 never looks a key up, never follows a
// URI and never verifies a chain (hub::crypto does that against the hub's anchors).

#include "hub/national/xmldsig.h"

#include "hub/national/edxml.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "xml_doc.h"

namespace hub::national {
namespace {

using detail::is_element;
using detail::x;

constexpr std::string_view kRsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
constexpr std::string_view kDsaSha1 = "http://www.w3.org/2000/09/xmldsig#dsa-sha1";
constexpr std::string_view kEcdsaSha1 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1";
constexpr std::string_view kSha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
constexpr std::string_view kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

Failure invalid(std::string message) {
    return fail(errc::signature_invalid, "Signature", std::move(message));
}

// xmlsec1 reports through a global callback; its text never reaches our logs (it may quote
// document content), the Failure says what went wrong.
void quiet_errors(const char*, int, const char*, const char*, const char*, int, const char*) {}

// Once per process, before any thread uses xmlsec1; never shut down, because another thread
// may still be verifying when the process exits and the OS reclaims everything anyway.
Result<void> init_xmlsec() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] {
        detail::init_libxml();
        ok = xmlSecInit() == 0 && xmlSecCheckVersion() == 1 && xmlSecOpenSSLAppInit(nullptr) == 0 &&
             xmlSecOpenSSLInit() == 0;
        // After xmlSecInit, which installs the default (printing) callback.
        xmlSecErrorsSetCallback(quiet_errors);
    });
    if (!ok) {
        return fail(errc::internal, "", "xmlsec1 could not be initialized");
    }
    return {};
}

struct DsigCtxFree {
    void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};
struct KeyFree {
    void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
struct X509Free {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string attr(const xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, x(name));
    std::string out = value != nullptr ? reinterpret_cast<const char*>(value) : "";
    xmlFree(value);
    return out;
}

bool has_attr(const xmlNode* node, const char* name) {
    return xmlHasProp(node, x(name)) != nullptr;
}

const xmlNode* dsig_child(const xmlNode* parent, std::string_view name) {
    for (const xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr;
         c = c->next) {
        if (is_element(c, kXmlDsigNamespace, name)) {
            return c;
        }
    }
    return nullptr;
}

std::vector<const xmlNode*> dsig_children(const xmlNode* parent, std::string_view name) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr;
         c = c->next) {
        if (is_element(c, kXmlDsigNamespace, name)) {
            out.push_back(c);
        }
    }
    return out;
}

void find_signatures(xmlNode* node, std::vector<xmlNode*>& out) {
    for (xmlNode* c = node; c != nullptr; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (is_element(c, kXmlDsigNamespace, "Signature")) {
            out.push_back(c);
        }
        find_signatures(c->children, out);
    }
}

xmlNode* edxml_header(xmlDoc* doc) {
    xmlNode* root = xmlDocGetRootElement(doc);
    auto child = [](xmlNode* parent, std::string_view name) -> xmlNode* {
        for (xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr;
             c = c->next) {
            if (is_element(c, kEdxmlNamespace, name)) {
                return c;
            }
        }
        return nullptr;
    };
    if (!is_element(root, kEdxmlNamespace, "edXML")) {
        return nullptr;
    }
    return child(child(root, "edXMLEnvelope"), "edXMLHeader");
}

std::string der_of(X509* cert) {
    unsigned char* buffer = nullptr;
    const int size = i2d_X509(cert, &buffer);
    std::string out(size > 0 ? reinterpret_cast<const char*>(buffer) : "",
                    static_cast<std::size_t>(size > 0 ? size : 0));
    OPENSSL_free(buffer);
    return out;
}

// Allow-lists: nothing else may run while a signature is checked.
Result<void> restrict_transforms(xmlSecDSigCtx* ctx) {
    const xmlSecTransformId c14n[] = {
        xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
        xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId,
    };
    const xmlSecTransformId digests[] = {xmlSecTransformSha1Id, xmlSecTransformSha256Id,
                                         xmlSecTransformSha384Id, xmlSecTransformSha512Id};
    const xmlSecTransformId methods[] = {
        xmlSecTransformRsaSha1Id,     xmlSecTransformRsaSha256Id,   xmlSecTransformRsaSha384Id,
        xmlSecTransformRsaSha512Id,   xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
        xmlSecTransformEcdsaSha512Id,
    };
    bool ok = xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) == 0;
    for (auto id : c14n) {
        ok = ok && xmlSecDSigCtxEnableReferenceTransform(ctx, id) == 0 &&
             xmlSecDSigCtxEnableSignatureTransform(ctx, id) == 0;
    }
    for (auto id : digests) {
        ok = ok && xmlSecDSigCtxEnableReferenceTransform(ctx, id) == 0;
    }
    for (auto id : methods) {
        ok = ok && xmlSecDSigCtxEnableSignatureTransform(ctx, id) == 0;
    }
    if (!ok) {
        return fail(errc::internal, "Signature", "xmlsec1 transform set-up");
    }
    // Only URI="": the whole document. No file, no network, no fragment.
    ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
    return {};
}

// The certificates of KeyInfo/X509Data, and the signer among them: the one that issued none
// of the others (the leaf), or the first.
Result<std::vector<X509Ptr>> read_certificates(const xmlNode* signature) {
    std::vector<X509Ptr> certs;
    const xmlNode* key_info = dsig_child(signature, "KeyInfo");
    for (const xmlNode* data : dsig_children(key_info, "X509Data")) {
        for (const xmlNode* c : dsig_children(data, "X509Certificate")) {
            auto der = base64_decode(detail::text_of(c));
            if (!der) {
                return invalid("X509Certificate is not base64");
            }
            const auto* p = reinterpret_cast<const unsigned char*>(der->data());
            X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
            if (!cert) {
                return invalid("X509Certificate is not a certificate");
            }
            certs.push_back(std::move(cert));
        }
    }
    if (certs.empty()) {
        return invalid("no signer certificate in KeyInfo/X509Data");
    }
    for (std::size_t i = 0; i < certs.size(); ++i) {
        bool issuer_of_another = false;
        for (std::size_t j = 0; j < certs.size(); ++j) {
            issuer_of_another =
                issuer_of_another ||
                (i != j && X509_check_issued(certs[i].get(), certs[j].get()) == X509_V_OK);
        }
        if (!issuer_of_another) {
            std::swap(certs[0], certs[i]);
            break;
        }
    }
    return certs;
}

Result<std::unique_ptr<xmlSecKey, KeyFree>> key_of(X509* cert) {
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(X509_get_pubkey(cert));
    if (!pkey) {
        return invalid("signer certificate key unreadable");
    }
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey.get());
    if (data == nullptr) {
        return invalid("signer key type not supported");
    }
    pkey.release();  // adopted by data
    std::unique_ptr<xmlSecKey, KeyFree> key(xmlSecKeyCreate());
    if (!key || xmlSecKeySetValue(key.get(), data) != 0) {
        xmlSecKeyDataDestroy(data);
        return fail(errc::internal, "Signature", "xmlsec1 key");
    }
    return key;
}

}  // namespace

Result<std::optional<XmlSignature>> verify_xmldsig(std::string_view package,
                                                   const XmlLimits& limits) {
    auto doc = detail::parse_guarded(package, limits);
    if (!doc) {
        return doc.error();
    }
    std::vector<xmlNode*> signatures;
    find_signatures(xmlDocGetRootElement(doc->get()), signatures);
    if (signatures.empty()) {
        return std::optional<XmlSignature>();
    }
    if (signatures.size() != 1) {
        return invalid("more than one XMLDSig signature");
    }
    xmlNode* signature = signatures.front();
    if (signature->parent != edxml_header(doc->get())) {
        return invalid("the signature must be a child of edXMLHeader");
    }
    const xmlNode* signed_info = dsig_child(signature, "SignedInfo");
    const auto references = dsig_children(signed_info, "Reference");
    if (references.size() != 1) {
        return invalid("the signature must have exactly one Reference");
    }
    const xmlNode* reference = references.front();
    if (!has_attr(reference, "URI") || !attr(reference, "URI").empty()) {
        return invalid("the Reference must be URI=\"\" (the whole package)");
    }
    bool enveloped = false;
    for (const xmlNode* t : dsig_children(dsig_child(reference, "Transforms"), "Transform")) {
        enveloped = enveloped || attr(t, "Algorithm") == kEnveloped;
    }
    if (!enveloped) {
        return invalid("the Reference must use the enveloped-signature transform");
    }
    XmlSignature out;
    out.digest_algorithm = attr(dsig_child(reference, "DigestMethod"), "Algorithm");
    auto certs = read_certificates(signature);
    if (!certs) {
        return certs.error();
    }
    if (auto init = init_xmlsec(); !init) {
        return init.error();
    }
    auto key = key_of(certs->front().get());
    if (!key) {
        return key.error();
    }
    std::unique_ptr<xmlSecDSigCtx, DsigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) {
        return fail(errc::internal, "Signature", "xmlsec1 context");
    }
    if (auto restricted = restrict_transforms(ctx.get()); !restricted) {
        return restricted.error();
    }
    ctx->signKey = key->release();  // owned by the context from here
    if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) {
        return invalid("the signature cannot be checked (shape or algorithm not allowed)");
    }
    if (ctx->status != xmlSecDSigStatusSucceeded) {
        return invalid("the signature does not verify over the package");
    }
    if (ctx->signMethod != nullptr && ctx->signMethod->id != nullptr &&
        ctx->signMethod->id->href != nullptr) {
        out.signature_algorithm = reinterpret_cast<const char*>(ctx->signMethod->id->href);
    }
    out.weak = out.signature_algorithm == kRsaSha1 || out.signature_algorithm == kDsaSha1 ||
               out.signature_algorithm == kEcdsaSha1 || out.digest_algorithm == kSha1;
    out.cert_der = der_of(certs->front().get());
    for (std::size_t i = 1; i < certs->size(); ++i) {
        out.chain_der.push_back(der_of((*certs)[i].get()));
    }
    return std::optional<XmlSignature>(std::move(out));
}

Result<std::string> sign_xmldsig(std::string_view package,
                                 std::string_view key_pem,
                                 std::string_view cert_chain_pem,
                                 XmlSignatureMethod method,
                                 const XmlLimits& limits) {
    auto doc = detail::parse_guarded(package, limits);
    if (!doc) {
        return doc.error();
    }
    xmlNode* header = edxml_header(doc->get());
    if (header == nullptr) {
        return fail(errc::malformed, "Signature", "no edXML/edXMLEnvelope/edXMLHeader to sign");
    }
    std::vector<xmlNode*> existing;
    find_signatures(xmlDocGetRootElement(doc->get()), existing);
    if (!existing.empty()) {
        return fail(errc::malformed, "Signature", "the package is already signed");
    }
    if (auto init = init_xmlsec(); !init) {
        return init.error();
    }
    auto key_fail = [] { return fail(errc::internal, "key", "unreadable key or certificate"); };
    std::unique_ptr<xmlSecKey, KeyFree> key(
        xmlSecOpenSSLAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(key_pem.data()),
                                      static_cast<xmlSecSize>(key_pem.size()),
                                      xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr));
    if (!key) {
        return key_fail();
    }
    std::unique_ptr<BIO, BioFree> bio(
        BIO_new_mem_buf(cert_chain_pem.data(), static_cast<int>(cert_chain_pem.size())));
    std::vector<X509Ptr> chain;
    while (bio) {
        X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
        if (cert == nullptr) {
            break;
        }
        chain.emplace_back(cert);
    }
    if (chain.empty()) {
        return key_fail();
    }
    {
        std::unique_ptr<EVP_PKEY, PkeyFree> cert_key(X509_get_pubkey(chain.front().get()));
        EVP_PKEY* private_key = xmlSecOpenSSLEvpKeyDataGetEvp(xmlSecKeyGetValue(key.get()));
        if (!cert_key || private_key == nullptr || EVP_PKEY_eq(cert_key.get(), private_key) != 1) {
            return fail(errc::internal, "key", "the key does not match the certificate");
        }
    }
    xmlSecKeyDataPtr x509 = xmlSecKeyEnsureData(key.get(), xmlSecOpenSSLKeyDataX509Id);
    if (x509 == nullptr) {
        return key_fail();
    }
    for (auto& cert : chain) {
        if (xmlSecOpenSSLKeyDataX509AdoptCert(x509, cert.get()) != 0) {
            return key_fail();
        }
        cert.release();  // adopted
    }
    const bool rsa = xmlSecKeyDataCheckId(xmlSecKeyGetValue(key.get()), xmlSecOpenSSLKeyDataRsaId);
    xmlSecTransformId sign_method = nullptr;
    xmlSecTransformId digest = xmlSecTransformSha256Id;
    if (method == XmlSignatureMethod::rsa_sha1) {
        if (!rsa) {
            return fail(errc::internal, "key", "rsa-sha1 needs an RSA key");
        }
        sign_method = xmlSecTransformRsaSha1Id;
        digest = xmlSecTransformSha1Id;
    } else {
        sign_method = rsa ? xmlSecTransformRsaSha256Id : xmlSecTransformEcdsaSha256Id;
    }

    xmlNode* signature =
        xmlSecTmplSignatureCreate(doc->get(), xmlSecTransformInclC14NId, sign_method, nullptr);
    if (signature == nullptr) {
        return fail(errc::internal, "Signature", "xmlsec1 template");
    }
    xmlAddChild(header, signature);
    xmlNode* reference =
        xmlSecTmplSignatureAddReference(signature, digest, nullptr, x(""), nullptr);
    xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
    xmlNode* x509_data = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
    if (reference == nullptr ||
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr ||
        x509_data == nullptr || xmlSecTmplX509DataAddCertificate(x509_data) == nullptr) {
        return fail(errc::internal, "Signature", "xmlsec1 template");
    }
    std::unique_ptr<xmlSecDSigCtx, DsigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) {
        return fail(errc::internal, "Signature", "xmlsec1 context");
    }
    ctx->signKey = key.release();
    if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) {
        return fail(errc::internal, "Signature", "xmlsec1 could not sign");
    }
    // Not re-indented: the bytes must stay those the signature covers.
    return detail::serialize(doc->get(), false);
}

}  // namespace hub::national
