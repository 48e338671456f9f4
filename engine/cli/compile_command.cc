// pushdown compile: predicate text -> typed, normalised predicate -> device
// split (and, later, generated code / loading on a device).
//
// Structure: ParseCompileArgs -> LoadSchema -> CompilePredicate ->
// SplitPredicate -> one Emit* per EmitKind. New outputs (--emit ir|bpf-asm|
// bpf-obj FILE) are a new EmitKind, a case in ParseEmitKind and in the switch
// in RunCompileCommand; loading on the device goes where the TODO says.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/printer.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"
#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"
#include "pushdown/device/device_request.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/plan/planner.h"

namespace pushdown::engine {

const char kCompileHelp[] =
    "usage: pushdown compile --where EXPR [--schema DDL|@FILE|lineitem]\n"
    "                        [--emit plan | --emit ir|bpf-asm|bpf-obj FILE]\n"
    "                        [--device kernel|host]\n"
    "\n"
    "Compiles a predicate (docs/LANGUAGE.md) against a table schema and prints its plan:\n"
    "the schema, the typed normalised predicate (one line per conjunct) and the split into\n"
    "conjuncts the device evaluates and residual conjuncts the host evaluates, each with\n"
    "the reason it cannot be pushed.\n"
    "\n"
    "  --where EXPR     the predicate\n"
    "  --schema DDL     the table schema, e.g. 'id INT64 KEY, price DECIMAL(15,2) NOT NULL';\n"
    "                   @FILE reads it from FILE (a regular file, at most 1 MiB);\n"
    "                   'lineitem' is TPC-H lineitem.\n"
    "                   Without --schema: raw mode (columns key and value, BYTES).\n"
    "  --emit plan      what to print (default: plan)\n"
    "  --emit ir FILE   the optimised LLVM IR of the device program ('-' = stdout)\n"
    "  --emit bpf-asm FILE  its BPF assembly ('-' = stdout)\n"
    "  --emit bpf-obj FILE  its BPF ELF object (with BTF), loadable by libbpf/bpftool\n"
    "  --device NAME    split against this device's capabilities: kernel (default) or host;\n"
    "                   when given, also compile and load (verify) the program on that device\n"
    "                   and print the load statistics (instructions, xlated/jited size,\n"
    "                   codegen/load ms) or the fallback reason\n"
    "\n"
    "exit status: 0 ok, 1 runtime error, 2 bad usage, schema or predicate (diagnostic on stderr)\n"
    "\n"
    "example:\n"
    "  pushdown compile --schema lineitem --where \\\n"
    "    \"l_shipdate >= DATE '1994-01-01' AND l_discount BETWEEN 0.05 AND 0.07\"\n";

namespace {

enum class EmitKind {
  kPlan,
  kIr,      // takes an output FILE
  kBpfAsm,  // takes an output FILE
  kBpfObj,  // takes an output FILE
};

struct CompileArgs {
  std::string schema_spec;  // as given; empty = raw mode
  std::string where;
  EmitKind emit = EmitKind::kPlan;
  std::string emit_file;                                      // for emit kinds that write a file
  exec::DeviceRequest device = exec::DeviceRequest::kKernel;  // kKernel or kHost
  bool load = false;  // --device given: compile and load on the device
};

// A failure with its exit status.
struct Failure {
  int exit_status;
  std::string message;
};

Result<EmitKind> ParseEmitKind(const std::string& s) {
  if (s == "plan") return EmitKind::kPlan;
  if (s == "ir") return EmitKind::kIr;
  if (s == "bpf-asm") return EmitKind::kBpfAsm;
  if (s == "bpf-obj") return EmitKind::kBpfObj;
  return Status::InvalidArgument("unknown --emit '" + s +
                                 "' (expected: plan, ir, bpf-asm, bpf-obj)");
}

Result<CompileArgs> ParseCompileArgs(const std::vector<std::string>& args) {
  PD_ASSIGN_OR_RETURN(ParsedFlags flags,
                      ParseFlags(args, {{"where"}, {"schema"}, {"emit"}, {"device"}}));
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
  // --emit ir|bpf-asm|bpf-obj FILE: the output file is the one positional argument.
  const bool takes_file = out.emit != EmitKind::kPlan;
  if (flags.positional.size() > (takes_file ? 1u : 0u)) {
    return Status::InvalidArgument("unexpected argument '" + flags.positional.back() + "'");
  }
  if (takes_file) {
    if (flags.positional.empty()) {
      return Status::InvalidArgument("--emit " + flags.Get("emit") + " needs an output FILE");
    }
    out.emit_file = flags.positional[0];
    if (out.emit == EmitKind::kBpfObj && out.emit_file == "-") {
      return Status::InvalidArgument("--emit bpf-obj writes a binary file, not stdout");
    }
  }
  out.load = flags.Has("device");
  const std::string device = flags.Get("device", "kernel");
  const std::optional<exec::DeviceRequest> parsed = exec::ParseDeviceRequest(device);
  if (!parsed.has_value() ||
      (*parsed != exec::DeviceRequest::kKernel && *parsed != exec::DeviceRequest::kHost)) {
    return Status::InvalidArgument("unknown --device '" + device + "' (expected: kernel or host)");
  }
  out.device = *parsed;
  return out;
}

// The DDL text named by --schema: literal DDL, @FILE, or a built-in table.
Result<std::string> SchemaText(const std::string& spec) {
  if (spec == "lineitem") return std::string(bpfgen::kLineitemDdl);
  if (!spec.empty() && spec[0] == '@') return ReadSchemaFile(spec.substr(1));
  return spec;
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

// Writes `bytes` to `file` ('-' = stdout).
Status WriteOutput(const std::string& file, const std::string& bytes) {
  if (file == "-") {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return Status::OK();
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write '" + file + "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write '" + file + "'");
  return Status::OK();
}

// The device program text/bytes for --emit ir|bpf-asm|bpf-obj.
Result<std::string> EmitDeviceProgram(EmitKind kind, exec::DeviceRequest device,
                                      const bpfgen::Schema& schema,
                                      const std::vector<const bpfgen::Expr*>& conjuncts) {
  exec::Device* d = exec::DeviceRegistry::Default().Find(exec::DeviceRequestName(device));
  const bpfgen::CompileOptions options =
      d != nullptr ? d->caps().compile_options : bpfgen::CompileOptions{};
  switch (kind) {
    case EmitKind::kIr:
      return bpfgen::EmitIr(
          device == exec::DeviceRequest::kHost ? bpfgen::Target::kNative : bpfgen::Target::kBpf,
          schema, conjuncts, options);
    case EmitKind::kBpfAsm:
      return bpfgen::EmitBpfAssembly(schema, conjuncts, options);
    case EmitKind::kBpfObj: {
      PD_ASSIGN_OR_RETURN(bpfgen::BpfProgram program,
                          bpfgen::CompileBpf(schema, conjuncts, options));
      return std::move(program.object);
    }
    case EmitKind::kPlan:
      break;
  }
  return Status::Internal("not a device program emit kind");
}

// Compiles and loads the device conjuncts on `device` (falling back to the
// host with a reason) and describes the result.
Result<std::string> LoadText(exec::DeviceRequest device, const bpfgen::Schema& schema,
                             const std::vector<const bpfgen::Expr*>& conjuncts,
                             double frontend_ms) {
  PD_ASSIGN_OR_RETURN(std::unique_ptr<exec::DeviceProgram> program,
                      exec::CompileAndLoad(exec::DeviceRegistry::Default(),
                                           exec::DeviceRequestName(device), schema, conjuncts));
  const exec::LoadStats& stats = program->program->stats();
  std::ostringstream out;
  char buf[256];
  out << "load: " << program->device->caps().name << " (requested "
      << exec::DeviceRequestName(device) << ")\n";
  if (program->fallback.fell_back()) {
    out << "  fallback: " << exec::FallbackReasonName(program->fallback.reason) << ": "
        << program->fallback.detail << "\n";
  } else {
    out << "  fallback: none\n";
  }
  out << "  program id: " << stats.program_id << "\n";
  if (program->device->caps().program_kind == exec::ProgramKind::kBpfObject) {
    // Verified once per system (pushdown/device/pin_store.h).
    out << "  pin: " << exec::PinStateName(stats.pin);
    if (stats.pin == exec::PinState::kReused) {
      out << " (program and local memory from bpffs: not compiled, not verified)";
    } else if (stats.pin == exec::PinState::kCreated) {
      out << (program->from_pin ? " (object from bpffs, not compiled; verified and pinned now)"
                                : " (compiled, verified and pinned in bpffs for later processes)");
    } else if (!stats.pin_note.empty()) {
      out << " (" << stats.pin_note << ")";
    }
    out << "\n";
  }
  if (program->device->caps().program_kind == exec::ProgramKind::kBpfObject) {
    out << "  instructions: " << stats.xlated_size / 8 << " (verifier processed "
        << stats.verified_insns << ")\n";
    out << "  xlated: " << stats.xlated_size << " bytes, jited: " << stats.jited_size
        << " bytes, object: " << stats.object_size << " bytes\n";
  }
  const bpfgen::abi::ProgramLayout& layout = program->program->layout();
  out << "  local memory: " << layout.mem_size << " bytes (" << layout.max_blocks << " blocks, "
      << layout.block_capacity << " staged bytes per batch)\n";
  std::snprintf(buf, sizeof(buf),
                "  time: front end %.2f ms, codegen %.2f ms, load/verify %.2f ms, total %.2f ms\n",
                frontend_ms, program->codegen_ms, program->load_ms,
                frontend_ms + program->total_ms);
  out << buf;
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

  const auto frontend_start = std::chrono::steady_clock::now();
  Result<bpfgen::Predicate> predicate = bpfgen::CompilePredicate(args->where, schema);
  if (!predicate.ok()) {
    if (predicate.status().IsInvalidArgument()) {
      std::fprintf(stderr, "%s\n", predicate.status().message().c_str());
      return kExitUsage;
    }
    std::fprintf(stderr, "pushdown compile: %s\n", predicate.status().ToString().c_str());
    return kExitRuntimeError;
  }

  // The planner's split for the target device (offline: the device need not
  // be available here; --device loads it below).
  Result<bpfgen::TargetCaps> caps = plan::TargetSplitCaps(args->device);
  if (!caps.ok()) {
    std::fprintf(stderr, "pushdown compile: %s\n", caps.status().ToString().c_str());
    return kExitUsage;
  }
  bpfgen::SplitResult split = bpfgen::SplitPredicate(*predicate, schema, *caps);
  const std::string device_name(exec::DeviceRequestName(args->device));

  const double frontend_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - frontend_start)
          .count();

  switch (args->emit) {
    case EmitKind::kPlan:
      std::fputs(PlanText(schema, *predicate, split, device_name).c_str(), stdout);
      break;
    case EmitKind::kIr:
    case EmitKind::kBpfAsm:
    case EmitKind::kBpfObj: {
      Result<std::string> emitted =
          EmitDeviceProgram(args->emit, args->device, schema, split.device);
      Status written = emitted.ok() ? WriteOutput(args->emit_file, *emitted) : emitted.status();
      if (!written.ok()) {
        std::fprintf(stderr, "pushdown compile: %s\n", written.ToString().c_str());
        return kExitRuntimeError;
      }
      break;
    }
  }

  // --device: compile the device conjuncts and load (verify) them on the device.
  if (args->load) {
    Result<std::string> loaded = LoadText(args->device, schema, split.device, frontend_ms);
    if (!loaded.ok()) {
      std::fprintf(stderr, "pushdown compile: %s\n", loaded.status().ToString().c_str());
      return kExitRuntimeError;
    }
    std::fputs(loaded->c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace pushdown::engine
