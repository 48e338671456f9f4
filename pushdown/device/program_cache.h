// Compile + load with fallback, and a cache so that the same predicate is
// compiled and loaded (verified) once per device.
//
//   DeviceRegistry& devices = DeviceRegistry::Default();
//   ProgramCache cache(&devices);
//   auto lookup = cache.GetOrLoad(key, schema, device_conjuncts);
//   // lookup->program->device, ->program: Execute / BlockStager;
//   // ->fallback says where and why it did not run as requested;
//   // lookup->cached: this lookup did not compile.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/device.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/program_cache_options.h"
#include "util/status.h"

namespace pushdown::exec {

// A program compiled for, and loaded on, `device`. Execute it one thread at a
// time (see device.h); the cache shares it between callers.
struct DeviceProgram {
  std::string requested_device;  // "kernel", "host" or "auto"
  Device* device = nullptr;      // where it runs
  Fallback fallback;             // why `device` is not the requested one
  std::unique_ptr<LoadedProgram> program;
  std::optional<bpfgen::BpfProgram> bpf;                // set when device is kernel
  std::shared_ptr<const bpfgen::NativeProgram> native;  // set when device is host
  // The kernel object came from a pin key (pin_store.h): not compiled here.
  // Whether the instance itself was reused or verified: program->stats().pin.
  bool from_pin = false;
  double codegen_ms = 0;  // of the program that runs (a failed kernel attempt not included)
  double load_ms = 0;     // open + verify + load (kernel) / memory setup (host)
  double total_ms = 0;    // everything, including failed attempts
};

// Compiles `conjuncts` for `requested` ("kernel", "host" or "auto") and loads
// the program. Where the kernel device cannot take it -- no privilege, the
// generator cannot lower a conjunct, the verifier rejects it, it is too large
// -- compiles for and loads on the host instead, recording the reason.
// `options` defaults to the chosen device's caps().compile_options.
// Errors: InvalidArgument (unknown device), or the host's own failure.
// REQUIRES: conjuncts are type-checked against `schema` and outlive the call.
// `aggregates`: compiled in for aggregation on the device (compiler.h); a
// device that cannot lower one falls back like for a conjunct.
Result<std::unique_ptr<DeviceProgram>> CompileAndLoad(
    DeviceRegistry& registry, std::string_view requested, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts,
    const bpfgen::CompileOptions* options = nullptr,
    const std::vector<bpfgen::AggregateItem>& aggregates = {});

struct ProgramKey {
  std::string predicate;   // normalised text of the device conjuncts (bpfgen::ToString)
  std::string schema_ddl;  // Schema::ToDdl()
  std::string device;      // as requested: "kernel", "host" or "auto"
  // The device aggregates compiled in (e.g. "sum((l_extendedprice *
  // l_discount))"), "" = none: a program with aggregates is another program.
  std::string aggregates;

  friend bool operator<(const ProgramKey& a, const ProgramKey& b) {
    return std::tie(a.predicate, a.schema_ddl, a.device, a.aggregates) <
           std::tie(b.predicate, b.schema_ddl, b.device, b.aggregates);
  }
};

// The bytes a cached program is charged with: its local memory, its code (BPF
// object, translated and JIT-compiled images; for the host an estimate of the
// LLJIT instance: kNativeProgramBytes) and the instance itself.
inline constexpr size_t kNativeProgramBytes = size_t{1} << 20;
size_t ProgramFootprint(const DeviceProgram& program);

// What one lookup returned. `cached`: this lookup did not compile (the
// program was in the cache, or another caller compiled it while this one
// waited). Per lookup, so it is right under concurrent scans.
struct ProgramLookup {
  std::shared_ptr<DeviceProgram> program;
  bool cached = false;
};

// Thread-safe, bounded by ProgramCacheOptions (entries and bytes, LRU).
// Concurrent requests for one key compile once (the others wait). Failures
// are not cached.
//
// Pinning: the cache holds one reference to each program; a caller's
// shared_ptr (e.g. a scan's ProgramLease) pins the program: a program with a
// reference outside the cache is never chosen for eviction, and once evicted
// it is destroyed only when the last holder lets go.
class ProgramCache {
 public:
  explicit ProgramCache(DeviceRegistry* registry, const ProgramCacheOptions& options = {})
      : registry_(registry), options_(options) {}

  // `options` null: the device's caps().compile_options resized to a scan's
  // batch (ScanCompileOptions), so local memory is what a scan stages.
  // `aggregates` REQUIRES: described by key.aggregates.
  Result<ProgramLookup> GetOrLoad(const ProgramKey& key, const bpfgen::Schema& schema,
                                  const std::vector<const bpfgen::Expr*>& conjuncts,
                                  const bpfgen::CompileOptions* options = nullptr,
                                  const std::vector<bpfgen::AggregateItem>& aggregates = {});

  // A program for `key` is resident (a GetOrLoad now would not compile,
  // unless it is evicted first). Does not count as a hit or touch the LRU.
  bool Contains(const ProgramKey& key) const;

  const ProgramCacheOptions& options() const { return options_; }
  DeviceRegistry& registry() const { return *registry_; }
  uint64_t hits() const;
  uint64_t misses() const;     // compile + load attempts
  uint64_t evictions() const;  // programs dropped to stay within the limits
  size_t size() const;         // programs held
  size_t bytes() const;        // ProgramFootprint of the programs held
  void Clear();

 private:
  struct Slot {
    std::mutex mu;  // held while compiling
    std::shared_ptr<DeviceProgram> program;
    // Guarded by the cache's mu_:
    bool resident = false;  // counted in entries_/bytes_ and on lru_
    size_t bytes = 0;
    std::list<const ProgramKey*>::iterator lru;  // valid while resident
  };
  using SlotMap = std::map<ProgramKey, std::shared_ptr<Slot>>;

  // Makes room for `bytes` more and one entry more, evicting unpinned LRU
  // programs. False when that is impossible. REQUIRES: mu_ held.
  bool MakeRoomLocked(size_t bytes);
  void EvictLocked(SlotMap::iterator it);

  DeviceRegistry* registry_;
  const ProgramCacheOptions options_;
  mutable std::mutex mu_;
  SlotMap slots_;                                   // guarded by mu_ (resident and being compiled)
  std::list<const ProgramKey*> lru_;                // guarded by mu_; front = most recently used
  size_t bytes_ = 0;                                // guarded by mu_
  size_t entries_ = 0;                              // guarded by mu_
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;  // guarded by mu_
};

}  // namespace pushdown::exec
