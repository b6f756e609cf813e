#pragma once
/// Backups of a ledger file while the hub keeps serving: a consistent snapshot through
/// SQLite's online backup API, and what a snapshot holds (counts, the audit head, the blobs it
/// references) so a backup carries exactly those blobs. Blocking; for tools, not I/O threads.

#include "hub/core/result.h"
#include "hub/store/records.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hub {

/// Called after each step of a backup with the pages copied and the total.
using BackupProgress = std::function<void(std::int64_t done, std::int64_t total)>;

/// Copies a consistent snapshot of the ledger at `ledger_path` into `out_path` (created;
/// must not exist). The source stays open for writing by the hub: the copy runs inside one
/// read transaction of its own, which in WAL mode never blocks the writer, in steps of
/// `pages_per_step` pages so progress can be shown. The copy is fsync'd before this returns.
/// Error: UNAVAILABLE (cannot open, read or write), DUPLICATE_CONFLICT (`out_path` exists).
Result<void> backup_ledger(const std::string& ledger_path,
                           const std::string& out_path,
                           const BackupProgress& progress,
                           int pages_per_step = 1024);

/// What a ledger file holds, read-only.
struct LedgerSummary {
    int schema_version = 0;
    std::int64_t envelopes = 0;
    std::int64_t deliveries = 0;
    std::int64_t statuses = 0;
    std::int64_t audit_rows = 0;
    AuditHead audit_head;
    /// Distinct digests of the attachments kept in the BlobStore (not inline), sorted.
    std::vector<std::string> blobs;
};

/// Opens `path` read-only and summarizes it. Error: UNAVAILABLE, INTERNAL (not a ledger).
Result<LedgerSummary> summarize_ledger(const std::string& path);

}  // namespace hub
