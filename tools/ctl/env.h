#pragma once
// A dev environment made by `lienthongctl dev-env DIR`: where its certificates are, and
// how to reach the daemon it configures.

#include "hub/http/client.h"
#include "lienthong/v1/api.pb.h"

#include <functional>
#include <string>

namespace ctl {

class DevEnv {
public:
    /// Reads DIR/lienthongd.json and, when the daemon wrote it, DIR/run/ports.json.
    explicit DevEnv(std::string dir);

    const std::string& dir() const { return dir_; }
    /// The agency directory for a code in either form; throws UsageError when none.
    std::string agency_dir(const std::string& code) const;
    /// A client speaking as the agency (its client certificate).
    hub::http::ClientOptions agency_client(const std::string& code) const;
    /// A client with the operator certificate, to the operator listener.
    hub::http::ClientOptions operator_client() const;
    /// The hub's receipt-signing certificate.
    std::string receipt_cert() const { return dir_ + "/hub/receipt.crt"; }

private:
    std::string dir_;
    std::uint16_t agency_port_ = 0;
    std::uint16_t operator_port_ = 0;
};

class Args;

/// The flags that say how to reach a hub's operator listener.
inline constexpr const char* kOperatorFlags[] = {"env", "operator", "cert", "key", "ca"};

/// Client options for the operator listener: from `--env DIR` (a dev environment), or from
/// `--operator https://HOST:PORT --cert C --key K --ca CA` (a real hub). Throws UsageError
/// when neither is complete.
hub::http::ClientOptions operator_options(const Args& args);

/// Runs one request and turns transport failures into a runtime_error. `accept` is the form
/// asked for the answer, success and error alike.
hub::http::ClientResponse call(hub::http::Client& client,
                               boost::beast::http::verb method,
                               const std::string& target,
                               const std::string& body = {},
                               const std::string& content_type = {},
                               const std::string& accept = "application/json");

/// Prints a hub's error answer on stderr as `STATUS CODE [FIELD]: MESSAGE`; returns the exit
/// code for it: 2 for a 4xx, 1 otherwise.
int report_error(unsigned status, const lienthong::v1::Error& error);

/// For a JSON answer: 2xx calls `on_success` with the body, exit 0. An error answer is printed
/// (the body itself with `json`, else report_error), exit 2 for a 4xx and 1 otherwise.
int finish(const hub::http::ClientResponse& response,
           bool json,
           const std::function<void(const std::string&)>& on_success);

/// POST /v1/inbox/ack with these delivery ids, in one request (one ledger transaction).
/// Returns 0 when the hub took them all, else finish()'s exit code for its answer.
int ack(hub::http::Client& client, const lienthong::v1::AckRequest& taken, bool json);

}  // namespace ctl
