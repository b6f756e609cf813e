#pragma once
/// The axis over HTTP(S): one connection per call (as the SDK does), the server certificate
/// verified against a configurable CA, every phase under a deadline and every answer bounded.
/// The wire profile decides what is sent; this class only carries it.

#include "hub/core/result.h"
#include "hub/national/axis_client.h"
#include "hub/national/axis_wire.h"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace hub::national {

struct AxisHttpOptions {
    /// `https://host:port/base/path` or, for a loopback test only, `http://...`.
    std::string endpoint;
    /// PEM CA certificates to verify the axis with; empty: the system's default paths.
    std::string ca_file;
    /// The whole call (connect, TLS, request, answer) must finish within this.
    std::chrono::milliseconds timeout{30'000};
    /// Larger answers are refused (UNAVAILABLE); a package travels base64 in getEdoc.
    std::size_t max_answer_bytes = 64u << 20;
};

class HttpAxisClient final : public AxisClient {
public:
    /// `wire` is owned. Throws std::invalid_argument for an endpoint that does not parse or
    /// a CA file that does not load (start-up errors).
    HttpAxisClient(boost::asio::any_io_executor executor,
                   AxisHttpOptions options,
                   std::unique_ptr<AxisWire> wire);
    ~HttpAxisClient() override;

    boost::asio::awaitable<Result<std::string>> send_edoc(std::string package,
                                                          MessageType type,
                                                          std::string from) override;
    boost::asio::awaitable<Result<std::vector<ReceivedItem>>> received_list(
        MessageType type) override;
    boost::asio::awaitable<Result<std::string>> get_edoc(std::string doc_id) override;
    boost::asio::awaitable<Result<void>> update_status(std::string doc_id,
                                                       TransportStatus status) override;
    boost::asio::awaitable<Result<std::vector<SentItem>>> sent_list(std::string doc_id) override;
    boost::asio::awaitable<Result<std::optional<std::string>>> find_sent(
        std::string package) override;
    boost::asio::awaitable<Result<std::vector<Agency>>> agencies(std::string level) override;

    /// One raw exchange (for the operations above and for tests). Error: UNAVAILABLE.
    boost::asio::awaitable<Result<WireResponse>> exchange(WireRequest request);

private:
    struct State;
    std::unique_ptr<State> state_;
    std::unique_ptr<AxisWire> wire_;
};

/// Reads a secret file: its text without one trailing newline. Throws std::runtime_error
/// naming the file (never the content) when it cannot be read or is empty.
std::string read_secret_file(const std::string& path);

}  // namespace hub::national
