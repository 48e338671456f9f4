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

}  // namespace pushdown::engine
