// lienthongctl backup / restore. The backup reads the ledger file itself, with SQLite's
// online backup API, rather than asking the hub to stream one: it runs on the hub's host
// anyway (the blobs are local files it must read), it needs no large download path on the
// operator listener, it works while the hub is down, and SQLite's snapshot in WAL mode never
// blocks the hub's writer. The archive is a plain ustar file: manifest.json (counts and the
// audit head), ledger.db (the snapshot) and blobs/<aa>/<sha256> for exactly the blobs the
// snapshot references.

#include "hub/core/clock.h"
#include "hub/core/time.h"
#include "hub/store/audit_file.h"
#include "hub/store/blob_store.h"
#include "hub/store/ledger_backup.h"

#include <boost/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "args.h"
#include "commands.h"
#include "files.h"
#include "tar.h"

namespace ctl {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "lienthong-backup/1";

struct StorePaths {
    std::string ledger;
    std::string blobs;
};

std::string resolve(const fs::path& base, const std::string& path) {
    return fs::path(path).is_relative() ? (base / path).string() : path;
}

// Where the ledger and blobs are: from a dev environment, a daemon config, or given.
StorePaths store_paths(const Args& args) {
    std::optional<std::string> config = args.get("config");
    if (auto env = args.get("env")) {
        config = *env + "/lienthongd.json";
    }
    if (config) {
        const auto doc = boost::json::parse(read_file(*config));
        const auto* store = doc.as_object().if_contains("store");
        if (store == nullptr || !store->is_object()) {
            throw UsageError(*config + ": no store section");
        }
        const auto& s = store->as_object();
        const fs::path base = fs::absolute(*config).parent_path();
        // Protobuf's JSON reader takes both spellings of a field name.
        const auto text = [&](const char* key, const char* camel) -> std::string {
            const auto* v = s.if_contains(key);
            if (v == nullptr) {
                v = s.if_contains(camel);
            }
            if (v == nullptr || !v->is_string()) {
                throw UsageError(*config + ": store." + key + " is not set");
            }
            return std::string(v->as_string());
        };
        return {resolve(base, text("ledger", "ledger")),
                resolve(base, text("blob_dir", "blobDir"))};
    }
    return {args.require("ledger"), args.require("blobs")};
}

// A progress bar on a terminal, plain lines otherwise (journald, cron mail).
class Progress {
public:
    Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}
    void show(const std::string& phase, std::uint64_t done, std::uint64_t total) {
        const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
        if (tty_) {
            std::string bar(static_cast<std::size_t>(percent / 4), '#');
            bar.resize(25, ' ');
            std::fprintf(stderr, "\r%-8s [%s] %3d%%", phase.c_str(), bar.c_str(), percent);
            if (done >= total) {
                std::fputc('\n', stderr);
            }
        } else if (percent >= next_ || done >= total || phase != phase_) {
            if (phase != phase_) {
                next_ = 0;
            }
            std::fprintf(stderr, "progress %s %llu/%llu (%d%%)\n", phase.c_str(),
                         static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(total), percent);
            next_ = percent + 10;
        }
        phase_ = phase;
        std::fflush(stderr);
    }

private:
    bool tty_;
    int next_ = 0;
    std::string phase_;
};

std::string blob_name(const std::string& sha256) {
    return "blobs/" + sha256.substr(0, 2) + "/" + sha256;
}

void check(const hub::Result<void>& r, const std::string& what) {
    if (!r) {
        throw std::runtime_error(what + ": " + r.error().text());
    }
}

}  // namespace

int cmd_backup(const Words& words) {
    Args args(words, {"out", "env", "config", "ledger", "blobs"}, {"json"});
    const std::string out = args.require("out");
    if (fs::exists(out)) {
        throw UsageError("--out " + out + " exists");
    }
    const auto paths = store_paths(args);
    if (!fs::is_regular_file(paths.ledger)) {
        throw UsageError("no ledger at " + paths.ledger);
    }
    auto blobs = hub::BlobStore::open(paths.blobs);
    if (!blobs) {
        throw std::runtime_error("blobs: " + blobs.error().text());
    }
    const std::string work = out + ".partial.d";
    fs::remove_all(work);
    fs::create_directories(work);
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{work};

    Progress progress;
    const std::string snapshot = work + "/ledger.db";
    check(hub::backup_ledger(paths.ledger, snapshot,
                             [&](std::int64_t done, std::int64_t total) {
                                 progress.show("ledger", static_cast<std::uint64_t>(done),
                                               static_cast<std::uint64_t>(total));
                             }),
          "ledger snapshot");
    auto summary = hub::summarize_ledger(snapshot);
    if (!summary) {
        throw std::runtime_error("snapshot: " + summary.error().text());
    }
    std::uint64_t blob_bytes = 0;
    for (const auto& sha : summary->blobs) {
        const auto path = blobs->path_of(sha);
        std::error_code ec;
        const auto size = fs::file_size(path, ec);
        if (ec) {
            // Fail closed: a backup without a blob its ledger names would restore broken.
            throw std::runtime_error("blob " + sha + " is referenced but missing at " + path);
        }
        blob_bytes += size;
    }

    boost::json::object manifest{{"format", kFormat},
                                 {"created_at", hub::format_instant(hub::SystemClock().now())},
                                 {"source", paths.ledger},
                                 {"schema_version", summary->schema_version},
                                 {"envelopes", summary->envelopes},
                                 {"deliveries", summary->deliveries},
                                 {"statuses", summary->statuses},
                                 {"audit_rows", summary->audit_rows},
                                 {"audit_head", hub::format_audit_head(summary->audit_head)},
                                 {"blobs", summary->blobs.size()},
                                 {"blob_bytes", blob_bytes}};
    const std::string partial = out + ".partial";
    TarWriter tar(partial);
    tar.add("manifest.json", boost::json::serialize(manifest) + "\n");
    tar.add_file("ledger.db", snapshot);
    std::uint64_t copied = 0;
    for (const auto& sha : summary->blobs) {
        tar.add_file(blob_name(sha), blobs->path_of(sha), [&](std::uint64_t n) {
            copied += n;
            progress.show("blobs", copied, blob_bytes);
        });
    }
    if (summary->blobs.empty()) {
        progress.show("blobs", 0, 0);
    }
    tar.finish();
    fs::rename(partial, out);
    if (args.has("json")) {
        std::cout << boost::json::serialize(manifest) << "\n";
    } else {
        std::cout << "OK " << out << ": " << summary->envelopes << " envelopes, "
                  << summary->blobs.size() << " blobs (" << blob_bytes << " bytes), "
                  << summary->audit_rows << " audit rows, audit head "
                  << hub::format_audit_head(summary->audit_head) << "\n";
    }
    return 0;
}

int cmd_restore(const Words& words) {
    Args args(words, {"to"}, {"json"});
    if (args.positionals().size() != 1) {
        throw UsageError("usage: restore FILE --to DIR");
    }
    const std::string archive = args.positionals()[0];
    const std::string dir = args.require("to");
    if (!fs::is_regular_file(archive)) {
        throw UsageError(archive + ": no such file");
    }
    if (fs::exists(dir) && !(fs::is_directory(dir) && fs::is_empty(dir))) {
        throw UsageError("--to " + dir + ": must be absent or empty");
    }
    fs::create_directories(dir);
    const std::string ledger = dir + "/ledger.db";
    auto blobs = hub::BlobStore::open(dir + "/blobs");
    if (!blobs) {
        throw std::runtime_error("blobs: " + blobs.error().text());
    }
    std::optional<boost::json::object> manifest;
    bool have_ledger = false;
    std::set<std::string> restored;
    std::vector<char> buf(1 << 16);
    read_tar(archive, [&](const std::string& name, std::uint64_t,
                          const std::function<std::size_t(char*, std::size_t)>& read) {
        const auto copy_to = [&](const std::string& path) {
            std::ofstream f(path, std::ios::binary | std::ios::trunc);
            for (std::size_t n; (n = read(buf.data(), buf.size())) > 0;) {
                f.write(buf.data(), static_cast<std::streamsize>(n));
            }
            f.close();
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            const bool ok = f && fd >= 0 && ::fsync(fd) == 0;
            if (fd >= 0) {
                ::close(fd);
            }
            if (!ok) {
                throw std::runtime_error("cannot write " + path);
            }
        };
        if (name == "manifest.json") {
            std::string text;
            for (std::size_t n; (n = read(buf.data(), buf.size())) > 0;) {
                text.append(buf.data(), n);
            }
            auto value = boost::json::parse(text);
            if (!value.is_object() || value.as_object().if_contains("format") == nullptr ||
                value.as_object().at("format") != kFormat) {
                throw std::runtime_error(archive + ": not a " + std::string(kFormat) + " archive");
            }
            manifest = value.as_object();
        } else if (name == "ledger.db") {
            copy_to(ledger);
            have_ledger = true;
        } else if (name.rfind("blobs/", 0) == 0 && name.size() == 6 + 3 + 64 &&
                   hub::is_sha256_hex(name.substr(9)) && name.substr(6, 2) == name.substr(9, 2)) {
            const std::string sha = name.substr(9);
            const std::string temp = blobs->temp_dir() + "/restore-" + sha;
            copy_to(temp);
            // put_file hashes the bytes and refuses them unless they are the named digest.
            auto put = blobs->put_file(temp, sha);
            if (!put) {
                throw std::runtime_error("blob " + sha + ": " + put.error().text());
            }
            restored.insert(sha);
        } else {
            throw std::runtime_error(archive + ": unexpected entry " + name);
        }
    });
    if (!manifest || !have_ledger) {
        throw std::runtime_error(archive + ": no manifest or no ledger in the archive");
    }
    auto summary = hub::summarize_ledger(ledger);
    if (!summary) {
        throw std::runtime_error("restored ledger: " + summary.error().text());
    }
    for (const auto& sha : summary->blobs) {
        if (!restored.count(sha)) {
            throw std::runtime_error("blob " + sha + " is referenced by the ledger but missing");
        }
    }
    if (restored.size() != summary->blobs.size()) {
        throw std::runtime_error("the archive holds blobs the ledger does not reference");
    }
    const auto head = hub::parse_audit_head(std::string(manifest->at("audit_head").as_string()));
    auto chain = hub::verify_audit_file(ledger, hub::AuditCheck{1, head});
    if (!chain) {
        throw std::runtime_error("audit chain: " + chain.error().text());
    }
    if (!head || !chain->ok) {
        std::cout << "BROKEN audit chain at row " << chain->culprit_seq << ": "
                  << chain->explanation << "\n";
        return 1;
    }
    if (manifest->at("envelopes").to_number<std::int64_t>() != summary->envelopes) {
        throw std::runtime_error("the ledger's envelope count differs from the manifest");
    }
    std::cout << "OK " << summary->envelopes << " envelopes, " << summary->deliveries
              << " deliveries, " << summary->statuses << " statuses, " << restored.size()
              << " blobs (digests checked), " << chain->entries
              << " audit rows (chain intact, head " << hub::format_audit_head(chain->last) << ")\n";
    return 0;
}

}  // namespace ctl
