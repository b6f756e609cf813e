#include "edxml_support.h"

#include "hub/core/clock.h"
#include "hub/core/document_id.h"
#include "hub/core/time.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <stdexcept>

#include "delivery_support.h"
#include "envelopes.h"

namespace it {
namespace national = hub::national;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

national::EnvelopePackage edxml_package(const std::string& from,
                                        const std::vector<std::string>& to) {
    // Unique across the test process, like it::draft's numbers (another range).
    static std::atomic<int> counter{static_cast<int>(std::random_device{}() % 9000) + 20000};
    const std::string number = std::to_string(counter++);
    const hub::Instant now = hub::SystemClock().now();
    const auto local_day = std::chrono::floor<std::chrono::days>(hub::to_vietnam(now));
    const std::chrono::year_month_day today{local_day};

    national::EnvelopePackage p;
    auto& h = p.header;
    h.from.organ_id = from;
    h.from.organ_name = "Cơ quan " + from;
    for (const auto& code : to) {
        national::EdxmlOrganization o;
        o.organ_id = code;
        o.organ_name = "Cơ quan " + code;
        h.to.push_back(o);
    }
    h.document_id = from + "," + hub::format_edxml_date(today) + "," + number + "/UBND-VP";
    h.code_number = number;
    h.code_notation = "UBND-VP";
    h.promulgation_place = "Long An";
    h.promulgation_date = hub::format_edxml_date(today);
    h.type = "1";
    h.type_name = "Công văn";
    h.subject = "Về việc thử nghiệm edXML số " + number;
    h.content = "Nội dung thử nghiệm";
    h.signer_competence = "TM.";
    h.signer_position = "Chủ tịch";
    h.signer_full_name = "Nguyễn Văn An";
    h.other_info.priority = "1";
    h.steering_type = "0";
    p.traces.push_back({from, hub::format_edxml_timestamp(now)});
    p.business.doc_type = "0";
    p.business.paper = "0";

    national::EdxmlReference ref;
    ref.content_id = "cid:main";
    ref.attachment_name = "van-ban-" + number + ".pdf";
    ref.content_type = "application/pdf";
    ref.description = "Văn bản chính";
    p.references.push_back(ref);
    national::EdxmlAttachment a;
    a.content_id = ref.content_id;
    a.attachment_name = ref.attachment_name;
    a.description = ref.description;
    a.content_type = ref.content_type;
    a.content = minimal_pdf("edxml " + number);
    a.carried = a.content;
    p.attachments.push_back(a);
    return p;
}

std::string encode(const national::EnvelopePackage& package) {
    auto xml = national::encode_envelope_package(package);
    if (!xml) {
        throw std::runtime_error("encode: " + xml.error().message);
    }
    return *xml;
}

std::string sign_with(const std::string& xml,
                      const std::string& key_file,
                      const std::string& cert_file,
                      national::XmlSignatureMethod method) {
    auto signed_xml =
        national::sign_xmldsig(xml, read_text(key_file), read_text(cert_file), method);
    if (!signed_xml) {
        throw std::runtime_error("sign: " + signed_xml.error().message);
    }
    return *signed_xml;
}

std::string signed_package(const Hub& hub,
                           const national::EnvelopePackage& package,
                           national::XmlSignatureMethod method) {
    const std::string dir = hub.agency_dir(package.header.from.organ_id);
    return sign_with(encode(package), dir + "/signer.key", dir + "/signer.crt", method);
}

hub::http::ClientResponse post_edxml(hub::http::Client& client,
                                     const std::string& xml,
                                     const std::string& accept) {
    auto response = client.request(boost::beast::http::verb::post, "/v1/edxml", xml, kXml, accept);
    if (!response) {
        throw std::runtime_error("POST /v1/edxml: " + response.error().text());
    }
    return std::move(*response);
}

void require_schema_valid(const std::string& xml) {
    TempDir dir;
    const std::string file = dir.path() + "/answer.xml";
    std::ofstream(file, std::ios::binary) << xml;
    const std::string command = "xmllint --noout --nonet --schema '" SCHEMAS_DIR
                                "/lienthong-v1.xsd' '" +
                                file + "' 2>" + dir.path() + "/xmllint.err";
    const int rc = std::system(command.c_str());
    INFO("xmllint: " << read_text(dir.path() + "/xmllint.err") << "\nxml: " << xml.substr(0, 2000));
    REQUIRE(rc == 0);
}

std::vector<XmlInboxItem> collect_xml(hub::http::Client& client,
                                      const std::string& kind,
                                      const std::string& envelope_id,
                                      std::size_t count,
                                      bool acknowledge) {
    static const std::regex kItem(R"re(<Item ([^>]*)><Package>([^<]*)</Package></Item>)re");
    static const std::regex kAttribute(R"re(([a-zA-Z]+)="([^"]*)")re");
    std::vector<XmlInboxItem> found;
    eventually([&] {
        auto response =
            client.request(boost::beast::http::verb::get, "/v1/inbox?max=10&wait=1", "", "", kXml);
        REQUIRE(response.has_value());
        INFO("HTTP " << response->status << " body: " << response->body.substr(0, 2000));
        REQUIRE(response->status == 200);
        REQUIRE(response->header("content-type").rfind("application/xml", 0) == 0);
        require_schema_valid(response->body);
        const std::string& body = response->body;
        for (auto m = std::sregex_iterator(body.begin(), body.end(), kItem);
             m != std::sregex_iterator(); ++m) {
            XmlInboxItem item;
            const std::string attributes = (*m)[1];
            for (auto a = std::sregex_iterator(attributes.begin(), attributes.end(), kAttribute);
                 a != std::sregex_iterator(); ++a) {
                const std::string name = (*a)[1];
                const std::string value = (*a)[2];
                if (name == "deliveryId") {
                    item.delivery_id = value;
                } else if (name == "kind") {
                    item.kind = value;
                } else if (name == "envelopeId") {
                    item.envelope_id = value;
                } else if (name == "from") {
                    item.from = value;
                }
            }
            if (item.kind != kind || item.envelope_id != envelope_id) {
                continue;
            }
            auto package = hub::national::base64_decode((*m)[2].str());
            REQUIRE(package.has_value());
            item.package = std::move(*package);
            if (acknowledge) {
                REQUIRE(ack(client, item.delivery_id).status == 204);
            }
            found.push_back(std::move(item));
        }
        return found.size() >= count;
    });
    return found;
}

hub::national::StatusPackage status_package(const std::string& from,
                                            const std::string& to,
                                            const std::string& document_id,
                                            const std::string& code) {
    auto id = hub::parse_document_id(document_id);
    REQUIRE(id.has_value());
    hub::national::StatusPackage p;
    p.from.organ_id = from;
    p.from.organ_name = "Cơ quan " + from;
    p.response_for.organ_id = to;
    p.response_for.code = id->number + "/" + id->notation;
    p.response_for.promulgation_date = hub::format_edxml_date(id->date);
    p.response_for.document_id = document_id;
    p.staff.department = "Văn phòng";
    p.staff.staff = "Lê Văn Cường";
    p.staff.mobile = "0900000002";
    p.staff.email = "cuong@example.gov.vn";
    p.status_code = code;
    p.description = "Đã vào sổ";
    p.timestamp = hub::format_edxml_timestamp(hub::SystemClock().now());
    return p;
}

}  // namespace it
