// national-sim --config FILE [--port N] [--admin-port N] [--ports-file FILE]
// Serves until SIGINT or SIGTERM; writes {"axis":P,"admin":P} to the ports file once bound.

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "sim.h"

int main(int argc, char** argv) {
    std::string config_file, ports_file;
    long port = 0, admin_port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--config") {
            config_file = argv[i + 1];
        } else if (flag == "--port") {
            port = std::stol(argv[i + 1]);
        } else if (flag == "--admin-port") {
            admin_port = std::stol(argv[i + 1]);
        } else if (flag == "--ports-file") {
            ports_file = argv[i + 1];
        } else {
            std::fprintf(stderr, "national-sim: unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    if (config_file.empty() || argc % 2 == 0) {
        std::fprintf(stderr,
                     "usage: national-sim --config FILE [--port N] [--admin-port N] "
                     "[--ports-file FILE]\n");
        return 2;
    }
    try {
        auto config = lienthong::sim::load_config(config_file);
        config.port = static_cast<std::uint16_t>(port);
        config.admin_port = static_cast<std::uint16_t>(admin_port);
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server thread starts
        lienthong::sim::Simulator sim(std::move(config));
        sim.start();
        if (!ports_file.empty()) {
            std::string tmp = ports_file + ".tmp";
            std::ofstream(tmp) << "{\"axis\":" << sim.port() << ",\"admin\":" << sim.admin_port()
                               << "}\n";
            std::rename(tmp.c_str(), ports_file.c_str());
        }
        std::fprintf(stderr, "national-sim: axis=127.0.0.1:%u admin=127.0.0.1:%u\n", sim.port(),
                     sim.admin_port());
        int signal = 0;
        sigwait(&signals, &signal);
        sim.stop();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "national-sim: %s\n", e.what());
        return 1;
    }
    return 0;
}
