// pushdown tables: the tables of a DB with their DDL (read-only open).
#include <cstdio>
#include <string>
#include <vector>

#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"

namespace pushdown::engine {

const char kTablesHelp[] =
    "usage: pushdown tables --db DIR\n"
    "\n"
    "Lists the tables of a database, one per line: the name, a tab, and its DDL\n"
    "(the schema language of `pushdown compile --schema`). Column families without a\n"
    "schema (e.g. a DB filled by db_bench) are listed as `NAME<TAB>RAW` and are scanned\n"
    "in raw mode with `pushdown scan --cf NAME`.\n"
    "\n"
    "exit status: 0 ok; 1 runtime error (no DB, I/O error); 2 bad usage\n";

namespace {
constexpr const char* kCmd = "tables";
}  // namespace

int RunTablesCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, {{"db"}});
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  if (!parsed->positional.empty()) {
    return Fail(kCmd, kExitUsage, "unexpected argument '" + parsed->positional[0] + "'");
  }
  if (!parsed->Has("db")) return Fail(kCmd, kExitUsage, "--db DIR is required");
  const std::string dir = parsed->Get("db");
  auto db = OpenCliDb(dir);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  const bool has_catalog = db->db->ColumnFamily(kCatalogColumnFamily).ok();
  std::vector<std::string> tables;
  if (has_catalog) {
    auto listed = db->pd->ListTables();
    if (!listed.ok()) return FailRuntime(kCmd, listed.status());
    tables = std::move(*listed);
  }
  for (const std::string& name : tables) {
    auto rows = db->pd->TableRows(name);
    if (!rows.ok()) return FailRuntime(kCmd, rows.status());
    auto schema = rows->Resolve();
    if (!schema.ok()) return FailRuntime(kCmd, schema.status());
    std::printf("%s\t%s\n", name.c_str(), (*schema)->ToDdl().c_str());
  }
  // Raw column families: every CF that is neither a table nor the catalog.
  for (const std::string& cf : db->db->column_family_names()) {
    bool is_table = false;
    for (const std::string& t : tables) is_table |= (t == cf);
    if (is_table || cf == kCatalogColumnFamily) continue;
    std::printf("%s\tRAW\n", cf.c_str());
  }
  if (std::fflush(stdout) != 0) return Fail(kCmd, kExitRuntimeError, "write to stdout failed");
  return kExitOk;
}

}  // namespace pushdown::engine
