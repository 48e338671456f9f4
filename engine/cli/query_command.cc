// pushdown query: one single-table SQL SELECT (docs/SQL.md) over a table or a
// raw column family, printed as csv, tsv, json or table (output_format.h).
// Opens the DB as `scan` does (a secondary instance, nothing written) and
// runs AttachedDB::Query.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "engine/api/query.h"
#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"
#include "engine/cli/output_format.h"
#include "engine/cli/stdout_stream.h"

namespace pushdown::engine {

const char kQueryHelp[] =
    "usage: pushdown query --db DIR [--format csv|tsv|json|table] [--no-header]\n"
    "                      [--device auto|kernel|host|iterator] [--strict-device] [--stats]\n"
    "                      [--column_family NAME] \"SELECT ...\"\n"
    "\n"
    "Runs one single-table SQL SELECT (docs/SQL.md):\n"
    "  SELECT [DISTINCT] item, ... FROM table | raw.<column family> | raw\n"
    "    [WHERE predicate] [GROUP BY expr, ...] [HAVING predicate]\n"
    "    [ORDER BY expr|alias|position [ASC|DESC] [NULLS FIRST|LAST], ...]\n"
    "    [LIMIT n [OFFSET m]]\n"
    "An item is a column, an expression of the predicate language (docs/LANGUAGE.md)\n"
    "or an aggregate -- count(*), count(e), count(DISTINCT e), sum(e), avg(e), min(e),\n"
    "max(e) -- with an optional AS alias. WHERE is the predicate language: it runs where\n"
    "`scan --where` runs (pushed to the device, residual on the host). Aggregates\n"
    "without GROUP BY run on the device for the blocks where that is exact (--stats:\n"
    "\"aggregation\"); GROUP BY, ORDER BY and LIMIT run on the host; GROUP BY holds at\n"
    "most 1,000,000 groups.\n"
    "sum of DECIMAL(p,s) is DECIMAL(18,s); avg of DECIMAL(p,s) is DECIMAL(18,s+6),\n"
    "rounded half away from zero; avg of integers is DOUBLE. NULLs sort first\n"
    "ascending. Joins, subqueries, set operations and window functions are errors\n"
    "with their position (exit 2).\n"
    "\n"
    "  --db DIR         the database directory (opened read-only, as `scan` does)\n"
    "  --format F       csv (default; RFC 4180), tsv, json (one object per line) or\n"
    "                   table (aligned, for a terminal)\n"
    "  --no-header      no header line (csv, tsv, table)\n"
    "  --device NAME    where WHERE runs: auto, kernel, host or iterator (see `scan`)\n"
    "  --strict-device  the requested device or nothing (exit 1)\n"
    "  --stats          the scan's statistics, as `scan --stats`: one JSON object as\n"
    "                   the last line of stderr\n"
    "  --column_family NAME (alias --cf NAME)\n"
    "                   the column family a bare `FROM raw` reads (default: default)\n"
    "\n"
    "exit status: 0 ok; 1 runtime error (no DB, I/O error, --strict-device not\n"
    "satisfied, a limit or an overflow); 2 bad usage, bad or unsupported SQL, unknown\n"
    "table, column family or column (diagnostic with line:column and a caret)\n"
    "\n"
    "examples (TPC-H Q6, Q1):\n"
    "  pushdown query --db data/tpch-0.1 \"SELECT sum(l_extendedprice * l_discount) AS\n"
    "    revenue FROM lineitem WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate <\n"
    "    DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24\"\n"
    "  pushdown query --db data/tpch-0.1 --format table \"SELECT l_returnflag,\n"
    "    l_linestatus, sum(l_quantity) AS sum_qty, avg(l_discount) AS avg_disc, count(*)\n"
    "    AS count_order FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'\n"
    "    GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus\"\n"
    "  pushdown query --db /tmp/dbbench \"SELECT count(*) FROM raw.default\n"
    "    WHERE u64be(key, 0) % 100 < 2\"\n";

namespace {

constexpr const char* kCmd = "query";

// A value as SQL text (nullopt = NULL): FormatValue's canonical text, except
// DOUBLE, printed as the shortest text that reads back to the same double.
std::optional<std::string> CellText(const bpfgen::Type& type, const bpfgen::Datum& d) {
  if (d.null) return std::nullopt;
  if (type.id == bpfgen::TypeId::kDouble && std::isfinite(d.d)) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), d.d);
    if (r.ec == std::errc()) return std::string(buf, r.ptr);
  }
  return bpfgen::FormatValue(type, d);
}

}  // namespace

int RunQueryCommand(const std::vector<std::string>& args) {
  std::vector<FlagSpec> specs = {{"db"},
                                 {"format"},
                                 {"no-header", false},
                                 {"device"},
                                 {"strict-device", false},
                                 {"stats", false},
                                 {"column_family", true, {"cf"}}};
  auto parsed = ParseFlags(args, specs);
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  if (!flags.Has("db")) return Fail(kCmd, kExitUsage, "--db is required");
  if (flags.positional.size() != 1) {
    return Fail(kCmd, kExitUsage,
                flags.positional.empty()
                    ? "expected the SQL statement as the one argument"
                    : "expected one SQL statement argument, got " +
                          std::to_string(flags.positional.size()) + " (quote the statement)");
  }
  auto format = cli::ParseOutputFormat(flags.Get("format", "csv"));
  if (!format.ok()) return Fail(kCmd, kExitUsage, format.status().message());
  auto device = DeviceFromFlags(flags);
  if (!device.ok()) return Fail(kCmd, kExitUsage, device.status().message());

  QueryOptions qo;
  qo.scan.device = *device;
  qo.scan.strict_device = flags.Has("strict-device");
  qo.scan.flush_memtable = false;  // read-only: never write
  qo.default_column_family = flags.Get("column_family", "default");

  auto db = OpenCliDb(flags.Get("db"), *device);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (const std::string& name : db->db->column_family_names()) {
    if (name == kCatalogColumnFamily) continue;  // the catalog is not data
    auto h = db->db->ColumnFamily(name);
    if (h.ok()) families.push_back(*h);
  }

  const auto start = std::chrono::steady_clock::now();
  auto cursor = db->pd->Query(flags.positional[0], qo, families);
  if (!cursor.ok()) return Fail(kCmd, cursor.status());
  QueryCursor& cur = **cursor;
  // The plan is fixed before the first row: a device mismatch is reported (or,
  // with --strict-device, fails) before anything is printed.
  if (int rc = CheckDeviceRan(kCmd, cur.info(), qo.scan.strict_device); rc >= 0) return rc;

  cli::FileOStream out(stdout);
  std::unique_ptr<cli::RowWriter> writer =
      cli::RowWriter::Make(*format, out, !flags.Has("no-header"));
  std::vector<cli::CellKind> kinds;
  for (const bpfgen::Type& t : cur.column_types()) kinds.push_back(cli::CellKindOf(t));
  writer->Begin(cur.column_names(), kinds);
  Status status;
  std::vector<std::optional<std::string>> cells;
  const auto& types = cur.column_types();
  while (!out.fail()) {
    status = cur.Next();
    if (!status.ok() || !cur.Valid()) break;
    const auto& row = cur.row();
    cells.clear();
    for (size_t i = 0; i < row.size(); ++i) cells.push_back(CellText(types[i], row[i]));
    writer->Row(cells);
  }
  if (status.ok()) writer->End();
  out.flush();
  if (!status.ok()) return Fail(kCmd, status);
  if (out.fail()) return Fail(kCmd, kExitRuntimeError, out.error());
  if (flags.Has("stats")) {
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s\n", StatsJson(cur.info(), cur.stats(), elapsed_ms).c_str());
  }
  return kExitOk;
}

}  // namespace pushdown::engine
