#pragma once
// What every mode prints around its own table, and the JSON summary file.

#include <boost/json/object.hpp>

#include <string>

#include "daemon.h"
#include "options.h"

namespace bench {

/// printf into a std::string.
std::string strf(const char* format, ...) __attribute__((format(printf, 1, 2)));

/// The first lines of every report: the command as typed, when, where.
void print_command(const Options& options);

/// The daemon binary, its pid and the environment directory.
void print_environment(const BenchEnv& env);

/// Fields every JSON summary starts with (command, mode, time, host, daemon, options).
boost::json::object json_preamble(const Options& options, const BenchEnv& env);

/// How the daemon stopped and what it logged at warn/error level; adds the same to `json`.
void report_daemon_end(BenchEnv& env, boost::json::object& json);

/// Writes `json` to `path` (pretty enough to diff). Throws std::runtime_error on failure.
void write_json_file(const std::string& path, const boost::json::object& json);

}  // namespace bench
