// pushdown scan: rows of a table (or raw column family) matching a predicate,
// as CSV, TSV, JSON Lines or a table (--format, output_format.h; or, with
// --hex in raw mode, ldb's scan lines) on stdout; or one row of aggregates.
// Opens the DB as a secondary instance (secondary_db.h) and scans through the
// attach API.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"
#include "engine/cli/ldb_format.h"
#include "engine/cli/output_format.h"
#include "engine/cli/stdout_stream.h"

namespace pushdown::engine {

const char kScanHelp[] =
    "usage: pushdown scan --db DIR [--table T | --column_family NAME] --where EXPR\n"
    "                     [--from KEY] [--to KEY] [--hex]\n"
    "                     [--select c1,c2|*] [--aggregate LIST] [--limit N]\n"
    "                     [--format csv|tsv|json|table] [--no-header]\n"
    "                     [--device auto|kernel|host|iterator] [--strict-device] [--stats]\n"
    "                     [--workers N] [--placement auto|pushdown|iterator]\n"
    "\n"
    "Prints the rows matching a predicate (docs/LANGUAGE.md) as CSV on stdout: a header\n"
    "line, then one line per row in key order (RFC 4180 quoting; DATE as YYYY-MM-DD;\n"
    "DECIMAL with its scale; NULL as an empty field, an empty string as \"\").\n"
    "--format picks another form (docs/LANGUAGE.md, \"Output formats\").\n"
    "With --hex in raw mode the rows are printed as `ldb --hex scan` prints them,\n"
    "\"0xKEY : 0xVALUE\" (uppercase hex, no header line).\n"
    "\n"
    "Opens any database stock `ldb --try_load_options` opens: the DB's latest OPTIONS\n"
    "file with RocksDB's built-in comparators and merge operators, every column family\n"
    "with its own options, as a RocksDB secondary instance (a private temporary\n"
    "directory under $TMPDIR or /tmp, removed afterwards) caught up with the primary, so\n"
    "a DB that another process is writing is read at a consistent state. Nothing in DIR\n"
    "is written (no LOG, no OPTIONS file, no flush).\n"
    "\n"
    "  --db DIR         the database directory\n"
    "  --table T        scan table T (see `pushdown tables`)\n"
    "  --column_family NAME (alias --cf NAME)\n"
    "                   scan column family NAME in raw mode (columns key and value,\n"
    "                   BYTES, printed as lowercase hex). Default: --column_family default\n"
    "  --where EXPR     the predicate, e.g. \"l_quantity < 24\" or \"u64be(key, 0) % 100 < 2\"\n"
    "  --from KEY       the first key (inclusive), as ldb's scan --from: the seek key\n"
    "  --to KEY         the end key (exclusive), as ldb's scan --to: the scan ends at the\n"
    "                   first key, from --from in the column family's order, that is\n"
    "                   bytewise >= KEY (a bytewise column family: the keys < KEY)\n"
    "  --hex            --from/--to are ldb hex (0x6B00...); raw rows print as ldb's\n"
    "  --select LIST    output columns, comma-separated, or * (default: all)\n"
    "  --aggregate LIST aggregates instead of rows, e.g. 'count(*), sum(l_extendedprice *\n"
    "                   l_discount)' (count, sum, min, max): one header line and one row\n"
    "  --limit N        at most N rows\n"
    "  --format F       csv (default; RFC 4180), tsv (PostgreSQL COPY text: \\t \\n \\\\\n"
    "                   escapes, NULL as \\N), json (one object per line, NULL as null),\n"
    "                   table (an aligned box; widths from the first 10000 rows)\n"
    "  --no-header      no header line (csv, tsv) or names row (table)\n"
    "  --workers N      worker threads of the pushdown path, each scanning one key range\n"
    "                   (rows still in key order); 0 = one per core for large data.\n"
    "                   Default: 0\n"
    "  --placement P    pushdown (default): the pushdown path; auto: with --device auto,\n"
    "                   the RocksDB iterator path when its cost estimate is lower than the\n"
    "                   pushdown path's (explain shows both); iterator: that path (same\n"
    "                   rows either way)\n"
    "  --device NAME    where the predicate runs: auto (kernel if usable, else host),\n"
    "                   kernel (eBPF), host (native JIT), iterator (RocksDB iterator +\n"
    "                   host filter, no pushdown). Default: auto. When the scan does not\n"
    "                   run there (e.g. no BPF privilege, a merge operator), a warning on\n"
    "                   stderr says so: \"pushdown scan: warning: requested device kernel,\n"
    "                   ran on host: no BPF privilege: ...\"\n"
    "  --strict-device  the requested device or nothing: where the warning would be\n"
    "                   printed, the scan fails instead (exit 1, no rows)\n"
    "  --stats          print one JSON object as the last line of stderr with the keys\n"
    "                   path, device, fallback_reason, pushed, residual, files,\n"
    "                   blocks_read, blocks_skipped, blocks_skipped_by_range,\n"
    "                   blocks_skipped_by_zone_map, files_skipped, bytes_read,\n"
    "                   bytes_to_host, rows_scanned, rows_matched, memtable_entries,\n"
    "                   workers, range_tombstones, keys_hidden_by_range_deletion,\n"
    "                   compile_ms, elapsed_ms, files_skipped_by_zone_map, workers_reason,\n"
    "                   blocks_aggregated_on_device, rows_aggregated_on_device, per_file,\n"
    "                   program_cached, program_pinned, program_pin, pin_note,\n"
    "                   host_decode, placement, placement_decision, cost_pushdown_ms,\n"
    "                   cost_iterator_ms, aggregation, blocks_read_twice\n"
    "Flags take their value as --flag=value or --flag value.\n"
    "\n"
    "exit status: 0 ok; 1 runtime error (no DB, I/O error, corruption, --strict-device\n"
    "not satisfied); 2 bad usage, bad predicate, unknown table, column family or column\n"
    "(diagnostic with its position on stderr)\n"
    "\n"
    "examples:\n"
    "  pushdown scan --db data/tpch-0.1 --table lineitem --stats \\\n"
    "    --where \"l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND\n"
    "             l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24\" \\\n"
    "    --aggregate 'count(*), sum(l_extendedprice * l_discount)'\n"
    "  pushdown scan --db /tmp/dbbench --where 'u64be(key, 0) % 100 < 2' --limit 10\n"
    "  pushdown scan --db=/tmp/dbbench --column_family=default --hex --from=0x00 \\\n"
    "    --to=0x0000000000001000 --where='u64be(key, 0) % 100 < 2'   # = ldb --hex scan\n";

namespace {

constexpr const char* kCmd = "scan";

// The cell kinds of a result's column types, for RowWriter::Begin.
std::vector<cli::CellKind> KindsOf(const std::vector<bpfgen::Type>& types) {
  std::vector<cli::CellKind> kinds;
  kinds.reserve(types.size());
  for (const bpfgen::Type& t : types) kinds.push_back(cli::CellKindOf(t));
  return kinds;
}

// Fills `cells` (reusing its strings) with the SQL text of `row`.
void ToCells(const std::vector<bpfgen::Type>& types, const std::vector<bpfgen::Datum>& row,
             std::vector<std::optional<std::string>>* cells) {
  cells->resize(row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    std::optional<std::string>& cell = (*cells)[i];
    if (row[i].is_null()) {
      cell.reset();
      continue;
    }
    if (!cell) cell.emplace();
    cell->clear();
    AppendValueText(types[i], row[i], &*cell);
  }
}

// The same for row `r` of a batch, decoding one cell at a time into `scratch`.
void ToCells(const std::vector<bpfgen::Type>& types, const RowBatch& batch, size_t r,
             bpfgen::Datum* scratch, std::vector<std::optional<std::string>>* cells) {
  cells->resize(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    std::optional<std::string>& cell = (*cells)[i];
    if (batch.IsNull(r, i)) {
      cell.reset();
      continue;
    }
    if (!cell) cell.emplace();
    cell->clear();
    batch.GetDatum(r, i, scratch);
    AppendValueText(types[i], *scratch, &*cell);
  }
}

}  // namespace

int RunScanCommand(const std::vector<std::string>& args) {
  std::vector<FlagSpec> specs = ScanFlagSpecs();
  for (const char* f : {"select", "aggregate", "limit", "format"}) specs.push_back({f});
  specs.push_back({"stats", false});
  specs.push_back({"no-header", false});
  auto parsed = ParseFlags(args, specs);
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  auto scan_flags = CheckScanFlags(flags);
  if (!scan_flags.ok()) return Fail(kCmd, kExitUsage, scan_flags.status().message());
  const ScanTarget& target = scan_flags->target;
  const bool aggregate = flags.Has("aggregate");
  if (aggregate && (flags.Has("select") || flags.Has("limit"))) {
    return Fail(kCmd, kExitUsage, "--aggregate cannot be combined with --select or --limit");
  }
  // --hex in raw mode prints ldb's "0xKEY : 0xVALUE" lines: both columns.
  const bool ldb_lines = scan_flags->hex && target.raw() && !aggregate;
  if (ldb_lines && flags.Has("select")) {
    return Fail(kCmd, kExitUsage,
                "--hex prints ldb's '0xKEY : 0xVALUE' lines; it cannot be combined with --select");
  }
  if (ldb_lines && (flags.Has("format") || flags.Has("no-header"))) {
    return Fail(kCmd, kExitUsage,
                "--hex prints ldb's '0xKEY : 0xVALUE' lines; it cannot be combined with --format "
                "or --no-header");
  }
  cli::OutputFormat format = cli::OutputFormat::kCsv;
  if (flags.Has("format")) {
    auto f = cli::ParseOutputFormat(flags.Get("format"));
    if (!f.ok()) return Fail(kCmd, kExitUsage, "--format: " + f.status().message());
    format = *f;
  }
  const bool header = !flags.Has("no-header");

  ScanOptions so;
  so.device = scan_flags->device;
  so.strict_device = scan_flags->strict_device;
  so.placement = scan_flags->placement;
  so.flush_memtable = false;  // read-only: never write
  if (flags.Has("limit")) {
    const std::string v = flags.Get("limit");
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || v[0] == '-') {
      return Fail(kCmd, kExitUsage, "--limit needs a non-negative integer, got '" + v + "'");
    }
    so.limit = n;
  }
  so.workers = scan_flags->workers;
  if (flags.Has("select")) {
    std::string sel = flags.Get("select");
    if (sel != "*") {
      for (std::string& c : SplitList(sel)) {
        if (c.empty()) return Fail(kCmd, kExitUsage, "--select: empty column name");
        so.columns.push_back(std::move(c));
      }
    }
  }

  auto db = OpenCliDb(flags.Get("db"), scan_flags->device);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  auto resolved = ResolveTarget(*db, target);
  if (!resolved.ok()) return Fail(kCmd, resolved.status());
  if (Status s = ApplyKeyRange(*db, resolved->cf, *scan_flags, &so); !s.ok()) {
    return FailRuntime(kCmd, s);
  }

  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  cli::FileOStream out(stdout);
  AttachedDB& pd = *db->pd;
  std::vector<std::optional<std::string>> cells;

  if (aggregate) {
    auto result =
        pd.Aggregate(resolved->cf, resolved->rows, flags.Get("where"), flags.Get("aggregate"), so);
    if (!result.ok()) return Fail(kCmd, result.status());
    if (int rc = CheckDeviceRan(kCmd, result->info, so.strict_device); rc >= 0) return rc;
    std::unique_ptr<cli::RowWriter> writer = cli::RowWriter::Make(format, out, header);
    writer->Begin(result->names, KindsOf(result->types));
    ToCells(result->types, result->values, &cells);
    writer->Row(cells);
    writer->End();
    if (out.fail()) return Fail(kCmd, kExitRuntimeError, out.error());
    if (flags.Has("stats")) {
      std::fprintf(stderr, "%s\n", StatsJson(result->info, result->stats, elapsed_ms()).c_str());
    }
    return kExitOk;
  }

  auto cursor = pd.Scan(resolved->cf, resolved->rows, flags.Get("where"), so);
  if (!cursor.ok()) return Fail(kCmd, cursor.status());
  ScanCursor& cur = **cursor;
  // The plan is fixed before the first row: a device mismatch is reported (or,
  // with --strict-device, fails) before anything is printed.
  if (int rc = CheckDeviceRan(kCmd, cur.info(), so.strict_device); rc >= 0) return rc;
  const auto& types = cur.column_types();
  std::unique_ptr<cli::RowWriter> writer;
  if (!ldb_lines) {
    writer = cli::RowWriter::Make(format, out, header);
    writer->Begin(cur.column_names(), KindsOf(types));
  }
  // Rows come through the batch cursor (no Datum vector per row; cells are
  // decoded one at a time as they are printed).
  Status status;
  std::string line;
  RowBatch batch;
  bpfgen::Datum scratch;
  while (!out.fail()) {
    status = cur.NextBatch(&batch);
    if (!status.ok() || batch.empty()) break;
    for (size_t r = 0; r < batch.size() && !out.fail(); ++r) {
      if (ldb_lines) {  // raw mode, both columns: 0 = key, 1 = value
        line = LdbScanLine(batch.GetString(r, 0), batch.GetString(r, 1));
        line += '\n';
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
        continue;
      }
      ToCells(types, batch, r, &scratch, &cells);
      writer->Row(cells);
    }
  }
  // A failed scan does not End(): the table format's buffered rows are dropped
  // (the error is the answer); the other formats have written theirs already.
  if (writer && status.ok()) writer->End();
  out.flush();
  const bool written = !out.fail();
  if (!status.ok()) return FailRuntime(kCmd, status);
  if (!written) return Fail(kCmd, kExitRuntimeError, out.error());
  if (flags.Has("stats")) {
    std::fprintf(stderr, "%s\n", StatsJson(cur.info(), cur.stats(), elapsed_ms()).c_str());
  }
  return kExitOk;
}

}  // namespace pushdown::engine
