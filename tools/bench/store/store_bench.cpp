// store_bench: what keeping small attachments inside the ledger's group-commit transaction
// saves over writing each one to the BlobStore first (a file write, two fsyncs and a rename
// per attachment, as intake did before). Both ways run in one process, on the same disk, one
// after the other, round after round, so the box's noise hits both alike. Run by hand, not a
// test:
//
//   store_bench [--n 2000] [--concurrency 64] [--size 16384] [--rounds 2] [--dir DIR]
//
// Prints wall time, throughput, process CPU (user + sys: every thread, the ledger's writer
// included) per envelope and the number of ledger commits, then the ratios.

#include "hub/core/digest.h"
#include "hub/core/logger.h"
#include "hub/store/blob_store.h"
#include "hub/store/sqlite_ledger.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;

struct Options {
    std::size_t n = 2000;
    std::size_t concurrency = 64;
    std::size_t size = 16 * 1024;
    int rounds = 2;
    std::string dir;  ///< empty: a fresh directory under $TMPDIR, removed at the end
};

enum class Mode { blob_store, inline_ledger };

const char* name_of(Mode mode) {
    return mode == Mode::blob_store ? "blob_store   " : "inline_ledger";
}

struct Figures {
    double wall_s = 0;
    double user_s = 0;
    double sys_s = 0;
    std::uint64_t commits = 0;
    std::size_t failures = 0;
};

/// What the workers share; they all run on the one I/O thread, so no locks.
struct Run {
    hub::Ledger& ledger;
    hub::BlobStore& blobs;
    asio::thread_pool& blocking;
    std::vector<hub::NewEnvelope>& inputs;
    Mode mode;
    std::size_t next = 0;
    std::size_t failures = 0;
};

/// BlobStore::put off the I/O thread, the way intake's run_blocking does it.
asio::awaitable<hub::Result<std::string>> put_blob(asio::thread_pool& pool,
                                                   hub::BlobStore& blobs,
                                                   std::string bytes) {
    auto home = co_await asio::this_coro::executor;
    co_await asio::post(asio::bind_executor(pool, asio::use_awaitable));
    auto stored = blobs.put(bytes);
    co_await asio::post(asio::bind_executor(home, asio::use_awaitable));
    co_return stored;
}

asio::awaitable<void> worker(Run& run) {
    while (run.next < run.inputs.size()) {
        hub::NewEnvelope envelope = std::move(run.inputs[run.next++]);
        if (run.mode == Mode::blob_store) {
            for (auto& a : envelope.attachments) {
                auto stored = co_await put_blob(run.blocking, run.blobs, std::move(a.content));
                if (!stored) {
                    ++run.failures;
                    continue;
                }
                a.content.clear();
                a.inline_content = false;
                a.sha256 = *stored;
            }
        }
        auto accepted = co_await run.ledger.accept_envelope(std::move(envelope));
        if (!accepted || accepted->outcome != hub::AcceptResult::created) {
            ++run.failures;
        }
    }
}

/// Envelopes shaped like intake's: a signed header, one recipient, an audit record and one
/// attachment whose bytes differ per envelope (no dedup in either store), its digest already
/// known (intake hashes while reading the body).
std::vector<hub::NewEnvelope> make_inputs(const Options& o, const std::string& tag) {
    std::vector<hub::NewEnvelope> out;
    out.reserve(o.n);
    for (std::size_t i = 0; i < o.n; ++i) {
        std::string id = tag + "-" + std::to_string(i);
        hub::NewEnvelope e;
        e.from = "H39.05";
        e.from_given = "000.00.05.H39";
        e.envelope_id = id;
        e.document_id = "000.00.05.H39,2026/11/20," + std::to_string(i) + "/UBND-VP";
        e.header = std::string(600, 'h') + id;
        e.signature = std::string(2500, 's');
        e.header_sha256 = hub::sha256_hex(e.header);
        e.content_digest = e.header_sha256;
        e.receipt = std::string(400, 'r');
        e.accepted_at = hub::Instant(std::chrono::milliseconds(1'795'000'000'000));
        hub::AttachmentRecord a;
        a.content_id = "main";
        a.name = "cong-van.pdf";
        a.media_type = "application/pdf";
        a.role = lienthong::v1::MAIN;
        a.content.assign(o.size, '\0');
        for (std::size_t b = 0; b < o.size; ++b) {
            a.content[b] = static_cast<char>((b * 31 + i) & 0xff);
        }
        a.content.replace(0, std::min(id.size(), o.size), id, 0, std::min(id.size(), o.size));
        a.size = a.content.size();
        a.sha256 = hub::sha256_hex(a.content);
        a.inline_content = true;
        e.attachments.push_back(std::move(a));
        hub::NewDelivery d;
        d.delivery_id = "d-" + id;
        d.recipient = "H39.07";
        d.recipient_given = "000.00.07.H39";
        e.deliveries.push_back(std::move(d));
        e.audit.push_back(
            hub::AuditRecord{e.accepted_at, "H39.05", "envelope.accept", id, "OK", ""});
        out.push_back(std::move(e));
    }
    return out;
}

double cpu_seconds(const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

Figures measure(const Options& o, Mode mode, const std::string& dir, hub::Logger& log) {
    std::filesystem::create_directories(dir);
    hub::SqliteLedgerOptions ledger_options;
    ledger_options.path = dir + "/ledger.db";
    auto ledger = hub::SqliteLedger::open(ledger_options, log);
    auto blobs = hub::BlobStore::open(dir + "/blobs");
    if (!ledger || !blobs) {
        throw std::runtime_error("cannot open the ledger or the blob store in " + dir);
    }
    auto inputs = make_inputs(o, dir.substr(dir.rfind('/') + 1));
    asio::io_context io;
    asio::thread_pool blocking(2);  // as lienthongd's
    Run run{**ledger, *blobs, blocking, inputs, mode};
    auto commits_before = (*ledger)->commits();

    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    auto start = std::chrono::steady_clock::now();
    for (std::size_t w = 0; w < o.concurrency; ++w) {
        asio::co_spawn(io, worker(run), [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
    }
    io.run();
    auto stop = std::chrono::steady_clock::now();
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);

    Figures f;
    f.wall_s = std::chrono::duration<double>(stop - start).count();
    f.user_s = cpu_seconds(after.ru_utime) - cpu_seconds(before.ru_utime);
    f.sys_s = cpu_seconds(after.ru_stime) - cpu_seconds(before.ru_stime);
    f.commits = (*ledger)->commits() - commits_before;
    f.failures = run.failures;
    blocking.join();
    ledger->reset();
    std::filesystem::remove_all(dir);
    return f;
}

void print(int round, Mode mode, const Options& o, const Figures& f) {
    double n = static_cast<double>(o.n);
    std::printf(
        "round %d %s: %zu envelopes in %.3f s = %6.0f/s; cpu %4.0f us/envelope (user %4.0f, "
        "sys %4.0f); %llu commits; %zu failures\n",
        round, name_of(mode), o.n, f.wall_s, n / f.wall_s, (f.user_s + f.sys_s) / n * 1e6,
        f.user_s / n * 1e6, f.sys_s / n * 1e6, static_cast<unsigned long long>(f.commits),
        f.failures);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i];
        if (i + 1 >= argc) {
            throw std::invalid_argument("missing value after " + flag);
        }
        std::string value = argv[++i];
        if (flag == "--n") {
            o.n = std::stoul(value);
        } else if (flag == "--concurrency") {
            o.concurrency = std::stoul(value);
        } else if (flag == "--size") {
            o.size = std::stoul(value);
        } else if (flag == "--rounds") {
            o.rounds = std::stoi(value);
        } else if (flag == "--dir") {
            o.dir = value;
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Options o = parse(argc, argv);
        bool own_dir = o.dir.empty();
        if (own_dir) {
            const char* tmp = std::getenv("TMPDIR");
            std::string pattern =
                std::string(tmp != nullptr ? tmp : "/tmp") + "/store-bench-XXXXXX";
            if (::mkdtemp(pattern.data()) == nullptr) {
                throw std::runtime_error("mkdtemp failed");
            }
            o.dir = pattern;
        }
        hub::Logger log(hub::LogLevel::warn);
        std::printf("store_bench n=%zu concurrency=%zu size=%zu rounds=%d dir=%s\n", o.n,
                    o.concurrency, o.size, o.rounds, o.dir.c_str());
        for (int round = 1; round <= o.rounds; ++round) {
            std::string base = o.dir + "/r" + std::to_string(round);
            Figures blob = measure(o, Mode::blob_store, base + "-blob", log);
            print(round, Mode::blob_store, o, blob);
            Figures in = measure(o, Mode::inline_ledger, base + "-inline", log);
            print(round, Mode::inline_ledger, o, in);
            std::printf("round %d blob_store/inline_ledger: wall %.2fx, cpu %.2fx, sys cpu %.2fx\n",
                        round, blob.wall_s / in.wall_s,
                        (blob.user_s + blob.sys_s) / (in.user_s + in.sys_s), blob.sys_s / in.sys_s);
        }
        if (own_dir) {
            std::filesystem::remove_all(o.dir);
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        return 1;
    }
}
