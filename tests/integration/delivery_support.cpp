#include "delivery_support.h"

#include "hub/core/clock.h"
#include "hub/core/time.h"

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include "api.h"
#include "process.h"

namespace it {

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (done()) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}
namespace v1 = lienthong::v1;
using boost::beast::http::verb;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Strict: the contract names every field, so an unknown one is a finding, not noise.
template <class Message>
Message strict(const hub::http::ClientResponse& response, const char* what) {
    Message message;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status =
        google::protobuf::util::JsonStringToMessage(response.body, &message, options);
    INFO("HTTP " << response.status << " body: " << response.body);
    INFO("parse as " << what << ": " << status.ToString());
    REQUIRE(status.ok());
    return message;
}

}  // namespace

HubOptions with_config(boost::json::object overrides) {
    HubOptions options;
    options.config_overrides = std::move(overrides);
    return options;
}

std::string error_code_of(const hub::http::ClientResponse& response) {
    v1::Error error;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    if (!google::protobuf::util::JsonStringToMessage(response.body, &error, options).ok()) {
        return "<not an Error: " + response.body + ">";
    }
    return error.code();
}

v1::EnvelopeHeader header_of(const v1::SignedEnvelope& envelope) {
    v1::EnvelopeHeader header;
    REQUIRE(header.ParseFromString(envelope.header()));
    return header;
}

bool is_hub_time(const std::string& text) {
    static const std::regex kShape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00)");
    return std::regex_match(text, kShape) && hub::parse_instant(text).has_value();
}

std::chrono::milliseconds between(const std::string& a, const std::string& b) {
    const auto ta = hub::parse_instant(a);
    const auto tb = hub::parse_instant(b);
    INFO("instants '" << a << "' and '" << b << "'");
    REQUIRE(ta.has_value());
    REQUIRE(tb.has_value());
    return *tb - *ta;
}

v1::Receipt post_accepted(hub::http::Client& client, const v1::SignedEnvelope& envelope) {
    const auto response = post(client, envelope);
    INFO("POST /v1/envelopes: HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == 202);
    return strict<v1::Receipt>(response, "Receipt");
}

v1::InboxBatch poll(hub::http::Client& client, int max, int wait) {
    const std::string target =
        "/v1/inbox?max=" + std::to_string(max) + "&wait=" + std::to_string(wait);
    const auto response = get(client, target);
    INFO("GET " << target);
    INFO("HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == 200);
    return strict<v1::InboxBatch>(response, "InboxBatch");
}

hub::http::ClientResponse ack(hub::http::Client& client, const std::string& delivery_id) {
    return send(client, verb::post, "/v1/inbox/" + delivery_id + "/ack");
}

std::vector<v1::InboxItem> collect(hub::http::Client& client,
                                   std::size_t count,
                                   const std::function<bool(const v1::InboxItem&)>& wanted,
                                   bool acknowledge,
                                   std::chrono::milliseconds timeout) {
    std::vector<v1::InboxItem> out;
    const auto deadline = SteadyClock::now() + timeout;
    while (out.size() < count && SteadyClock::now() < deadline) {
        // wait=1: the hub answers as soon as something arrives, so this is not a sleep.
        const auto batch = poll(client, 100, 1);
        for (const auto& item : batch.items()) {
            if (!wanted(item)) {
                continue;
            }
            // An unacked item may be offered again after the visibility timeout.
            bool seen = false;
            for (const auto& have : out) {
                seen = seen || have.delivery_id() == item.delivery_id();
            }
            if (seen) {
                continue;
            }
            if (acknowledge) {
                const auto acked = ack(client, item.delivery_id());
                INFO("ack " << item.delivery_id() << ": HTTP " << acked.status << " "
                            << acked.body);
                REQUIRE(acked.status == 204);
            }
            out.push_back(item);
        }
    }
    return out;
}

std::vector<v1::InboxItem> collect_envelopes(hub::http::Client& client,
                                             const std::vector<std::string>& envelope_ids,
                                             bool acknowledge) {
    auto items = collect(
        client, envelope_ids.size(),
        [&](const v1::InboxItem& item) {
            if (!item.has_envelope()) {
                return false;
            }
            for (const auto& id : envelope_ids) {
                if (item.envelope_id() == id) {
                    return true;
                }
            }
            return false;
        },
        acknowledge);
    INFO("wanted " << envelope_ids.size() << " envelopes, got " << items.size());
    REQUIRE(items.size() == envelope_ids.size());
    return items;
}

std::vector<v1::InboxItem> collect_statuses(hub::http::Client& client,
                                            const std::string& envelope_id,
                                            std::size_t count,
                                            bool acknowledge) {
    auto items = collect(
        client, count,
        [&](const v1::InboxItem& item) {
            return item.has_status() && item.status().envelope_id() == envelope_id;
        },
        acknowledge);
    INFO("wanted " << count << " status notices about " << envelope_id << ", got " << items.size());
    REQUIRE(items.size() == count);
    return items;
}

v1::InboxItem receive(hub::http::Client& client, const std::string& envelope_id) {
    return collect_envelopes(client, {envelope_id}).front();
}

v1::StatusUpdate status_update(const std::string& document_id,
                               const std::string& to,
                               const std::string& code,
                               const std::string& description) {
    v1::StatusUpdate update;
    update.set_document_id(document_id);
    update.set_to(to);
    update.set_code(code);
    update.set_description(description);
    update.mutable_staff()->set_department("Văn thư");
    update.mutable_staff()->set_name("Trần Thị Thử");
    update.mutable_staff()->set_email("vanthu@example.gov.vn");
    update.set_timestamp(hub::format_instant(hub::SystemClock().now()));
    return update;
}

hub::http::ClientResponse post_status(hub::http::Client& client, const v1::StatusUpdate& update) {
    return send(client, verb::post, "/v1/status", to_json(update), kJson);
}

v1::StatusReceipt status_accepted(hub::http::Client& client, const v1::StatusUpdate& update) {
    const auto response = post_status(client, update);
    INFO("POST /v1/status " << to_json(update));
    INFO("HTTP " << response.status << " body: " << response.body);
    REQUIRE(response.status == 202);
    return strict<v1::StatusReceipt>(response, "StatusReceipt");
}

hub::http::ClientResponse get_trace(hub::http::Client& client, const std::string& envelope_id) {
    return get(client, "/v1/envelopes/" + envelope_id);
}

v1::Trace trace_of(hub::http::Client& client, const std::string& envelope_id) {
    const auto response = get_trace(client, envelope_id);
    INFO("GET /v1/envelopes/" << envelope_id << ": HTTP " << response.status << " "
                              << response.body);
    REQUIRE(response.status == 200);
    return strict<v1::Trace>(response, "Trace");
}

v1::TraceRecipient recipient_in(const v1::Trace& trace, const std::string& code) {
    for (const auto& r : trace.recipients()) {
        if (r.code() == code) {
            return r;
        }
    }
    INFO("trace: " << to_json(trace));
    FAIL("no recipient " << code << " in the trace");
    throw std::logic_error("unreachable");
}

std::vector<std::string> status_events(const v1::TraceRecipient& recipient) {
    static const std::regex kStatus(R"(\d\d)");
    std::vector<std::string> out;
    for (const auto& event : recipient.events()) {
        if (std::regex_match(event.code(), kStatus)) {
            out.push_back(event.code());
        }
    }
    return out;
}

void restart_with_clock(Hub& hub, const std::string& fixed) {
    REQUIRE(hub.stop() == 0);
    const std::string path = hub.dir() + "/lienthongd.json";
    auto doc = boost::json::parse(slurp(path));
    auto& config = doc.as_object();
    if (fixed.empty()) {
        config.erase("clock");
    } else {
        config["clock"] = boost::json::object{{"fixed", fixed}};
    }
    {
        std::ofstream out(path, std::ios::trunc);
        out << boost::json::serialize(doc);
        REQUIRE(out.good());
    }
    hub.restart();
}

boost::json::object status_json(const Hub& hub) {
    hub::http::Client op(hub.operator_client());
    const auto response = get(op, "/status.json");
    INFO("GET /status.json: HTTP " << response.status << " " << response.body);
    REQUIRE(response.status == 200);
    boost::system::error_code ec;
    auto doc = boost::json::parse(response.body, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(doc.is_object());
    return doc.as_object();
}

std::string vietnam_date(int days) {
    const auto local = hub::to_vietnam(hub::SystemClock().now());
    const auto day = std::chrono::floor<std::chrono::days>(local) + std::chrono::days(days);
    return hub::format_date(std::chrono::year_month_day{day});
}

}  // namespace it
