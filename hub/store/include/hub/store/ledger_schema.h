#pragma once
/// The ledger's schema as its versioned migration steps. SqliteLedger::open applies them; they
/// are public so tools and upgrade tests can build a file at an earlier version (apply a
/// prefix of the steps with sqlite::migrate) and check that the current program upgrades it.

#include "hub/store/sqlite_db.h"

#include <span>

namespace hub::ledger {

/// Every step, in increasing version order. Steps are append-only: a released step is never
/// edited, so a prefix is exactly the schema an earlier program created.
std::span<const sqlite::Migration> schema_steps();

}  // namespace hub::ledger
