// The built lienthongctl binary, run as a person or a script would: exit codes, output,
// and one clear line on stderr for a bad command line.

#include "hub/core/org_code.h"
#include "hub/national/edxml.h"
#include "hub/national/edxml_mapping.h"
#include "lienthong/v1/config.pb.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api.h"
#include "delivery_support.h"
#include "edxml_support.h"
#include "envelopes.h"
#include "harness.h"
#include "process.h"

namespace fs = std::filesystem;
namespace v1 = lienthong::v1;

namespace {

// A scratch directory and the binary.
class Ctl {
public:
    Ctl() { REQUIRE(fs::exists(it::ctl_path())); }

    it::CommandResult run(std::vector<std::string> args) const {
        args.insert(args.begin(), it::ctl_path());
        return it::run_command(args, scratch_.path());
    }
    std::string path(const std::string& name) const { return scratch_.path() + "/" + name; }

private:
    it::TempDir scratch_;
};

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

void write(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    REQUIRE(out.good());
}

}  // namespace

TEST_CASE("lienthongctl code check accepts both written forms", "[cli]") {
    Ctl ctl;
    const auto r = ctl.run({"code", "check", "000.00.00.H39", "H39.02", "000.00.05.H39", "G22"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("000.00.00.H39 canonical=H39 ") != std::string::npos);
    CHECK(r.out.find("H39.02 canonical=H39.02 ") != std::string::npos);
    CHECK(r.out.find("000.00.05.H39 canonical=H39.05 ") != std::string::npos);
    CHECK(r.out.find("G22 canonical=G22 ") != std::string::npos);

    const auto json = ctl.run({"code", "check", "000.00.01.H39", "--json"});
    REQUIRE(json.exit_code == 0);
    const auto parsed = boost::json::parse(json.out);
    REQUIRE(parsed.is_array());
    REQUIRE(parsed.as_array().size() == 1);
    CHECK(parsed.as_array()[0].at("canonical").as_string() == "H39.01");
    CHECK(parsed.as_array()[0].at("valid").as_bool());
}

TEST_CASE("lienthongctl code check refuses invalid codes with INVALID_ORG_CODE", "[cli]") {
    Ctl ctl;
    const auto r = ctl.run({"code", "check", "H39.02", "X39", "000.00.H39", "H39.1"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_of(r.out, "INVALID_ORG_CODE") == 3);
    CHECK(r.out.find("H39.02 canonical=H39.02") != std::string::npos);
}

TEST_CASE("R-16 lienthongctl time official: next business window outside hours", "[cli][time]") {
    Ctl ctl;
    const std::pair<const char*, const char*> cases[] = {
        // Friday evening -> Monday morning.
        {"2026-11-27T18:00:00+07:00", "2026-11-30T07:30:00.000+07:00"},
        // Lunch break -> afternoon window of the same day.
        {"2026-11-25T12:00:00+07:00", "2026-11-25T13:30:00.000+07:00"},
        // Inside hours: the same instant, written the hub's way.
        {"2026-11-25T09:15:00+07:00", "2026-11-25T09:15:00.000+07:00"},
        {"2026-11-25T07:30:00+07:00", "2026-11-25T07:30:00.000+07:00"},
        // Windows are half-open: 11:30 is already outside.
        {"2026-11-25T11:30:00+07:00", "2026-11-25T13:30:00.000+07:00"},
        // UTC input: 02:15Z is 09:15 in Vietnam; 11:00Z is 18:00.
        {"2026-11-25T02:15:00Z", "2026-11-25T09:15:00.000+07:00"},
        {"2026-11-25T11:00:00Z", "2026-11-26T07:30:00.000+07:00"},
    };
    for (const auto& [at, expected] : cases) {
        const auto r = ctl.run({"time", "official", "--at", at});
        INFO(at << " -> " << r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(trimmed(r.out) == expected);
    }
}

TEST_CASE("R-17 lienthongctl time official refuses an instant without offset", "[cli][time]") {
    Ctl ctl;
    const auto r = ctl.run({"time", "official", "--at", "2026-11-25T09:15:00"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("INVALID_TIME") != std::string::npos);
}

TEST_CASE("R-08 lienthongctl time add-business counts business hours only", "[cli][time]") {
    Ctl ctl;
    const std::tuple<const char*, const char*, const char*> cases[] = {
        {"2026-11-25T10:30:00+07:00", "2", "2026-11-25T14:30:00.000+07:00"},
        {"2026-11-27T16:00:00+07:00", "2", "2026-11-30T08:30:00.000+07:00"},
        {"2026-11-25T08:00:00+07:00", "0.5", "2026-11-25T08:30:00.000+07:00"},
    };
    for (const auto& [from, hours, expected] : cases) {
        const auto r = ctl.run({"time", "add-business", "--from", from, "--hours", hours});
        INFO(from << " + " << hours << "h -> " << r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(trimmed(r.out) == expected);
    }
}

TEST_CASE("lienthongctl dev-env, envelope build and envelope check", "[cli][envelope]") {
    Ctl ctl;
    const std::string env = ctl.path("env");
    const auto made = ctl.run({"dev-env", env, "--agencies", "2", "--json"});
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    const auto summary = boost::json::parse(made.out).as_object();
    CHECK(summary.at("config").as_string() == env + "/lienthongd.json");
    REQUIRE(summary.at("agencies").as_array().size() == 2);
    CHECK(summary.at("agencies").as_array()[0].at("code").as_string() == "000.00.00.H39");
    CHECK(summary.at("agencies").as_array()[1].at("code").as_string() == "000.00.01.H39");
    v1::Config config;
    CHECK(google::protobuf::util::JsonStringToMessage(it::slurp(env + "/lienthongd.json"), &config)
              .ok());

    const std::string signer = env + "/agencies/000.00.00.H39/signer";
    v1::EnvelopeHeader header;
    header.set_document_id("000.00.00.H39,2026/11/25,12/UBND-VP");
    header.mutable_from()->set_code("000.00.00.H39");
    header.mutable_from()->set_name("UBND tỉnh Long An");
    header.add_to("000.00.01.H39");
    header.mutable_code()->set_number("12");
    header.mutable_code()->set_notation("UBND-VP");
    header.mutable_promulgation()->set_date("2026-11-25");
    header.set_subject("Về việc thử nghiệm dòng lệnh");
    header.set_created_at("2026-11-25T09:00:00+07:00");
    write(ctl.path("header.json"), it::to_json(header));
    write(ctl.path("van-ban.pdf"), it::minimal_pdf("cli"));

    const auto built =
        ctl.run({"envelope", "build", "--header", ctl.path("header.json"), "--attach",
                 ctl.path("van-ban.pdf") + ":MAIN", "--sign-key", signer + ".key", "--sign-cert",
                 signer + ".crt", "-o", ctl.path("envelope.pb")});
    INFO(built.out << built.err);
    REQUIRE(built.exit_code == 0);

    SECTION("a good envelope checks OK, offline and against the trust anchors") {
        const auto checked = ctl.run({"envelope", "check", ctl.path("envelope.pb")});
        INFO(checked.out << checked.err);
        CHECK(checked.exit_code == 0);
        CHECK(trimmed(checked.out) == "OK");
        const auto trusted = ctl.run(
            {"envelope", "check", ctl.path("envelope.pb"), "--trust", env + "/ca/trust", "--json"});
        INFO(trusted.out << trusted.err);
        CHECK(trusted.exit_code == 0);
        CHECK(boost::json::parse(trusted.out).at("ok").as_bool());
    }
    SECTION("a broken header prints its code and exits 2") {
        header.set_created_at("2026-11-25T09:00:00");
        write(ctl.path("broken.json"), it::to_json(header));
        const auto broken =
            ctl.run({"envelope", "build", "--header", ctl.path("broken.json"), "--attach",
                     ctl.path("van-ban.pdf") + ":MAIN", "--sign-key", signer + ".key",
                     "--sign-cert", signer + ".crt", "-o", ctl.path("broken.pb")});
        REQUIRE(broken.exit_code == 0);
        const auto checked = ctl.run({"envelope", "check", ctl.path("broken.pb")});
        INFO(checked.out << checked.err);
        CHECK(checked.exit_code == 2);
        CHECK(checked.out.find("INVALID_TIME") != std::string::npos);
    }
}

namespace {

std::string edxml_golden(const std::string& name) {
    const char* source = std::getenv("LIENTHONG_SOURCE_DIR");
    REQUIRE(source != nullptr);
    return std::string(source) + "/tests/data/edxml/" + name;
}

}  // namespace

TEST_CASE("lienthongctl edxml decode: the hub's message, digests and flags", "[cli][edxml]") {
    Ctl ctl;
    const auto decoded = ctl.run({"edxml", "decode", edxml_golden("zipped.edxml"), "--json"});
    INFO(decoded.out << decoded.err);
    REQUIRE(decoded.exit_code == 0);
    const auto out = boost::json::parse(decoded.out).as_object();
    CHECK(out.at("kind").as_string() == "envelope");
    CHECK(out.at("header").at("documentId").as_string() == "000.00.00.H39,2026/11/25,129/UBND-VP");
    CHECK(out.at("header").at("createdAt").as_string() == "2026-11-25T14:03:07.000+07:00");
    CHECK(out.contains("signedEnvelope"));
    const auto& attachments = out.at("attachments").as_array();
    REQUIRE(attachments.size() == 2);
    CHECK(attachments[0].at("name").as_string() == "cv-129.pdf");
    CHECK(attachments[0].at("role").as_string() == "MAIN");
    CHECK(attachments[0].at("size").as_int64() == 110);
    CHECK(attachments[0].at("sha256").as_string() ==
          "348c5fd50f9d7ef40a47131117a58b8d27e74f5c3b28d3f239da5ef7befddcdb");
    CHECK(attachments[1].at("role").as_string() == "APPENDIX");
    CHECK(out.at("flags").as_array().empty());

    const auto axis = ctl.run({"edxml", "decode", edxml_golden("axis_lenient.edxml"), "--json"});
    INFO(axis.out << axis.err);
    REQUIRE(axis.exit_code == 0);
    CHECK(count_of(axis.out, "null_value:") == 3);
    CHECK(count_of(axis.out, "org_code_unparsed:") == 1);

    const auto status = ctl.run({"edxml", "decode", edxml_golden("status_02.edxml"), "--json"});
    REQUIRE(status.exit_code == 0);
    const auto s = boost::json::parse(status.out).as_object();
    CHECK(s.at("kind").as_string() == "status");
    CHECK(s.at("statusUpdate").at("timestamp").as_string() == "2026-11-26T08:05:30.000+07:00");
}

TEST_CASE("lienthongctl edxml decode: hostile packages are exit 2 with the code and element",
          "[cli][edxml]") {
    Ctl ctl;
    write(ctl.path("xxe.edxml"),
          "<!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><edXML>&x;</edXML>");
    const auto xxe = ctl.run({"edxml", "decode", ctl.path("xxe.edxml"), "--json"});
    INFO(xxe.out << xxe.err);
    CHECK(xxe.exit_code == 2);
    const auto refused = boost::json::parse(xxe.out).as_object();
    CHECK(refused.at("code").as_string() == "MALFORMED");
    CHECK(refused.at("field").as_string() == "edXML");
    CHECK(refused.at("message").as_string().starts_with("doctype:"));

    const auto bomb =
        ctl.run({"edxml", "decode", edxml_golden("zip_bomb.edxml"), "--max-inflated", "1048576"});
    INFO(bomb.out << bomb.err);
    CHECK(bomb.exit_code == 2);
    CHECK(bomb.out.find("zip_size") != std::string::npos);
    CHECK(bomb.out.find("AttachmentEncoded/Attachment[0]") != std::string::npos);

    const auto strict =
        ctl.run({"edxml", "decode", edxml_golden("axis_lenient.edxml"), "--strict"});
    CHECK(strict.exit_code == 2);
    CHECK(strict.out.find("INVALID_ORG_CODE") != std::string::npos);
}

TEST_CASE("lienthongctl edxml encode signs a package that decode then verifies", "[cli][edxml]") {
    Ctl ctl;
    const std::string env = ctl.path("env");
    REQUIRE(ctl.run({"dev-env", env, "--agencies", "1"}).exit_code == 0);
    const std::string signer = env + "/agencies/000.00.00.H39/signer";
    const auto decoded = ctl.run({"edxml", "decode", edxml_golden("replace.edxml"), "--json"});
    REQUIRE(decoded.exit_code == 0);
    write(ctl.path("replace.json"), decoded.out);

    const auto encoded =
        ctl.run({"edxml", "encode", ctl.path("replace.json"), "-o", ctl.path("out.edxml"),
                 "--sign-key", signer + ".key", "--sign-cert", signer + ".crt"});
    INFO(encoded.out << encoded.err);
    REQUIRE(encoded.exit_code == 0);
    const auto again = ctl.run({"edxml", "decode", ctl.path("out.edxml"), "--strict", "--trust",
                                env + "/ca/trust", "--json"});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    const auto out = boost::json::parse(again.out).as_object();
    CHECK(out.at("signature").at("present").as_bool());
    CHECK_FALSE(out.at("signature").at("weak").as_bool());
    CHECK(out.at("signature").at("signer").at("uid").as_string() == "000.00.00.H39");
    CHECK(out.at("header").at("businessType").as_string() == "REPLACE");
    CHECK(out.at("header").at("replaces").at("documentId").as_string() ==
          "000.00.00.H39,2026/11/25,125/UBND-VP");
    CHECK(out.at("attachments").as_array()[0].at("sha256").as_string() ==
          "348c5fd50f9d7ef40a47131117a58b8d27e74f5c3b28d3f239da5ef7befddcdb");

    // One byte changed in the signed package: SIGNATURE_INVALID, exit 2.
    std::string bytes = it::slurp(ctl.path("out.edxml"));
    const auto at = bytes.find("Thay thế văn bản");
    REQUIRE(at != std::string::npos);
    bytes[at] = 't';
    write(ctl.path("tampered.edxml"), bytes);
    const auto tampered = ctl.run({"edxml", "decode", ctl.path("tampered.edxml")});
    CHECK(tampered.exit_code == 2);
    CHECK(tampered.out.find("SIGNATURE_INVALID") != std::string::npos);
}

TEST_CASE("lienthongctl: a bad command line is exit 2 and one line on stderr", "[cli]") {
    Ctl ctl;
    const std::vector<std::vector<std::string>> bad = {
        {"time", "official", "--at"},
        {"time", "official", "--at", "2026-11-25T09:00:00+07:00", "--bogus"},
        {"envelope", "check"},
        {"dev-env"},
        {"dev-env", ctl.path("x"), "--agencies", "zero"},
        {"no-such-command"},
        {"inbox", "--format", "xml"},
        {"edxml", "post", "--env", ctl.path("x")},
    };
    for (const auto& words : bad) {
        const auto r = ctl.run(words);
        INFO(words[0] << (words.size() > 1 ? " " + words[1] : "") << ": [" << r.out << "] ["
                      << r.err << "]");
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(count_of(r.err, "\n") == 1);
        CHECK(r.err.size() > 1);
    }
}

namespace {

// What a directory holds; nothing when it does not exist (yet).
std::vector<fs::path> files_in(const std::string& dir) {
    std::vector<fs::path> files;
    if (fs::is_directory(dir)) {
        for (const auto& entry : fs::directory_iterator(dir)) {
            files.push_back(entry.path());
        }
    }
    return files;
}

// The value of `key=` in a line of `inbox` output, up to the next space.
std::string value_in(const std::string& line, const std::string& key) {
    const auto at = line.find(" " + key + "=");
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + key.size() + 2;
    return line.substr(start, line.find_first_of(" \n", start) - start);
}

}  // namespace

TEST_CASE("lienthongctl edxml post: the receipt, the same receipt again, another agency refused",
          "[cli][edxml]") {
    it::Hub hub;
    Ctl ctl;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const auto package = it::edxml_package(a, {b});
    write(ctl.path("doc.edxml"), it::signed_package(hub, package));
    const auto post_as = [&](const std::string& code, bool json) {
        std::vector<std::string> words{
            "edxml", "post", "--env", hub.dir(), "--as", code, ctl.path("doc.edxml")};
        if (json) {
            words.emplace_back("--json");
        }
        return ctl.run(words);
    };

    const auto first = post_as(a, false);
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    const auto receipt = boost::json::parse(first.out);
    CHECK(receipt.at("envelopeId").as_string() ==
          hub::national::edxml_envelope_id(hub::canonical_org_code(a), package.header.document_id,
                                           "0"));
    CHECK(receipt.at("documentId").as_string() == package.header.document_id);
    REQUIRE(receipt.at("recipients").as_array().size() == 1);
    CHECK(hub::canonical_org_code(
              std::string(receipt.at("recipients").as_array()[0].at("code").as_string())) ==
          hub::canonical_org_code(b));
    CHECK_FALSE(receipt.at("signed").at("signature").as_string().empty());

    const auto again = post_as(a, false);
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(boost::json::parse(again.out) == receipt);

    const auto impostor = post_as(b, false);
    INFO(impostor.out << impostor.err);
    CHECK(impostor.exit_code == 2);
    CHECK(impostor.out.empty());
    CHECK(impostor.err.find("403 FORBIDDEN_SENDER") != std::string::npos);
    const auto impostor_json = post_as(b, true);
    INFO(impostor_json.out << impostor_json.err);
    CHECK(impostor_json.exit_code == 2);
    CHECK(boost::json::parse(impostor_json.out).at("code").as_string() == "FORBIDDEN_SENDER");
}

TEST_CASE("lienthongctl inbox --format edxml saves and acks packages that edxml decode reads back",
          "[cli][edxml]") {
    it::Hub hub;
    Ctl ctl;
    const std::string a = hub.code(0);
    const std::string b = hub.code(1);
    const auto package = it::edxml_package(a, {b});
    const std::string xml = it::signed_package(hub, package);
    write(ctl.path("doc.edxml"), xml);
    const auto posted =
        ctl.run({"edxml", "post", "--env", hub.dir(), "--as", a, ctl.path("doc.edxml")});
    INFO(posted.out << posted.err);
    REQUIRE(posted.exit_code == 0);
    const std::string envelope_id(boost::json::parse(posted.out).at("envelopeId").as_string());
    const auto inbox = [&](const std::string& code, const std::vector<std::string>& more) {
        std::vector<std::string> words{"inbox", "--env",    hub.dir(), "--as",
                                       code,    "--format", "edxml"};
        words.insert(words.end(), more.begin(), more.end());
        return ctl.run(words);
    };

    const std::string got = ctl.path("got");
    it::CommandResult taken;
    // The hub routes by itself: poll (each call a one-second long poll) until it is there.
    CHECK(it::eventually([&] {
        taken = inbox(b, {"--save", got, "--ack", "--wait", "1"});
        return taken.exit_code != 0 || !files_in(got).empty();
    }));
    INFO(taken.out << taken.err);
    REQUIRE(taken.exit_code == 0);
    REQUIRE(count_of(taken.out, "\n") == 1);
    CHECK(taken.out.rfind("envelope ", 0) == 0);
    CHECK(value_in(taken.out, "envelope") == envelope_id);
    CHECK(hub::canonical_org_code(value_in(taken.out, "from")) == hub::canonical_org_code(a));
    const auto files = files_in(got);
    REQUIRE(files.size() == 1);
    const std::string delivery_id = taken.out.substr(9, taken.out.find(' ', 9) - 9);
    CHECK(files[0].filename().string() == delivery_id + ".edxml");
    CHECK(value_in(taken.out, "file") == files[0].string());
    // The sender's bytes, so its XMLDSig still verifies.
    CHECK(it::slurp(files[0].string()) == xml);

    const auto decoded = ctl.run({"edxml", "decode", files[0].string(), "--strict", "--trust",
                                  hub.dir() + "/ca/trust", "--json"});
    INFO(decoded.out << decoded.err);
    REQUIRE(decoded.exit_code == 0);
    const auto out = boost::json::parse(decoded.out);
    CHECK(out.at("kind").as_string() == "envelope");
    CHECK(out.at("header").at("documentId").as_string() == package.header.document_id);
    CHECK(out.at("signature").at("signer").at("uid").as_string() == a);

    const auto empty = inbox(b, {});
    INFO(empty.out << empty.err);
    CHECK(empty.exit_code == 0);
    CHECK(trimmed(empty.out) == "inbox empty");

    // The ack was real: the hub sends 01 to the sender, which hears it as a status package.
    const std::string statuses = ctl.path("statuses");
    it::CommandResult heard;
    CHECK(it::eventually([&] {
        heard = inbox(a, {"--save", statuses, "--ack", "--wait", "1", "--json"});
        return heard.exit_code != 0 || !files_in(statuses).empty();
    }));
    INFO(heard.out << heard.err);
    REQUIRE(heard.exit_code == 0);
    const auto items = boost::json::parse(heard.out).at("items").as_array();
    REQUIRE(items.size() == 1);
    CHECK(items[0].at("kind").as_string() == "status");
    CHECK(items[0].at("envelopeId").as_string() == envelope_id);
    const std::string status_file(items[0].at("file").as_string());
    const auto status = ctl.run({"edxml", "decode", status_file, "--json"});
    INFO(status.out << status.err);
    REQUIRE(status.exit_code == 0);
    const auto s = boost::json::parse(status.out);
    CHECK(s.at("kind").as_string() == "status");
    CHECK(s.at("statusUpdate").at("code").as_string() == "01");
    CHECK(s.at("statusUpdate").at("documentId").as_string() == package.header.document_id);

    // A status package through edxml post: the StatusReceipt.
    const auto status_xml = hub::national::encode_status_package(
        it::status_package(b, a, package.header.document_id, "03"));
    REQUIRE(status_xml.has_value());
    write(ctl.path("status.edxml"), *status_xml);
    const auto reported =
        ctl.run({"edxml", "post", "--env", hub.dir(), "--as", b, ctl.path("status.edxml")});
    INFO(reported.out << reported.err);
    REQUIRE(reported.exit_code == 0);
    const auto status_receipt = boost::json::parse(reported.out);
    CHECK(status_receipt.at("code").as_string() == "03");
    CHECK(status_receipt.at("envelopeId").as_string() == envelope_id);

    // A refused inbox request: the code and field, exit 2.
    const auto bad = inbox(b, {"--max", "many"});
    INFO(bad.out << bad.err);
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("400 MALFORMED max") != std::string::npos);
}
