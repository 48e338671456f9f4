// Helpers shared by the DB-facing subcommands (scan, explain, tables,
// load-tpch): opening a DB, scan targets, exit statuses, CSV/JSON output.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/schema/types.h"
#include "engine/api/pushdown_db.h"
#include "engine/cli/args.h"
#include "util/status.h"

namespace pushdown::engine {

// The exit status for an error of the API: InvalidArgument (bad predicate,
// unknown column, bad option) and NotFound (unknown table or column family)
// are the user's input -> kExitUsage; everything else -> kExitRuntimeError.
int ExitStatusFor(const Status& s);

// Prints "pushdown <command>: <message>" on stderr and returns `exit_status`.
// The message goes through EscapeText (util/source_diagnostic.h): NUL bytes,
// control characters and invalid UTF-8 are printed as \xHH, never raw.
int Fail(std::string_view command, int exit_status, std::string_view message);
// Input errors (exit 2) print the message (the diagnostic); runtime errors
// (exit 1) print the code too: "Corruption: 000012.sst: bad block checksum".
int Fail(std::string_view command, const Status& s);
// A runtime error whatever the code (a failure while scanning, opening...).
int FailRuntime(std::string_view command, const Status& s);

// Opens an existing DB for reading only (rocksdb::DB::OpenForReadOnly, no info
// LOG file): nothing in DIR is created, renamed or written. NotFound-like
// failures (no DB at `dir`) are IOError "no database at DIR".
Result<std::unique_ptr<PushdownDB>> OpenDbReadOnly(const std::string& dir,
                                                   const std::string& device = "auto");

// The largest file `--schema @FILE` reads.
inline constexpr size_t kMaxSchemaFileBytes = size_t{1} << 20;

// The contents of the file behind `--schema @FILE`: a regular file of at most
// kMaxSchemaFileBytes. Anything else -- a FIFO, a device such as /dev/zero, a
// directory, a socket, a larger file, a missing or unreadable one -- is
// InvalidArgument (exit 2) naming the file and why. Opened O_NONBLOCK and
// checked with fstat before any read, so a FIFO never blocks; reads stop at
// the limit even if the file grows meanwhile.
Result<std::string> ReadSchemaFile(const std::string& path);

// True if `dir` holds a RocksDB database (a CURRENT file).
bool DbExists(const std::string& dir);

// --table T | --cf NAME (default: raw column family "default").
// InvalidArgument if both are given.
Result<ScanTarget> TargetFromFlags(const ParsedFlags& flags);

// InvalidArgument unless one of auto|kernel|host|iterator.
Status CheckDevice(const std::string& device);

// The flags shared by the commands that plan a scan (scan, explain): no
// positional argument, --db and --where given, the target (TargetFromFlags)
// and --device (default auto, CheckDevice). InvalidArgument names the problem.
struct ScanFlags {
  ScanTarget target;
  std::string device;
};
Result<ScanFlags> CheckScanFlags(const ParsedFlags& flags);

// A value as CSV text: NULL -> "" (an empty field); an empty string -> "\"\"";
// DATE YYYY-MM-DD; DECIMAL with its scale; BOOL true/false; BYTES lowercase
// hex; CHAR without its padding; quoted (RFC 4180) where needed.
std::string CsvField(const bpfgen::Type& type, const bpfgen::Datum& d);
// A header name, quoted where needed.
std::string CsvName(std::string_view name);
// The value as plain text (no quoting), as CsvField before quoting: the
// canonical SQL text of bpfgen/schema/text.h.
using bpfgen::FormatValue;

std::string JsonString(std::string_view s);

// One JSON object (one line) with exactly the keys path, device,
// fallback_reason, pushed, residual, files, blocks_read, blocks_skipped,
// bytes_read, bytes_to_host, rows_scanned, rows_matched, compile_ms,
// elapsed_ms.
std::string StatsJson(const ScanInfo& info, const exec::ScanStats& stats, double elapsed_ms);

// Splits "a, b ,c" at top-level commas, trimming spaces.
std::vector<std::string> SplitList(std::string_view s);

}  // namespace pushdown::engine
