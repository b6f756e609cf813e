#pragma once
/// The project's TLS rule, in one place for every connection the hub takes or makes (its
/// listeners, the broker connection): TLS 1.2 or later, and only AEAD suites with forward
/// secrecy. OpenSSL types only, so a module holding an SSL_CTX from another library (the
/// RabbitMQ client's) applies the same rule.

#include "hub/core/result.h"

#include <openssl/types.h>

namespace hub::http {

/// Sets the minimum version, the TLS 1.2 cipher list and the TLS 1.3 suites of `ctx`.
/// Error: INTERNAL when OpenSSL refuses one of them.
Result<void> apply_tls_policy(SSL_CTX* ctx);

}  // namespace hub::http
