// pushdown explain: the plan of a scan without running it (secondary-instance
// open, as pushdown scan).
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"
#include "pushdown/device/fallback.h"

namespace pushdown::engine {

const char kExplainHelp[] =
    "usage: pushdown explain --db DIR [--table T | --column_family NAME] --where EXPR\n"
    "                        [--from KEY] [--to KEY] [--hex]\n"
    "                        [--device auto|kernel|host|iterator] [--strict-device]\n"
    "                        [--workers N] [--placement auto|pushdown|iterator]\n"
    "\n"
    "Shows how a scan would run, without running it: the typed predicate, the path\n"
    "(pushdown or iterator) and device with the reason for any fallback, the conjuncts\n"
    "evaluated on the device and the residual ones evaluated on the host (each with\n"
    "why it cannot be pushed), the SST files per LSM level, and the capabilities of\n"
    "the kernel and host devices. Compiles and loads the program (verifier included);\n"
    "writes nothing to the DB (opened as `pushdown scan` opens it: a secondary\n"
    "instance with the DB's own OPTIONS). It is the plan `pushdown scan` with the same\n"
    "flags runs.\n"
    "\n"
    "  --db DIR       the database directory\n"
    "  --table T      a table; --column_family NAME (alias --cf) a raw column family\n"
    "                 (default: --column_family default)\n"
    "  --where EXPR   the predicate\n"
    "  --from, --to, --hex  the key range, as `pushdown scan`\n"
    "  --device NAME  auto (default), kernel, host or iterator\n"
    "  --strict-device  exit 1 if the plan does not run on the requested device\n"
    "  --placement P  pushdown (default), auto or iterator, as `pushdown scan` (the\n"
    "                 plan's `placement:` line says what was estimated and chosen)\n"
    "  --workers N    worker threads, as `pushdown scan` (the plan's `workers:` line\n"
    "                 says how many it splits into, and why fewer where it does)\n"
    "\n"
    "exit status: 0 ok; 1 runtime error; 2 bad usage, predicate, table or column\n";

namespace {

constexpr const char* kCmd = "explain";

void PrintCaps(const exec::Device& device) {
  const exec::DeviceCaps& c = device.caps();
  Status available = device.Available();
  std::printf("  %-7s %s\n", c.name.c_str(),
              available.ok() ? "available" : ("unavailable: " + available.message()).c_str());
  std::printf("          program kind %s, max instructions %s, local memory %llu bytes,\n",
              c.program_kind == exec::ProgramKind::kNative ? "native" : "bpf",
              c.max_instructions == 0 ? "unlimited" : std::to_string(c.max_instructions).c_str(),
              static_cast<unsigned long long>(c.local_memory_size));
  std::printf("          batch <= %u blocks, floating point %s, string ops <= %u bytes\n",
              c.max_batch_blocks, c.floating_point ? "yes" : "no", c.max_string_op_size);
}

}  // namespace

int RunExplainCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, ScanFlagSpecs());
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  auto scan_flags = CheckScanFlags(flags);
  if (!scan_flags.ok()) return Fail(kCmd, kExitUsage, scan_flags.status().message());

  auto db = OpenCliDb(flags.Get("db"), scan_flags->device);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  auto resolved = ResolveTarget(*db, scan_flags->target);
  if (!resolved.ok()) return Fail(kCmd, resolved.status());
  ScanOptions so;
  so.device = scan_flags->device;
  so.strict_device = scan_flags->strict_device;
  so.placement = scan_flags->placement;
  so.flush_memtable = false;
  so.workers = scan_flags->workers;
  if (Status s = ApplyKeyRange(*db, resolved->cf, *scan_flags, &so); !s.ok()) {
    return FailRuntime(kCmd, s);
  }
  auto plan = db->pd->Explain(resolved->cf, resolved->rows, flags.Get("where"), so);
  if (!plan.ok()) return Fail(kCmd, plan.status());
  if (int rc = CheckDeviceRan(kCmd, plan->info, so.strict_device); rc >= 0) return rc;
  std::fwrite(plan->text.data(), 1, plan->text.size(), stdout);

  rocksdb::ColumnFamilyMetaData meta;
  db->db->db()->GetColumnFamilyMetaData(resolved->cf, &meta);
  std::printf("levels:%s\n", meta.file_count == 0 ? "    (no SST files)" : "");
  for (const auto& level : meta.levels) {
    if (level.files.empty()) continue;
    std::printf("  L%d: %zu files, %llu bytes\n", level.level, level.files.size(),
                static_cast<unsigned long long>(level.size));
  }
  std::printf("devices:\n");
  exec::DeviceRegistry& registry = exec::DeviceRegistry::Default();
  PrintCaps(registry.kernel());
  PrintCaps(registry.host());
  if (std::fflush(stdout) != 0) return Fail(kCmd, kExitRuntimeError, "write to stdout failed");
  return kExitOk;
}

}  // namespace pushdown::engine
