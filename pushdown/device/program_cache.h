// Compile + load with fallback, and a cache so that the same predicate is
// compiled and loaded (verified) once per device.
//
//   DeviceRegistry& devices = DeviceRegistry::Default();
//   ProgramCache cache(&devices);
//   auto program = cache.GetOrLoad(key, schema, device_conjuncts);
//   // program->device, program->program: Execute / BlockStager;
//   // program->fallback says where and why it did not run as requested.
#pragma once

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
Result<std::unique_ptr<DeviceProgram>> CompileAndLoad(
    DeviceRegistry& registry, std::string_view requested, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts,
    const bpfgen::CompileOptions* options = nullptr);

struct ProgramKey {
  std::string predicate;   // normalised text of the device conjuncts (bpfgen::ToString)
  std::string schema_ddl;  // Schema::ToDdl()
  std::string device;      // as requested: "kernel", "host" or "auto"

  friend bool operator<(const ProgramKey& a, const ProgramKey& b) {
    return std::tie(a.predicate, a.schema_ddl, a.device) <
           std::tie(b.predicate, b.schema_ddl, b.device);
  }
};

// Thread-safe. Concurrent requests for one key compile once (the others wait).
// Failures are not cached.
class ProgramCache {
 public:
  explicit ProgramCache(DeviceRegistry* registry) : registry_(registry) {}

  Result<std::shared_ptr<DeviceProgram>> GetOrLoad(
      const ProgramKey& key, const bpfgen::Schema& schema,
      const std::vector<const bpfgen::Expr*>& conjuncts,
      const bpfgen::CompileOptions* options = nullptr);

  // GetOrLoad, and whether THIS lookup found the program already loaded
  // (exact under concurrent lookups, unlike comparing hits()/misses()).
  struct Lookup {
    std::shared_ptr<DeviceProgram> program;
    bool cached = false;
  };
  Result<Lookup> Find(const ProgramKey& key, const bpfgen::Schema& schema,
                      const std::vector<const bpfgen::Expr*>& conjuncts,
                      const bpfgen::CompileOptions* options = nullptr);

  DeviceRegistry& registry() const { return *registry_; }
  uint64_t hits() const;
  uint64_t misses() const;  // compile + load attempts
  size_t size() const;
  void Clear();

 private:
  struct Slot {
    std::mutex mu;  // held while compiling
    std::shared_ptr<DeviceProgram> program;
  };

  DeviceRegistry* registry_;
  mutable std::mutex mu_;
  std::map<ProgramKey, std::shared_ptr<Slot>> slots_;  // guarded by mu_
  uint64_t hits_ = 0, misses_ = 0;                     // guarded by mu_
};

}  // namespace pushdown::exec
