// pushdown create-table: creates a table (column family + catalog entry) in a
// DB, creating the DB if missing.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"
#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"

namespace pushdown::engine {

const char kCreateTableHelp[] =
    "usage: pushdown create-table --db DIR --table T --schema DDL|@FILE|lineitem\n"
    "\n"
    "Creates table T in the database DIR (the DB is created if missing).\n"
    "\n"
    "  --db DIR         the database directory\n"
    "  --table T        the table name\n"
    "  --schema S       the DDL, e.g. 'id INT64 KEY, price DECIMAL(15,2) NOT NULL, d DATE';\n"
    "                   @FILE reads it from FILE; 'lineitem' is TPC-H lineitem\n"
    "                   (docs/IMPORT.md, the schema language of `pushdown compile`)\n"
    "\n"
    "exit status: 0 ok; 1 runtime error; 2 bad usage, bad DDL or the table exists\n";

namespace {
constexpr const char* kCmd = "create-table";
}  // namespace

Result<std::string> SchemaDdlFromSpec(const std::string& spec) {
  if (spec == "lineitem") return std::string(bpfgen::kLineitemDdl);
  if (!spec.empty() && spec[0] == '@') {
    std::ifstream in(spec.substr(1));
    if (!in) return Status::InvalidArgument("cannot read schema file '" + spec.substr(1) + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  if (spec.empty()) return Status::InvalidArgument("--schema needs a DDL");
  return spec;
}

int RunCreateTableCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, {{"db"}, {"table"}, {"schema"}});
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  if (!flags.positional.empty()) {
    return Fail(kCmd, kExitUsage, "unexpected argument '" + flags.positional[0] + "'");
  }
  if (!flags.Has("db")) return Fail(kCmd, kExitUsage, "--db DIR is required");
  if (!flags.Has("table") || flags.Get("table").empty()) {
    return Fail(kCmd, kExitUsage, "--table T is required");
  }
  if (!flags.Has("schema")) return Fail(kCmd, kExitUsage, "--schema DDL is required");
  auto ddl = SchemaDdlFromSpec(flags.Get("schema"));
  if (!ddl.ok()) return Fail(kCmd, kExitUsage, ddl.status().message());
  // Check the DDL before creating a DB for it.
  auto schema = bpfgen::ParseSchema(*ddl);
  if (!schema.ok()) return Fail(kCmd, kExitUsage, "bad schema: " + schema.status().message());
  if (schema->raw) return Fail(kCmd, kExitUsage, "a table needs a schema, not RAW");

  const std::string dir = flags.Get("db");
  DbOptions options;
  options.create_if_missing = true;
  {
    // Like `mkdir -p`: RocksDB creates only the last component.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Fail(kCmd, kExitRuntimeError, "cannot create " + dir + ": " + ec.message());
  }
  auto db = PushdownDB::Open(dir, options);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  auto table = (*db)->CreateTable(flags.Get("table"), *ddl);
  if (!table.ok()) return Fail(kCmd, table.status());
  Status s = FlushAllColumnFamilies(db->get());
  if (!s.ok()) return FailRuntime(kCmd, s);
  std::printf("created table %s: %s\n", (*table)->name().c_str(),
              (*table)->schema().ToDdl().c_str());
  if (std::fflush(stdout) != 0) return Fail(kCmd, kExitRuntimeError, "write to stdout failed");
  return kExitOk;
}

Status FlushAllColumnFamilies(PushdownDB* db) {
  std::vector<std::string> names;
  rocksdb::Status rs = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db->path(), &names);
  if (!rs.ok()) return Status::IOError("list column families: " + rs.ToString());
  rocksdb::FlushOptions fo;
  fo.wait = true;
  for (const std::string& name : names) {
    auto handle = db->ColumnFamily(name);
    if (!handle.ok()) continue;
    rs = db->db()->Flush(fo, *handle);
    if (!rs.ok()) return Status::IOError("flush " + name + ": " + rs.ToString());
  }
  return Status::OK();
}

}  // namespace pushdown::engine
