#pragma once
// The simulator with a Long An hub system and a peer province (H41, and the ministry G12
// behind it), over real TLS on 127.0.0.1, and a VDXP client for the hub system.

#include "fakes/run_sync.h"
#include "hub/national/axis_http.h"
#include "hub/national/axis_wire_vdxp.h"
#include "hub/national/edxml.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <thread>

#include "sim.h"
#include "sim_packages.h"
#include "unit/http/test_pki.h"

namespace hub::national::test {

using lienthong::sim::admin_call;
using namespace std::chrono_literals;

// Written for these tests: a document from Long An's People's Committee to a ministry, and
// one from the peer province to a Long An department.
inline const std::string kToMinistry =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H39</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>000.00.00.G12</edXML:OrganId></edXML:To>
<edXML:DocumentId>000.00.00.H39,2026/12/01,101/UBND-VP</edXML:DocumentId>
<edXML:Subject>Thử nghiệm</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>
</edXML>)";

inline const std::string kFromPeer =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>000.00.01.H39</edXML:OrganId></edXML:To>
<edXML:DocumentId>000.00.00.H41,2026/12/01,55/UBND-TH</edXML:DocumentId>
</edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>
</edXML>)";

inline lienthong::sim::SimConfig sim_config(const std::string& peer_answer) {
    const auto& pki = hub::http::test::TestPki::get();
    lienthong::sim::SimConfig c;
    c.systems.push_back({"hub.h39", "s3cret-h39", {"H39"}});
    lienthong::sim::SystemConfig peer{"peer.h41", "peer-secret", {"H41", "G12"}};
    peer.peer = true;
    peer.answer = peer_answer;
    peer.reason = "Thiếu phụ lục";
    c.systems.push_back(peer);
    c.agencies.push_back({"1", "G12", "000.00.00.G12", "Bộ Tài chính", "btc@example.vn"});
    c.agencies.push_back({"2", "H41", "000.00.00.H41", "UBND tỉnh Nghệ An", ""});
    c.cert_file = pki.server_cert;
    c.key_file = pki.server_key;
    return c;
}

struct Fixture {
    explicit Fixture(const std::string& peer_answer = "accept", std::string secret = "s3cret-h39")
        : sim(sim_config(peer_answer)) {
        sim.start();
        client = make_client(std::move(secret), 5s);
    }
    std::unique_ptr<HttpAxisClient> make_client(std::string secret,
                                                std::chrono::milliseconds timeout) {
        AxisHttpOptions options;
        options.endpoint = "https://127.0.0.1:" + std::to_string(sim.port()) + "/vdxp";
        options.ca_file = hub::http::test::TestPki::get().ca_cert;
        options.timeout = timeout;
        return std::make_unique<HttpAxisClient>(
            io.get_executor(), options,
            std::make_unique<VdxpWire>(VdxpCredentials{"hub.h39", std::move(secret)}));
    }
    void mode(const std::string& m, int delay_ms = 0) {
        admin_call(sim.admin_port(), "POST", "/admin/mode",
                   R"({"mode":")" + m + R"(","delay_ms":)" + std::to_string(delay_ms) + "}");
    }
    boost::json::object state() {
        return boost::json::parse(admin_call(sim.admin_port(), "GET", "/admin/state")).as_object();
    }
    std::int64_t counter(const char* name) {
        auto s = state();
        const auto* v = s["counters"].as_object().if_contains(name);
        return v ? v->as_int64() : 0;
    }
    // Waits (bounded) until the peer's statuses are in our received list.
    std::vector<ReceivedItem> statuses(std::size_t want) {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        for (;;) {
            auto list = run_sync(io, client->received_list(MessageType::status)).value();
            if (list.size() >= want || std::chrono::steady_clock::now() > deadline) {
                return list;
            }
            std::this_thread::sleep_for(20ms);
        }
    }

    boost::asio::io_context io;
    lienthong::sim::Simulator sim;
    std::unique_ptr<HttpAxisClient> client;
};

}  // namespace hub::national::test
