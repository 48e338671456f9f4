// pushdown scan: rows of a table (or raw column family) matching a predicate,
// as CSV on stdout; or one row of aggregates. Opens the DB read-only.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"

namespace pushdown::engine {

const char kScanHelp[] =
    "usage: pushdown scan --db DIR [--table T | --cf NAME] --where EXPR\n"
    "                     [--select c1,c2|*] [--aggregate LIST] [--limit N]\n"
    "                     [--device auto|kernel|host|iterator] [--stats]\n"
    "\n"
    "Prints the rows matching a predicate (docs/LANGUAGE.md) as CSV on stdout: a header\n"
    "line, then one line per row in key order (RFC 4180 quoting; DATE as YYYY-MM-DD;\n"
    "DECIMAL with its scale; NULL as an empty field, an empty string as \"\").\n"
    "The DB is opened read-only: a scan writes nothing to it.\n"
    "\n"
    "  --db DIR         the database directory\n"
    "  --table T        scan table T (see `pushdown tables`)\n"
    "  --cf NAME        scan column family NAME in raw mode (columns key and value,\n"
    "                   BYTES, printed as lowercase hex). Default: --cf default\n"
    "  --where EXPR     the predicate, e.g. \"l_quantity < 24\" or \"u64be(key, 0) % 100 < 2\"\n"
    "  --select LIST    output columns, comma-separated, or * (default: all)\n"
    "  --aggregate LIST aggregates instead of rows, e.g. 'count(*), sum(l_extendedprice *\n"
    "                   l_discount)' (count, sum, min, max): one header line and one row\n"
    "  --limit N        at most N rows\n"
    "  --device NAME    where the predicate runs: auto (kernel if usable, else host),\n"
    "                   kernel (eBPF), host (native JIT), iterator (RocksDB iterator +\n"
    "                   host filter, no pushdown). Default: auto\n"
    "  --stats          print one JSON object as the last line of stderr with the keys\n"
    "                   path, device, fallback_reason, pushed, residual, files,\n"
    "                   blocks_read, blocks_skipped, bytes_read, bytes_to_host,\n"
    "                   rows_scanned, rows_matched, compile_ms, elapsed_ms\n"
    "\n"
    "exit status: 0 ok; 1 runtime error (no DB, I/O error, corruption); 2 bad usage, bad\n"
    "predicate, unknown table or column (diagnostic with its position on stderr)\n"
    "\n"
    "examples:\n"
    "  pushdown scan --db data/tpch-0.1 --table lineitem --stats \\\n"
    "    --where \"l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND\n"
    "             l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24\" \\\n"
    "    --aggregate 'count(*), sum(l_extendedprice * l_discount)'\n"
    "  pushdown scan --db /tmp/dbbench --where 'u64be(key, 0) % 100 < 2' --limit 10\n";

namespace {

constexpr const char* kCmd = "scan";

// Buffered stdout; remembers the first write error (EPIPE included: SIGPIPE
// is ignored by main()).
class Output {
 public:
  void Line(const std::string& s) {
    if (failed_) return;
    if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() || std::fputc('\n', stdout) == EOF) {
      failed_ = true;
      errno_ = errno;
    }
  }
  bool Finish() {
    if (!failed_ && std::fflush(stdout) != 0) {
      failed_ = true;
      errno_ = errno;
    }
    return !failed_;
  }
  bool failed() const { return failed_; }
  std::string error() const { return std::string("write to stdout: ") + std::strerror(errno_); }

 private:
  bool failed_ = false;
  int errno_ = 0;
};

}  // namespace

int RunScanCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, {{"db"},
                                  {"table"},
                                  {"cf"},
                                  {"where"},
                                  {"select"},
                                  {"aggregate"},
                                  {"device"},
                                  {"limit"},
                                  {"stats", false}});
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  auto scan_flags = CheckScanFlags(flags);
  if (!scan_flags.ok()) return Fail(kCmd, kExitUsage, scan_flags.status().message());
  const ScanTarget* target = &scan_flags->target;
  const std::string& device = scan_flags->device;
  const bool aggregate = flags.Has("aggregate");
  if (aggregate && (flags.Has("select") || flags.Has("limit"))) {
    return Fail(kCmd, kExitUsage, "--aggregate cannot be combined with --select or --limit");
  }

  ScanOptions so;
  so.device = exec::ParseDeviceRequest(device);  // validated by CheckDevice
  so.flush_memtable = false;                     // read-only: never write
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
  if (flags.Has("select")) {
    std::string sel = flags.Get("select");
    if (sel != "*") {
      for (std::string& c : SplitList(sel)) {
        if (c.empty()) return Fail(kCmd, kExitUsage, "--select: empty column name");
        so.columns.push_back(std::move(c));
      }
    }
  }

  auto db = OpenDbReadOnly(flags.Get("db"), device);
  if (!db.ok()) return FailRuntime(kCmd, db.status());

  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  Output out;

  if (aggregate) {
    auto result = (*db)->Aggregate(*target, flags.Get("where"), flags.Get("aggregate"), so);
    if (!result.ok()) return Fail(kCmd, result.status());
    std::string header, values;
    for (size_t i = 0; i < result->names.size(); ++i) {
      if (i) {
        header += ',';
        values += ',';
      }
      header += CsvName(result->names[i]);
      values += CsvField(result->types[i], result->values[i]);
    }
    out.Line(header);
    out.Line(values);
    if (!out.Finish()) return Fail(kCmd, kExitRuntimeError, out.error());
    if (flags.Has("stats")) {
      std::fprintf(stderr, "%s\n", StatsJson(result->info, result->stats, elapsed_ms()).c_str());
    }
    return kExitOk;
  }

  auto cursor = (*db)->Scan(*target, flags.Get("where"), so);
  if (!cursor.ok()) return Fail(kCmd, cursor.status());
  ScanCursor& cur = **cursor;
  const auto& names = cur.column_names();
  const auto& types = cur.column_types();
  std::string line;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) line += ',';
    line += CsvName(names[i]);
  }
  out.Line(line);
  Status status;
  while (!out.failed()) {
    status = cur.Next();
    if (!status.ok() || !cur.Valid()) break;
    const auto& row = cur.row();
    line.clear();
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += ',';
      line += CsvField(types[i], row[i]);
    }
    out.Line(line);
  }
  const bool written = out.Finish();
  if (!status.ok()) return FailRuntime(kCmd, status);
  if (!written) return Fail(kCmd, kExitRuntimeError, out.error());
  if (flags.Has("stats")) {
    std::fprintf(stderr, "%s\n", StatsJson(cur.info(), cur.stats(), elapsed_ms()).c_str());
  }
  return kExitOk;
}

}  // namespace pushdown::engine
