// lienthongctl: the command line for people, scripts and tests.

#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <string>

#include "args.h"
#include "commands.h"

namespace {

constexpr const char* kUsage = R"(usage: lienthongctl COMMAND ...
  code check CODE...                         validate organization codes
  time official --at INSTANT [--calendar F]  official receipt time (R-16)
  time add-business --from INSTANT --hours H [--calendar F]
  envelope build --header H.json --attach FILE[:ROLE]... [--sign-key K --sign-cert C] [--json] -o OUT
  envelope check FILE [--trust DIR]          offline validation
  dev-env DIR [--agencies N]                 test CA, certificates and a daemon config
  post --env DIR --as CODE FILE              POST an envelope, print the receipt
  receipt verify FILE [--env DIR | --cert C]
  inbox --env DIR --as CODE [--ack] [--save OUTDIR] [--wait S] [--max N] [--format json|edxml]
  status send --env DIR --as CODE --document-id ID --to CODE --code NN [--description TEXT]
  trace --env DIR --as CODE ENVELOPE_ID
  org list|add|suspend|activate|cert-add|cert-revoke ... --env DIR
  edxml decode FILE [--strict] [--trust DIR]  an edXML package as the hub's message, with digests
  edxml encode FILE.json -o OUT.edxml [--sign-key K --sign-cert C]
  edxml post --env DIR --as CODE FILE        POST an edXML package, print the receipt
  audit verify --ledger FILE [--from N] [--head SEQ:HEX]   offline; exit 0 intact, 1 broken
  backup --out FILE (--env DIR | --config FILE | --ledger F --blobs D)   while the hub serves
  restore FILE --to DIR                      DIR absent or empty; checks blobs and the audit chain
  report [--quarter 2026Q3 | --from D --to D] [--format csv|json] [--out FILE]   R-18/R-19;
      Vietnam dates, both included; the current quarter by default
  maintenance on --notice TEXT [--retry-after S] | off | show   (--env DIR, or
      --operator https://HOST:PORT --cert C --key K --ca CA, for every operator command)
  national status|sync|outbox                the national adapter; sync refreshes the directory
  dead-letters list [--channel inbox|national] | retry ID | discard ID --reason TEXT
Add --json to any command for machine-readable output.
)";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        std::fputs(kUsage, words.empty() ? stderr : stdout);
        return words.empty() ? 2 : 0;
    }
    static const std::map<std::string, int (*)(const ctl::Words&)> kCommands{
        {"code", ctl::cmd_code},
        {"time", ctl::cmd_time},
        {"envelope", ctl::cmd_envelope},
        {"dev-env", ctl::cmd_dev_env},
        {"post", ctl::cmd_post},
        {"receipt", ctl::cmd_receipt},
        {"inbox", ctl::cmd_inbox},
        {"status", ctl::cmd_status},
        {"trace", ctl::cmd_trace},
        {"org", ctl::cmd_org},
        {"edxml", ctl::cmd_edxml},
        {"maintenance", ctl::cmd_maintenance},
        {"audit", ctl::cmd_audit},
        {"backup", ctl::cmd_backup},
        {"restore", ctl::cmd_restore},
        {"national", ctl::cmd_national},
        {"dead-letters", ctl::cmd_dead_letters},
        {"report", ctl::cmd_report},
    };
    auto command = kCommands.find(words[0]);
    if (command == kCommands.end()) {
        std::cerr << "lienthongctl: unknown command '" << words[0] << "' (try --help)\n";
        return 2;
    }
    try {
        return command->second(ctl::Words(words.begin() + 1, words.end()));
    } catch (const ctl::UsageError& e) {
        std::cerr << "lienthongctl " << words[0] << ": " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "lienthongctl " << words[0] << ": " << e.what() << "\n";
        return 1;
    }
}
