#pragma once
// Helpers for the delivery-loop integration tests (inbox, ack, status, traces, official
// times): the requests an agency system makes after posting, strict parses of their answers,
// polling against a deadline, and restarting the daemon with its clock moved.
//
// All helpers use Catch2 assertions (REQUIRE) for what must hold for the test to go on, so
// they are for test threads only. Not thread-safe: one hub::http::Client per thread.

#include "hub/http/client.h"
#include "lienthong/v1/api.pb.h"
#include "lienthong/v1/envelope.pb.h"

#include <boost/json/object.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness.h"

// An error answer: HTTP status, stable code and X-Request-Id, with the body shown on failure.
#define CHECK_FAILS_WITH(response, expected_status, expected_code) \
    do {                                                           \
        const auto& r_ = (response);                               \
        INFO("HTTP " << r_.status << " body: " << r_.body);        \
        CHECK(r_.status == (expected_status));                     \
        CHECK(it::error_code_of(r_) == (expected_code));           \
        CHECK_FALSE(r_.header("x-request-id").empty());            \
    } while (false)

namespace it {

/// How long a test waits for something the hub does by itself (offering again, routing a
/// status): generous, since the daemon shares two cores with compilers and other tests.
inline constexpr std::chrono::seconds kEventually{20};

/// Calls `done` until it returns true or `timeout` passes; true when it did. The one place
/// integration tests pause between looks at something the hub does by itself.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = kEventually);

/// Options for a hub with the default agencies and these config overrides.
HubOptions with_config(boost::json::object overrides);

/// The stable code of an error answer, or "<not an Error: ...>" when the body is not one.
std::string error_code_of(const hub::http::ClientResponse& response);

/// The header inside a SignedEnvelope (REQUIREs that it parses).
lienthong::v1::EnvelopeHeader header_of(const lienthong::v1::SignedEnvelope& envelope);

/// True for an instant as the hub writes them: ISO 8601, milliseconds, +07:00.
bool is_hub_time(const std::string& text);

/// Milliseconds between two hub instants (b - a); REQUIREs that both parse.
std::chrono::milliseconds between(const std::string& a, const std::string& b);

/// POST /v1/envelopes (protobuf); REQUIREs 202 and returns the receipt.
lienthong::v1::Receipt post_accepted(hub::http::Client& client,
                                     const lienthong::v1::SignedEnvelope& envelope);

/// GET /v1/inbox?max=..&wait=..; REQUIREs 200 and a strict InboxBatch.
lienthong::v1::InboxBatch poll(hub::http::Client& client, int max = 10, int wait = 0);

/// POST /v1/inbox/{id}/ack; the whole answer.
hub::http::ClientResponse ack(hub::http::Client& client, const std::string& delivery_id);

/// Polls (wait=1) until `count` items matching `wanted` arrived or `timeout` passed, and
/// returns the matching items in the order they came. With `acknowledge`, each matching
/// item is acked (REQUIREing 204) as soon as it is seen. Other items are not acked, so
/// the hub offers them again only after its visibility timeout: collect what a test needs
/// from one inbox in one call.
std::vector<lienthong::v1::InboxItem> collect(
    hub::http::Client& client,
    std::size_t count,
    const std::function<bool(const lienthong::v1::InboxItem&)>& wanted,
    bool acknowledge = true,
    std::chrono::milliseconds timeout = kEventually);

/// collect() of the envelope items with that envelope id.
std::vector<lienthong::v1::InboxItem> collect_envelopes(
    hub::http::Client& client,
    const std::vector<std::string>& envelope_ids,
    bool acknowledge = true);

/// collect() of `count` status items about that envelope.
std::vector<lienthong::v1::InboxItem> collect_statuses(hub::http::Client& client,
                                                       const std::string& envelope_id,
                                                       std::size_t count,
                                                       bool acknowledge = true);

/// Takes the one envelope item with that id from the recipient's inbox and acks it
/// (which makes the hub send 01); returns the item.
lienthong::v1::InboxItem receive(hub::http::Client& client, const std::string& envelope_id);

/// A StatusUpdate with staff and timestamp filled in.
lienthong::v1::StatusUpdate status_update(const std::string& document_id,
                                          const std::string& to,
                                          const std::string& code,
                                          const std::string& description = {});

/// POST /v1/status with the update as JSON; the whole answer.
hub::http::ClientResponse post_status(hub::http::Client& client,
                                      const lienthong::v1::StatusUpdate& update);

/// post_status(), REQUIREing 202 and a strict StatusReceipt.
lienthong::v1::StatusReceipt status_accepted(hub::http::Client& client,
                                             const lienthong::v1::StatusUpdate& update);

/// GET /v1/envelopes/{id}; the whole answer.
hub::http::ClientResponse get_trace(hub::http::Client& client, const std::string& envelope_id);

/// get_trace(), REQUIREing 200 and a strict Trace.
lienthong::v1::Trace trace_of(hub::http::Client& client, const std::string& envelope_id);

/// A copy of the trace's entry for `code` (as written in the header); REQUIREs that there
/// is one.
lienthong::v1::TraceRecipient recipient_in(const lienthong::v1::Trace& trace,
                                           const std::string& code);

/// The codes of the entry's events that are status codes (two digits), oldest first.
std::vector<std::string> status_events(const lienthong::v1::TraceRecipient& recipient);

/// Stops the daemon (SIGTERM, exit 0 REQUIREd), sets "clock": {"fixed": instant} in its
/// config (or removes the clock setting when `fixed` is empty) and starts it again.
void restart_with_clock(Hub& hub, const std::string& fixed);

/// GET /status.json on the operator listener; REQUIREs 200 and a JSON object.
boost::json::object status_json(const Hub& hub);

/// Today's date in Vietnam (yyyy-MM-dd) on the system clock, shifted by `days`.
std::string vietnam_date(int days = 0);

}  // namespace it
