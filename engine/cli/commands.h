// Subcommands of the `pushdown` CLI. Each takes its own arguments (after the
// subcommand name) and returns the process exit status:
//   0 ok; 1 runtime error; 2 bad usage, bad schema or bad predicate
// (the diagnostic is printed on stderr).
#pragma once

#include <string>
#include <vector>

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
int RunScanCommand(const std::vector<std::string>& args);
extern const char kScanHelp[];

// pushdown explain --db DIR [--table T|--cf NAME] --where EXPR [--device ...]
int RunExplainCommand(const std::vector<std::string>& args);
extern const char kExplainHelp[];

// pushdown tables --db DIR
int RunTablesCommand(const std::vector<std::string>& args);
extern const char kTablesHelp[];

}  // namespace pushdown::engine
