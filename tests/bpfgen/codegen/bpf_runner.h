// A throwaway libbpf loader for tests: open the object from memory, load
// (verify), mmap the .bss map (local memory), run with BPF_PROG_TEST_RUN.
#pragma once

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bpfgen/codegen/compiler.h"

namespace pushdown::bpfgen::testing {

class BpfRunner {
 public:
  ~BpfRunner() {
    if (mem_ && mem_ != MAP_FAILED) munmap(mem_, map_bytes_);
    if (obj_) bpf_object__close(obj_);
  }
  // Returns "" on success, else the error with the verifier log.
  //
  // A load is tried up to three times. The verifier is deterministic, so a
  // program it rejects fails every attempt with the same log; what a retry
  // absorbs is a transient kernel condition on a shared CI machine (the JIT's
  // executable memory, -ENOMEM, -EAGAIN from a pending signal). Each failed
  // attempt is printed to stderr so a transient stays visible.
  std::string Load(const BpfProgram& p) {
    // PD_VERIFIER_LOG=<file>: the full verifier log (level 1|2|4) goes there.
    const char* log_file = std::getenv("PD_VERIFIER_LOG");
    log_.assign(log_file ? (1u << 29) : (1u << 22), '\0');
    int err = 0;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      if (obj_) bpf_object__close(obj_);
      obj_ = bpf_object__open_mem(p.object.data(), p.object.size(), nullptr);
      if (!obj_) return "open failed: " + std::string(strerror(errno));
      prog_ = bpf_object__find_program_by_name(obj_, p.program_name.c_str());
      if (!prog_) return "program not found";
      bpf_program__set_log_buf(prog_, log_.data(), log_.size());
      // After a failure, the full log (level 1) for the reason.
      bpf_program__set_log_level(prog_, log_file ? (1 | 2 | 4) : attempt == 1 ? 4 : (1 | 4));
      err = bpf_object__load(obj_);
      if (err == 0) break;
      std::fprintf(stderr, "BpfRunner: load attempt %d of 3 failed: %d (%s)\n", attempt, err,
                   strerror(-err));
    }
    if (err) {
      return "load failed: " + std::to_string(err) + " (" + strerror(-err) + ")\n" +
             Tail(log_.c_str());
    }
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj_) {
      const char* n = bpf_map__name(map);
      if (std::strlen(n) >= 4 && std::strcmp(n + std::strlen(n) - 4, ".bss") == 0) break;
    }
    if (!map) return "no .bss map";
    long page = sysconf(_SC_PAGESIZE);
    map_bytes_ = (bpf_map__value_size(map) + page - 1) / page * page;
    mem_ = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
    if (mem_ == MAP_FAILED) return "mmap failed: " + std::string(strerror(errno));
    const btf* b = bpf_object__btf(obj_);
    int id = btf__find_by_name_kind(b, ".bss", BTF_KIND_DATASEC);
    if (id < 0) return "no .bss datasec";
    const btf_type* t = btf__type_by_id(b, id);
    const btf_var_secinfo* vs = btf_var_secinfos(t);
    for (int i = 0; i < btf_vlen(t); ++i) {
      const btf_type* var = btf__type_by_id(b, vs[i].type);
      if (p.memory_variable == btf__name_by_offset(b, var->name_off)) var_offset_ = vs[i].offset;
    }
    if (log_file) {
      if (FILE* f = std::fopen(log_file, "w")) {
        std::fputs(log_.c_str(), f);
        std::fclose(f);
      }
    }
    verifier_stats_ = Tail(log_.c_str());
    if (std::getenv("PD_CODEGEN_TRACE")) {
      const char* processed = std::strstr(log_.c_str(), "processed ");
      std::fprintf(stderr, "verifier: %.60s\n", processed ? processed : "?");
    }
    return "";
  }
  uint8_t* mem() { return static_cast<uint8_t*>(mem_) + var_offset_; }
  int Run(abi::RunContext* ctx) {
    // syscall programs copy the ctx back into ctx_in; ctx_out is rejected.
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = sizeof(*ctx));
    int err = bpf_prog_test_run_opts(bpf_program__fd(prog_), &opts);
    return err ? err : static_cast<int>(opts.retval);
  }
  const std::string& verifier_stats() const { return verifier_stats_; }

 private:
  static std::string Tail(const std::string& s) {
    return s.size() > 4000 ? s.substr(s.size() - 4000) : s;
  }
  bpf_object* obj_ = nullptr;
  bpf_program* prog_ = nullptr;
  void* mem_ = nullptr;
  size_t map_bytes_ = 0;
  size_t var_offset_ = 0;
  std::string log_;
  std::string verifier_stats_;
};

inline bool HaveBpf() { return geteuid() == 0; }

}  // namespace pushdown::bpfgen::testing
