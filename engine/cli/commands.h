// Subcommands of the `pushdown` CLI. Each takes its own arguments (after the
// subcommand name) and returns the process exit status:
//   0 ok; 1 runtime error; 2 bad usage, bad schema or bad predicate
// (the diagnostic is printed on stderr).
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace pushdown::engine {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;

// pushdown compile --where EXPR [--schema DDL|@FILE|lineitem] [--emit plan]
//                  [--device kernel|host]
int RunCompileCommand(const std::vector<std::string>& args);
extern const char kCompileHelp[];

// pushdown load-tpch --db DIR --scale SF [--compression C] [--seed N]
int RunLoadTpchCommand(const std::vector<std::string>& args);
extern const char kLoadTpchHelp[];

// pushdown scan --db DIR [--table T|--cf NAME] --where EXPR [--select ...]
//               [--aggregate ...] [--device ...] [--limit N] [--stats]
//               [--format csv|tsv|json|table] [--no-header]
int RunScanCommand(const std::vector<std::string>& args);
extern const char kScanHelp[];

// pushdown query --db DIR [--format csv|tsv|json|table] [--no-header]
//                [--device ...] [--strict-device] [--stats] "SELECT ..."
int RunQueryCommand(const std::vector<std::string>& args);
extern const char kQueryHelp[];

// pushdown explain --db DIR [--table T|--cf NAME] --where EXPR [--device ...]
int RunExplainCommand(const std::vector<std::string>& args);
extern const char kExplainHelp[];

// pushdown tables --db DIR
int RunTablesCommand(const std::vector<std::string>& args);
extern const char kTablesHelp[];

// pushdown create-table --db DIR --table T --schema DDL|@FILE|lineitem
int RunCreateTableCommand(const std::vector<std::string>& args);
extern const char kCreateTableHelp[];

// pushdown import --db DIR --table T [--schema ...] --format csv|tsv|tbl
//                 [--delimiter C] [--header] [--mode ingest|put] FILE...
int RunImportCommand(const std::vector<std::string>& args);
extern const char kImportHelp[];

// pushdown [--pin-dir DIR] pins [--clear]
int RunPinsCommand(const std::vector<std::string>& args);
extern const char kPinsHelp[];

// Global flags of every command, taken out of `args` before the command sees
// them (pushdown/device/pin_store.h): --pin-dir DIR (pin kernel programs
// there; turns pinning on even if PUSHDOWN_PIN=off) and --no-pin. Applied to
// the default device registry's kernel device. InvalidArgument for
// --pin-dir without a value.
Status TakeGlobalFlags(std::vector<std::string>* args);

// The DDL named by --schema: literal DDL, @FILE, or "lineitem" (TPC-H).
// InvalidArgument for an unreadable file or an empty spec.
Result<std::string> SchemaDdlFromSpec(const std::string& spec);

class PushdownDB;
// Flushes every column family of `db` (then no WAL holds live data, and a
// read-only open, as `pushdown scan` does, has nothing to replay).
Status FlushAllColumnFamilies(PushdownDB* db);

}  // namespace pushdown::engine
