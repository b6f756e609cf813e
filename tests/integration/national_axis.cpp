#include "national_axis.h"

#include "hub/national/edxml.h"
#include "lienthong/testca/test_ca.h"

#include <boost/json.hpp>

#include <fstream>

namespace it {
namespace json = boost::json;
using lienthong::sim::admin_call;

namespace {

const std::string kSecret = "s3cret-h39";

}  // namespace

Axis::Axis(std::vector<lienthong::sim::AgencyConfig> extra_agencies, std::string peer_answer) {
    auto ca = lienthong::testca::TestCa::create("Axis Test");
    auto files = ca.issue_server("axis").write_files(dir.path(), "axis");
    std::ofstream(ca_file) << ca.root_pem() << ca.intermediate_pem();
    std::ofstream(secret_file) << kSecret << "\n";
    lienthong::sim::SimConfig c;
    c.systems.push_back({"hub.h39", kSecret, {"H39"}});
    peer = lienthong::sim::SystemConfig{"peer.h41", "peer-secret", {"H41"}};
    peer.peer = true;
    peer.answer = std::move(peer_answer);
    c.agencies.push_back({"2", "H41", "000.00.00.H41", "UBND tỉnh Nghệ An", ""});
    for (auto& agency : extra_agencies) {
        peer.serves.push_back(agency.code);
        c.agencies.push_back(std::move(agency));
    }
    c.systems.push_back(peer);
    c.cert_file = files.cert_path;
    c.key_file = files.key_path;
    sim = std::make_unique<lienthong::sim::Simulator>(c);
    sim->start();
}

Axis::~Axis() { sim->stop(); }

json::object Axis::national_config() const {
    return json::object{
        {"national", json::object{
                         {"enabled", true},
                         {"endpoint", "https://127.0.0.1:" + std::to_string(sim->port()) + "/vdxp"},
                         {"system_id", "hub.h39"},
                         {"secret_file", secret_file},
                         {"ca_file", ca_file},
                         {"timeout_ms", 2000},
                         {"poll_interval_ms", 200},
                         {"retry_base_ms", 100},
                         {"retry_max_ms", 400},
                         {"breaker_failures", 3},
                         {"breaker_cooldown_ms", 300},
                     }}};
}

void Axis::mode(const std::string& m, int delay_ms) {
    admin_call(sim->admin_port(), "POST", "/admin/mode",
               json::serialize(json::object{{"mode", m}, {"delay_ms", delay_ms}}));
}

void Axis::inject(const std::string& package) {
    admin_call(
        sim->admin_port(), "POST", "/admin/inject",
        json::serialize(json::object{{"from_system", peer.id},
                                     {"package_base64", hub::national::base64_encode(package)}}));
}

json::object Axis::state() {
    return json::parse(admin_call(sim->admin_port(), "GET", "/admin/state")).as_object();
}

std::int64_t Axis::counter(const std::string& name) {
    const auto s = state();
    const json::value* v = s.at("counters").as_object().if_contains(name);
    return v == nullptr ? 0 : v->as_int64();
}

std::vector<std::string> Axis::peer_statuses() {
    std::vector<std::string> out;
    const auto now = state();  // a temporary in the range would die before the loop
    for (const auto& d : now.at("documents").as_array()) {
        const auto& o = d.as_object();
        if (o.at("from_system").as_string() == peer.id) {
            out.emplace_back(o.at("status").as_string());
        }
    }
    return out;
}

std::vector<json::object> Axis::sent_by_hub(const std::string& type) {
    std::vector<json::object> out;
    const auto now = state();  // a temporary in the range would die before the loop
    for (const auto& d : now.at("documents").as_array()) {
        const auto& o = d.as_object();
        if (o.at("from_system").as_string() == "hub.h39" &&
            o.at("message_type").as_string() == type) {
            out.push_back(o);
        }
    }
    return out;
}

std::string package_of(const json::object& document) {
    return hub::national::base64_decode(document.at("package_base64").as_string()).value();
}

std::string peer_document(const std::string& to, const std::string& number) {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>)" +
           to + R"(</edXML:OrganId></edXML:To>
<edXML:DocumentId>000.00.00.H41,2026/12/01,)" +
           number + R"(/UBND-TH</edXML:DocumentId>
<edXML:Subject>Văn bản của tỉnh bạn</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>
</edXML>)";
}

}  // namespace it
