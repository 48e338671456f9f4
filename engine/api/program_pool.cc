#include "engine/api/program_pool.h"

#include <utility>

namespace pushdown::engine {

ProgramLease& ProgramLease::operator=(ProgramLease&& o) noexcept {
  if (this != &o) {
    Release();
    pool_ = std::exchange(o.pool_, nullptr);
    program_ = std::move(o.program_);
    loaded_ = std::exchange(o.loaded_, nullptr);
    extra_ = std::move(o.extra_);
  }
  return *this;
}

void ProgramLease::Release() {
  if (pool_ != nullptr && program_ != nullptr)
    pool_->Return(std::move(program_), std::move(extra_));
  pool_ = nullptr;
  program_.reset();
  loaded_ = nullptr;
  extra_.reset();
}

Result<ProgramLease> ProgramPool::Acquire(std::shared_ptr<exec::DeviceProgram> program) {
  if (program == nullptr || program->program == nullptr || program->device == nullptr) {
    return Status::Internal("program pool: no loaded program");
  }
  ProgramLease lease;
  lease.pool_ = this;
  lease.program_ = program;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // An expired entry may share the address of `program`: pruning first
    // keeps a dead program's extras from being handed out for a new one.
    PruneLocked();
    Entry& e = entries_[program.get()];
    if (e.program.expired()) e.program = program;
    if (!e.primary_busy) {
      e.primary_busy = true;
      lease.loaded_ = program->program.get();
      return lease;
    }
    if (!e.idle.empty()) {
      lease.extra_ = std::move(e.idle.back());
      e.idle.pop_back();
      lease.loaded_ = lease.extra_.get();
      return lease;
    }
    ++extra_loads_;
  }
  exec::ProgramImage image;
  if (program->bpf.has_value()) {
    image.bpf = &*program->bpf;
  } else {
    image.native = program->native;
  }
  auto loaded = program->device->Load(image);
  if (!loaded.ok()) {
    lease.pool_ = nullptr;  // nothing to return
    return loaded.status();
  }
  lease.extra_ = std::move(loaded).value();
  lease.loaded_ = lease.extra_.get();
  return lease;
}

void ProgramPool::Return(std::shared_ptr<exec::DeviceProgram> program,
                         std::unique_ptr<exec::LoadedProgram> extra) {
  std::vector<std::unique_ptr<exec::LoadedProgram>> dropped;  // destroyed after the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(program.get());
    if (it == entries_.end()) return;
    Entry& e = it->second;
    if (extra != nullptr) {
      e.idle.push_back(std::move(extra));
    } else {
      e.primary_busy = false;
    }
    // Only this lease still holds the program (the cache evicted it, no other
    // lease): nobody can acquire it again, so its instances go with it.
    if (program.use_count() == 1 && !e.primary_busy) {
      dropped = std::move(e.idle);
      entries_.erase(it);
    }
  }
  dropped.clear();
  program.reset();
}

void ProgramPool::PruneLocked() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.program.expired() ? entries_.erase(it) : std::next(it);
  }
}

size_t ProgramPool::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

uint64_t ProgramPool::extra_loads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return extra_loads_;
}

}  // namespace pushdown::engine
