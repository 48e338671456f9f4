// The `pushdown` command-line tool: subcommand dispatch.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "engine/cli/commands.h"
#include "util/source_diagnostic.h"

namespace pushdown::engine {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
  const char* help;
};

constexpr Command kCommands[] = {
    {"compile", "compile a predicate and show its plan (device/residual split)", RunCompileCommand,
     kCompileHelp},
    {"load-tpch", "create table lineitem and load TPC-H rows at a scale factor", RunLoadTpchCommand,
     kLoadTpchHelp},
    {"scan", "rows (CSV) or aggregates matching a predicate, with scan statistics", RunScanCommand,
     kScanHelp},
    {"query", "one single-table SQL SELECT (GROUP BY, ORDER BY, LIMIT; csv/tsv/json/table)",
     RunQueryCommand, kQueryHelp},
    {"explain", "how a scan would run: device/residual split, files, device capabilities",
     RunExplainCommand, kExplainHelp},
    {"tables", "the tables of a database with their DDL", RunTablesCommand, kTablesHelp},
    {"create-table", "create a table with a schema (DDL)", RunCreateTableCommand, kCreateTableHelp},
    {"import", "load csv / tsv / tbl (dbgen) files into a table (atomic SST ingestion)",
     RunImportCommand, kImportHelp},
    {"pins", "list or clear the kernel programs pinned in bpffs (verified once per system)",
     RunPinsCommand, kPinsHelp},
};

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: pushdown <command> [flags]\n"
               "       pushdown <command> --help\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nglobal flags (any command): --pin-dir DIR  pin verified kernel programs there\n"
               "  (default $PUSHDOWN_PIN_DIR or /sys/fs/bpf/rocksdb-pushdown); --no-pin  do not\n"
               "  pin (also PUSHDOWN_PIN=off). See pushdown pins --help.\n");
  std::fprintf(out, "\nexit status: 0 ok, 1 runtime error, 2 bad usage or bad input\n");
}

int Main(int argc, char** argv) {
  // A closed pipe (`pushdown scan ... | head`) is a write error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::vector<std::string> all(argv + 1, argv + argc);
  if (Status s = TakeGlobalFlags(&all); !s.ok()) {
    std::fprintf(stderr, "pushdown: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (all.empty()) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::string name = all[0];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return kExitOk;
  }
  std::vector<std::string> args(all.begin() + 1, all.end());
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    for (const std::string& a : args) {
      if (a == "--help" || a == "-h") {
        std::fputs(c.help, stdout);
        return kExitOk;
      }
    }
    return c.run(args);
  }
  std::fprintf(stderr, "pushdown: unknown command '%s'\n\n", EscapeText(name).c_str());
  PrintUsage(stderr);
  return kExitUsage;
}

}  // namespace
}  // namespace pushdown::engine

int main(int argc, char** argv) {
  try {
    return pushdown::engine::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pushdown: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "pushdown: internal error\n");
  }
  return pushdown::engine::kExitRuntimeError;
}
