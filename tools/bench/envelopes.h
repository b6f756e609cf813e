#pragma once
// Pre-signed envelopes for the workloads: the signing is the client's cost, so it happens
// before anything is timed.

#include "hub/crypto/cms_signer.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "options.h"

namespace bench {

/// An agency of the dev environment.
struct Agency {
    std::string code;
    std::string name;
    std::string dir;  ///< DIR/agencies/<code>, holding client.{crt,key} and signer.{crt,key}
};

/// One ready request and the id the hub will know it by.
struct PooledEnvelope {
    std::string envelope_id;
    /// The whole `POST /v1/envelopes` HTTP/1.1 request: head, then the SignedEnvelope in the
    /// run's format (Content-Type and Accept both that format).
    std::string request;
};

/// `application/x-protobuf` or `application/json`.
const char* content_type(Format format);

/// A PDF of exactly `size` bytes (at least 1024) whose text and filler hold `tag`, so two
/// envelopes never share attachment content (the hub's blob store is content-addressed and
/// would otherwise write one blob for the whole run).
std::string make_pdf(const std::string& tag, std::size_t size);

/// Builds W1 envelopes of one sender: a signed header (RSA-2048 signer of the dev env,
/// detached CMS over the header) and one PDF of `pdf_bytes` as MAIN. Thread-safe.
class EnvelopeFactory {
public:
    /// Loads the sender's signer key and certificate. Throws std::runtime_error when they
    /// do not load.
    EnvelopeFactory(Agency sender, Format format, int pdf_bytes);

    /// A new envelope (fresh UUID, document number `number`) to `to`, as a request. Throws
    /// std::runtime_error when signing fails.
    PooledEnvelope make(const std::vector<std::string>& to, long number) const;

    const Agency& sender() const { return sender_; }

private:
    Agency sender_;
    Format format_;
    std::size_t pdf_bytes_;
    hub::crypto::CmsSigner signer_;
};

/// Calls make(i) for i in [0, count) on every core and returns the results in order.
/// The first exception thrown by make is rethrown once all threads have stopped.
std::vector<PooledEnvelope> build_parallel(std::size_t count,
                                           const std::function<PooledEnvelope(std::size_t)>& make);

}  // namespace bench
