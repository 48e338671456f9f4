// ProgramPool: exclusive instances of cached device programs.
//
// ProgramCache compiles and loads a program once per (predicate, schema,
// device) and shares it; but a LoadedProgram runs on one thread at a time
// (pushdown/device/device.h). A scan leases an instance for its lifetime: the
// cached one when it is free, else an idle extra instance, else a new one
// loaded from the cached image (a second verifier pass, no codegen; on the
// kernel device with pinning, a free pinned instance of the same object when
// one exists: pushdown/device/pin_store.h).
//
// The pool does not keep programs alive: a lease pins its program (and the
// cache never evicts a pinned one); an entry only remembers the program
// weakly, with its idle extra instances, and is dropped -- extras included --
// once the program is gone (evicted from the cache and every lease returned).
// So the pool is bounded by the cache plus the programs scans hold.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "pushdown/device/program_cache.h"
#include "util/status.h"

namespace pushdown::engine {

class ProgramPool;

// Move-only; returns its instance to the pool when destroyed.
class ProgramLease {
 public:
  ProgramLease() = default;
  ProgramLease(ProgramLease&& o) noexcept { *this = std::move(o); }
  ProgramLease& operator=(ProgramLease&& o) noexcept;
  ~ProgramLease() { Release(); }

  exec::Device* device() const { return program_ ? program_->device : nullptr; }
  exec::LoadedProgram* loaded() const { return loaded_; }
  const exec::DeviceProgram* program() const { return program_.get(); }

 private:
  friend class ProgramPool;
  void Release();
  ProgramPool* pool_ = nullptr;
  std::shared_ptr<exec::DeviceProgram> program_;
  exec::LoadedProgram* loaded_ = nullptr;
  std::unique_ptr<exec::LoadedProgram> extra_;  // set when not the cached instance
};

class ProgramPool {
 public:
  ProgramPool() = default;
  ProgramPool(const ProgramPool&) = delete;
  ProgramPool& operator=(const ProgramPool&) = delete;

  // REQUIRES: program->program is set. Thread-safe.
  Result<ProgramLease> Acquire(std::shared_ptr<exec::DeviceProgram> program);
  uint64_t extra_loads() const;
  size_t entries() const;  // programs with an entry (in use, or alive with idle extras)

 private:
  friend class ProgramLease;
  struct Entry {
    std::weak_ptr<exec::DeviceProgram> program;
    bool primary_busy = false;
    std::vector<std::unique_ptr<exec::LoadedProgram>> idle;
  };
  // Takes the lease's reference, so that a program whose last holder is the
  // returning lease dies here, after its entry (and extras) are dropped.
  void Return(std::shared_ptr<exec::DeviceProgram> program,
              std::unique_ptr<exec::LoadedProgram> extra);
  // Drops entries whose program is gone. REQUIRES: mu_ held.
  void PruneLocked();

  mutable std::mutex mu_;
  std::map<const exec::DeviceProgram*, Entry> entries_;  // guarded by mu_
  uint64_t extra_loads_ = 0;                             // guarded by mu_
};

}  // namespace pushdown::engine
