// Helpers shared by the DB-facing subcommands (scan, explain, tables,
// load-tpch): opening a DB, scan targets and key ranges, the device request
// and what ran, exit statuses, CSV/JSON output.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/schema/types.h"
#include "engine/api/attach.h"
#include "engine/api/pushdown_db.h"
#include "engine/api/scan_json.h"
#include "engine/cli/args.h"
#include "engine/cli/secondary_db.h"
#include "pushdown/device/device_request.h"
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

// A database opened by the CLI: a RocksDB secondary instance with the DB's own
// options (secondary_db.h: nothing in the DB directory is written) and the
// attach API over it (engine/api/attach.h). `pd` is destroyed before `db`.
struct CliDb {
  std::unique_ptr<SecondaryDb> db;
  std::unique_ptr<AttachedDB> pd;
};

// Opens `dir` (SecondaryDb::Open) and attaches (read-only; the catalog column
// family when the DB has one, so that --table works). `device`: the default
// device of its scans (unset: auto). IOError "no database at DIR" if there is
// none; the RocksDB error otherwise.
Result<CliDb> OpenCliDb(const std::string& dir,
                        std::optional<exec::DeviceRequest> device = std::nullopt);

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

// --table T | --column_family NAME (alias --cf; default: raw column family
// "default"). InvalidArgument if both are given.
Result<ScanTarget> TargetFromFlags(const ParsedFlags& flags);

// What a scan of `target` reads: the column family handle and its rows (raw,
// or the table's schema from the catalog). NotFound (exit 2) for an unknown
// table or column family.
struct ResolvedTarget {
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  RowSpec rows = RowSpec::Raw();
};
Result<ResolvedTarget> ResolveTarget(const CliDb& db, const ScanTarget& target);

// --device NAME parsed once into the typed request (unset if not given).
// InvalidArgument unless one of auto|kernel|host|iterator.
Result<std::optional<exec::DeviceRequest>> DeviceFromFlags(const ParsedFlags& flags);

// The flags shared by the commands that plan a scan (scan, explain): no
// positional argument, --db and --where given, the target (TargetFromFlags),
// --device (DeviceFromFlags), --strict-device, and the key range:
// --from=KEY (inclusive) and --to=KEY (exclusive), as ldb's scan; with --hex
// both are ldb hex ("0x6B01"). InvalidArgument names the problem.
struct ScanFlags {
  ScanTarget target;
  std::optional<exec::DeviceRequest> device;
  bool strict_device = false;
  bool hex = false;
  std::optional<std::string> from, to;
  std::optional<uint32_t> workers;  // --workers N (ScanOptions::workers; 0 = the default)
  // --placement auto|pushdown|iterator (ScanOptions::placement).
  plan::Placement placement = plan::Placement::kPushdown;
};
Result<ScanFlags> CheckScanFlags(const ParsedFlags& flags);

// The flag specs CheckScanFlags reads (db, table, column_family/cf, where,
// device, strict-device, from, to, hex, workers, placement), to start a command's
// ParseFlags list.
std::vector<FlagSpec> ScanFlagSpecs();

// Applies --from/--to to `options` with ldb's semantics: --from is the seek
// key (ScanOptions::lower_bound, in the column family's order); the scan ends
// at the first key, in the column family's order, that is bytewise >= --to
// (ldb compares `key.ToString() < to`). On a bytewise column family that is
// upper_bound = --to. On another comparator the end key is found with a
// RocksDB iterator over the keys from --from (the DB is a secondary instance:
// its state does not change until it catches up, so the scan sees the same
// keys) and becomes the upper bound; no bound when no key is >= --to.
Status ApplyKeyRange(const CliDb& db, rocksdb::ColumnFamilyHandle* cf, const ScanFlags& flags,
                     ScanOptions* options);

// "" when the scan ran where it was asked to, else the warning text
// "requested device kernel, ran on host: <fallback reason>": a kernel or host
// request that ran on another device, or any request but iterator that took
// the iterator path.
std::string DeviceMismatch(const ScanInfo& info);

// Prints "pushdown <command>: warning: <DeviceMismatch>" on stderr when the
// scan did not run where requested and returns -1 (go on); with `strict`,
// prints "pushdown <command>: --strict-device: <DeviceMismatch>" and returns
// kExitRuntimeError instead. -1 when there is no mismatch.
int CheckDeviceRan(std::string_view command, const ScanInfo& info, bool strict);

// A value as CSV text: NULL -> "" (an empty field); an empty string -> "\"\"";
// DATE YYYY-MM-DD; DECIMAL with its scale; BOOL true/false; BYTES lowercase
// hex; CHAR without its padding; quoted (RFC 4180) where needed.
std::string CsvField(const bpfgen::Type& type, const bpfgen::Datum& d);
// A header name, quoted where needed.
std::string CsvName(std::string_view name);
// The value as plain text (no quoting), as CsvField before quoting: the
// canonical SQL text of bpfgen/schema/text.h.
using bpfgen::FormatValue;

// JsonString and StatsJson (the --stats object): engine/api/scan_json.h.

// Splits "a, b ,c" at top-level commas, trimming spaces.
std::vector<std::string> SplitList(std::string_view s);

}  // namespace pushdown::engine
