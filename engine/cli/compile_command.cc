// pushdown compile: predicate text -> typed, normalised predicate -> device
// split (and, later, generated code / loading on a device).
//
// Structure: ParseCompileArgs -> LoadSchema -> CompilePredicate ->
// SplitPredicate -> one Emit* per EmitKind. New outputs (--emit ir|bpf-asm|
// bpf-obj FILE) are a new EmitKind, a case in ParseEmitKind and in the switch
// in RunCompileCommand; loading on the device goes where the TODO says.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/printer.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"
#include "engine/cli/args.h"
#include "engine/cli/commands.h"

namespace pushdown::engine {

const char kCompileHelp[] =
    "usage: pushdown compile --where EXPR [--schema DDL|@FILE|lineitem] [--emit plan]\n"
    "                        [--device kernel|host]\n"
    "\n"
    "Compiles a predicate (docs/LANGUAGE.md) against a table schema and prints its plan:\n"
    "the schema, the typed normalised predicate (one line per conjunct) and the split into\n"
    "conjuncts the device evaluates and residual conjuncts the host evaluates, each with\n"
    "the reason it cannot be pushed.\n"
    "\n"
    "  --where EXPR     the predicate\n"
    "  --schema DDL     the table schema, e.g. 'id INT64 KEY, price DECIMAL(15,2) NOT NULL';\n"
    "                   @FILE reads it from FILE; 'lineitem' is TPC-H lineitem.\n"
    "                   Without --schema: raw mode (columns key and value, BYTES).\n"
    "  --emit plan      what to print (default: plan)\n"
    "  --device NAME    split against this device's capabilities: kernel (default) or host\n"
    "\n"
    "exit status: 0 ok, 1 runtime error, 2 bad usage, schema or predicate (diagnostic on stderr)\n"
    "\n"
    "example:\n"
    "  pushdown compile --schema lineitem --where \\\n"
    "    \"l_shipdate >= DATE '1994-01-01' AND l_discount BETWEEN 0.05 AND 0.07\"\n";

namespace {

enum class EmitKind {
  kPlan,
  // TODO(devices): kIr, kBpfAsm, kBpfObj (these take an output FILE).
};

struct CompileArgs {
  std::string schema_spec;  // as given; empty = raw mode
  std::string where;
  EmitKind emit = EmitKind::kPlan;
  std::string emit_file;  // for emit kinds that write a file
  std::string device = "kernel";
};

// A failure with its exit status.
struct Failure {
  int exit_status;
  std::string message;
};

Result<EmitKind> ParseEmitKind(const std::string& s) {
  if (s == "plan") return EmitKind::kPlan;
  return Status::InvalidArgument("unknown --emit '" + s + "' (expected: plan)");
}

Result<CompileArgs> ParseCompileArgs(const std::vector<std::string>& args) {
  PD_ASSIGN_OR_RETURN(ParsedFlags flags,
                      ParseFlags(args, {{"where"}, {"schema"}, {"emit"}, {"device"}}));
  if (!flags.positional.empty()) {
    return Status::InvalidArgument("unexpected argument '" + flags.positional[0] + "'");
  }
  CompileArgs out;
  if (!flags.Has("where")) return Status::InvalidArgument("missing --where EXPR");
  out.where = flags.Get("where");
  out.schema_spec = flags.Get("schema");
  if (flags.Has("schema") && out.schema_spec.empty()) {
    return Status::InvalidArgument("--schema needs a DDL (omit it for raw mode)");
  }
  if (flags.Has("emit")) {
    PD_ASSIGN_OR_RETURN(out.emit, ParseEmitKind(flags.Get("emit")));
  }
  out.device = flags.Get("device", "kernel");
  if (out.device != "kernel" && out.device != "host") {
    return Status::InvalidArgument("unknown --device '" + out.device +
                                   "' (expected: kernel or host)");
  }
  return out;
}

// The DDL text named by --schema: literal DDL, @FILE, or a built-in table.
Result<std::string> SchemaText(const std::string& spec) {
  if (spec == "lineitem") return std::string(bpfgen::kLineitemDdl);
  if (!spec.empty() && spec[0] == '@') {
    std::ifstream in(spec.substr(1));
    if (!in) return Status::InvalidArgument("cannot read schema file '" + spec.substr(1) + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  return spec;
}

bpfgen::TargetCaps CapsFor(const std::string& device) {
  return device == "host" ? bpfgen::TargetCaps::Host() : bpfgen::TargetCaps::Kernel();
}

std::string PlanText(const bpfgen::Schema& schema, const bpfgen::Predicate& predicate,
                     const bpfgen::SplitResult& split, const std::string& device) {
  std::ostringstream out;
  out << "schema: " << (schema.raw ? "raw (key BYTES, value BYTES)" : schema.ToDdl()) << "\n";
  out << "predicate: " << bpfgen::ToString(predicate, schema) << "\n";
  out << "conjuncts: " << predicate.conjuncts.size() << "\n";
  for (size_t i = 0; i < predicate.conjuncts.size(); ++i) {
    const bpfgen::Expr& c = *predicate.conjuncts[i];
    out << "  [" << i << "] " << c.type.ToString() << "  " << bpfgen::ToString(c, schema) << "\n";
    out << "      typed: " << bpfgen::ToTypedString(c, schema) << "\n";
  }
  auto index_of = [&](const bpfgen::Expr* e) {
    for (size_t i = 0; i < predicate.conjuncts.size(); ++i) {
      if (predicate.conjuncts[i].get() == e) return i;
    }
    return predicate.conjuncts.size();
  };
  out << "device: " << device << "\n";
  out << "pushdown: " << bpfgen::PushdownKindName(split.kind) << " (" << split.device.size()
      << " of " << predicate.conjuncts.size() << " conjuncts on the device)\n";
  for (const bpfgen::Expr* e : split.device) {
    out << "  device   [" << index_of(e) << "] " << bpfgen::ToString(*e, schema) << "\n";
  }
  for (const auto& r : split.residual) {
    out << "  residual [" << index_of(r.conjunct) << "] " << bpfgen::ToString(*r.conjunct, schema)
        << "\n";
    out << "           reason: " << r.reason << "\n";
  }
  return out.str();
}

}  // namespace

int RunCompileCommand(const std::vector<std::string>& argv) {
  Result<CompileArgs> args = ParseCompileArgs(argv);
  if (!args.ok()) {
    std::fprintf(stderr, "pushdown compile: %s\n(see pushdown compile --help)\n",
                 args.status().message().c_str());
    return kExitUsage;
  }

  bpfgen::Schema schema = bpfgen::Schema::Raw();
  if (!args->schema_spec.empty()) {
    Result<std::string> ddl = SchemaText(args->schema_spec);
    if (!ddl.ok()) {
      std::fprintf(stderr, "pushdown compile: %s\n", ddl.status().message().c_str());
      return kExitUsage;
    }
    Result<bpfgen::Schema> parsed = bpfgen::ParseSchema(*ddl);
    if (!parsed.ok()) {
      std::fprintf(stderr, "pushdown compile: bad --schema: %s\n",
                   parsed.status().message().c_str());
      return kExitUsage;
    }
    schema = std::move(parsed).value();
  }

  Result<bpfgen::Predicate> predicate = bpfgen::CompilePredicate(args->where, schema);
  if (!predicate.ok()) {
    if (predicate.status().IsInvalidArgument()) {
      std::fprintf(stderr, "%s\n", predicate.status().message().c_str());
      return kExitUsage;
    }
    std::fprintf(stderr, "pushdown compile: %s\n", predicate.status().ToString().c_str());
    return kExitRuntimeError;
  }

  bpfgen::SplitResult split = bpfgen::SplitPredicate(*predicate, schema, CapsFor(args->device));

  // TODO(devices): with --device, compile the device conjuncts (bpfgen/codegen)
  // and load/verify the program on that device (pushdown/device), reporting a
  // fallback reason if it cannot; exit 1 on runtime errors.

  switch (args->emit) {
    case EmitKind::kPlan:
      std::fputs(PlanText(schema, *predicate, split, args->device).c_str(), stdout);
      break;
  }
  return kExitOk;
}

}  // namespace pushdown::engine
