// pushdown pins: the kernel programs pinned in bpffs (verified once per
// system, pushdown/device/pin_store.h), and their removal.
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/pin_store.h"

namespace pushdown::engine {

const char kPinsHelp[] =
    "usage: pushdown [--pin-dir DIR] pins [--clear]\n"
    "\n"
    "Lists the kernel programs pinned in bpffs, most recently used first: one line per\n"
    "program directory (v<ABI>-<hash of the BPF object>) with its pinned instances\n"
    "(slots), how many a running process holds now (leased), the object size and the\n"
    "predicates (key links) that name it. A later process scanning with the same\n"
    "predicate reuses a free instance without compiling or verifying it.\n"
    "\n"
    "  --clear   remove every pinned program no process holds, and stale key links;\n"
    "            programs in use are kept (and listed)\n"
    "\n"
    "The pin directory is --pin-dir DIR (a flag of every command, before or after the\n"
    "command name), else $PUSHDOWN_PIN_DIR, else /sys/fs/bpf/rocksdb-pushdown (bpffs is\n"
    "mounted at /sys/fs/bpf when absent and the process is root). --no-pin or\n"
    "PUSHDOWN_PIN=off turns pinning off. Pins last until they are removed or the\n"
    "machine reboots; at most 32 programs (8 instances each) are kept, least recently\n"
    "used unheld ones evicted first.\n"
    "\n"
    "exit status: 0 ok (also when pinning is unavailable: the reason is printed);\n"
    "1 runtime error; 2 bad usage\n";

namespace {
constexpr const char* kCmd = "pins";

std::string TimeText(int64_t unix_seconds) {
  char buf[32];
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

int RunPinsCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, {{"clear", false}});
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  if (!parsed->positional.empty()) {
    return Fail(kCmd, kExitUsage, "unexpected argument '" + parsed->positional[0] + "'");
  }
  std::shared_ptr<exec::PinStore> pins = exec::DeviceRegistry::Default().kernel().pins();
  if (pins == nullptr) {
    std::printf("pinning unavailable: pinning disabled\n");
    return kExitOk;
  }
  std::printf("pin dir: %s\n", pins->options().dir.c_str());
  Status usable = pins->Available();
  if (!usable.ok()) {
    std::printf("pinning unavailable: %s\n", usable.message().c_str());
    return kExitOk;
  }
  if (parsed->Has("clear")) {
    std::vector<std::string> kept;
    Result<size_t> removed = pins->Clear(&kept);
    if (!removed.ok()) return FailRuntime(kCmd, removed.status());
    std::printf("removed %zu pinned programs\n", *removed);
    for (const std::string& k : kept) std::printf("kept (in use): %s\n", k.c_str());
    return kExitOk;
  }
  Result<std::vector<exec::PinListing>> listed = pins->List();
  if (!listed.ok()) return FailRuntime(kCmd, listed.status());
  for (const exec::PinListing& l : *listed) {
    std::printf("%s  slots %u (%u leased)  object %u bytes  %s  last used %s  keys %zu%s\n",
                l.name.c_str(), l.slots, l.leased, l.object_size,
                l.program_name.empty() ? "-" : l.program_name.c_str(),
                TimeText(l.last_used_unix).c_str(), l.keys.size(),
                l.valid ? "" : "  INVALID (replaced on next use)");
  }
  std::printf("%zu pinned programs\n", listed->size());
  return kExitOk;
}

}  // namespace pushdown::engine

namespace pushdown::engine {

Status TakeGlobalFlags(std::vector<std::string>* args) {
  std::optional<std::string> dir;
  bool no_pin = false;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& a = (*args)[i];
    if (a == "--no-pin") {
      no_pin = true;
    } else if (a == "--pin-dir") {
      if (i + 1 >= args->size()) return Status::InvalidArgument("--pin-dir needs a directory");
      dir = (*args)[++i];
    } else if (a.rfind("--pin-dir=", 0) == 0) {
      dir = a.substr(std::string_view("--pin-dir=").size());
    } else {
      rest.push_back(a);
    }
  }
  if (dir.has_value() && dir->empty())
    return Status::InvalidArgument("--pin-dir needs a directory");
  if (dir.has_value() || no_pin) {
    exec::PinOptions options = exec::PinOptions::FromEnvironment();
    if (dir.has_value()) {
      options.dir = *dir;
      options.enabled = true;
    }
    if (no_pin) options.enabled = false;
    exec::DeviceRegistry::Default().kernel().SetPinOptions(options);
  }
  *args = std::move(rest);
  return Status::OK();
}

}  // namespace pushdown::engine
