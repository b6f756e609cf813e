#include "unit/http/test_pki.h"

#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace hub::http::test {
namespace fs = std::filesystem;

namespace {

constexpr const char* kConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
)";

void run(const std::string& command) {
    std::string full = command + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) {
        throw std::runtime_error("failed: " + command);
    }
}

std::string capture(const std::string& command) {
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run: " + command);
    }
    std::string out;
    std::array<char, 256> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) {
        out.append(buf.data(), n);
    }
    ::pclose(pipe);
    return out;
}

struct Builder {
    fs::path dir;
    std::string config;

    std::string path(const std::string& name) const { return (dir / name).string(); }

    void make_ca(const std::string& name, const std::string& cn) {
        run("openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            " -keyout " +
            path(name + ".key") + " -out " + path(name + ".pem") + " -days 30 -subj /CN=" + cn +
            " -config " + config + " -extensions v3_ca");
    }

    void make_leaf(const std::string& name,
                   const std::string& cn,
                   const std::string& ca,
                   const std::string& extensions) {
        run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            " -keyout " +
            path(name + ".key") + " -out " + path(name + ".csr") + " -subj /CN=" + cn +
            " -config " + config);
        run("openssl x509 -req -in " + path(name + ".csr") + " -CA " + path(ca + ".pem") +
            " -CAkey " + path(ca + ".key") + " -CAcreateserial -days 30 -out " +
            path(name + ".pem") + " -extfile " + config + " -extensions " + extensions);
    }
};

// Makes the files on construction and removes them at process exit.
struct Owner {
    TestPki pki;
    Owner();
    ~Owner() {
        std::error_code ignored;
        fs::remove_all(pki.dir, ignored);
    }
};

Owner::Owner() {
    std::string pattern = (fs::temp_directory_path() / "lienthong-http-pki-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    Builder b{pattern, (fs::path(pattern) / "pki.cnf").string()};
    std::ofstream(b.config) << kConfig;
    b.make_ca("ca", "lienthong-test-ca");
    b.make_leaf("server", "localhost", "ca", "server_ext");
    b.make_leaf("client", "agency-client", "ca", "client_ext");
    b.make_ca("other-ca", "other-test-ca");
    b.make_leaf("other-client", "intruder", "other-ca", "client_ext");
    TestPki& p = pki;
    p.dir = pattern;
    p.ca_cert = b.path("ca.pem");
    p.server_cert = b.path("server.pem");
    p.server_key = b.path("server.key");
    p.client_cert = b.path("client.pem");
    p.client_key = b.path("client.key");
    p.other_ca_cert = b.path("other-ca.pem");
    p.other_client_cert = b.path("other-client.pem");
    p.other_client_key = b.path("other-client.key");
}

}  // namespace

const TestPki& TestPki::get() {
    static const Owner owner;
    return owner.pki;
}

std::string cli_fingerprint(const std::string& cert_file) {
    std::string line =
        capture("openssl x509 -in " + cert_file + " -noout -fingerprint -sha256 2>/dev/null");
    auto eq = line.find('=');
    if (eq == std::string::npos) {
        throw std::runtime_error("no fingerprint for " + cert_file);
    }
    std::string out;
    for (char c : line.substr(eq + 1)) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

}  // namespace hub::http::test
