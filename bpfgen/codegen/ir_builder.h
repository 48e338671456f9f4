// IRBuilderPD: the one place where target-specific IR is emitted (the idea of
// bpftrace's IRBuilderBPF). Everything that the BPF verifier cares about lives
// here: masked offsets into local memory, helper calls, bounded loops, section,
// linkage and debug info (BTF). The native target uses the same calls; only the
// local-memory base (a global vs a function argument) and the driver differ.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/codegen/layout.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace pushdown::bpfgen::codegen {

class IRBuilderPD : public llvm::IRBuilder<> {
 public:
  IRBuilderPD(llvm::Module* module, Target target, const MemoryPlan& plan);
  ~IRBuilderPD();

  Target target() const { return target_; }
  bool bpf() const { return target_ == Target::kBpf; }
  const MemoryPlan& plan() const { return plan_; }
  llvm::Module* module() const { return module_; }

  // Functions. A function gets a DISubprogram (BPF: required for BTF func_info).
  // `arg_types` describe parameters for debug info: 'p' pointer, 'u' u64, 'i' i32.
  llvm::Function* CreateFunction(const std::string& name, llvm::FunctionType* type, bool internal,
                                 const std::string& section, const std::string& arg_kinds,
                                 char ret_kind);
  // Positions the builder at the end of `bb` with a debug location in `fn`.
  void EnterFunction(llvm::Function* fn, llvm::BasicBlock* bb);

  // BPF: the .bss global that is local memory (created once).
  llvm::GlobalVariable* MemoryGlobal();
  void EmitLicense();
  // Sets the value used as the local-memory base in the current function.
  void SetMemoryBase(llvm::Value* base) { mem_ = base; }

  llvm::ConstantInt* I64(uint64_t v) { return getInt64(v); }
  // mem + (off & mask): every variable access goes through this.
  llvm::Value* Addr(llvm::Value* off);
  // mem + off for a constant off < mem_size.
  llvm::Value* AddrConst(uint64_t off);
  // Little-endian load of `bytes` (1, 2, 4, 8) at local-memory offset `off`,
  // zero- or sign-extended to i64. Any alignment.
  llvm::Value* LoadLE(llvm::Value* off, unsigned bytes, bool sign = false);
  llvm::Value* LoadBE(llvm::Value* off, unsigned bytes, bool sign = false);
  void StoreLE(llvm::Value* off, llvm::Value* v, unsigned bytes);
  // The same for an access the caller has proven to lie inside local memory
  // (REQUIRES: [off, off + bytes) within [0, mem_size); say why at the call).
  // Native: no mask. BPF: masked anyway (the verifier cannot see the proof).
  llvm::Value* LoadLEInBounds(llvm::Value* off, unsigned bytes);
  void StoreLEInBounds(llvm::Value* off, llvm::Value* v, unsigned bytes);
  // Windows: accesses at small constant offsets from one variable offset
  // share its mask. Window(off) = mem + (off & mask); an access at window + c
  // with c + bytes <= kMemoryPad stays inside local memory (a power of two
  // plus kMemoryPad bytes), which the BPF verifier sees from the mask.
  // WindowInBounds: native mem + off without a mask (REQUIRES: every access
  // through it proven inside local memory; say why at the call); BPF masked.
  // An access with c + bytes > kMemoryPad is a generator bug: recorded in
  // status() (Internal).
  llvm::Value* Window(llvm::Value* off);
  llvm::Value* WindowInBounds(llvm::Value* off);
  llvm::Value* LoadWindow(llvm::Value* window, uint32_t c, unsigned bytes, bool sign = false);
  void StoreWindow(llvm::Value* window, uint32_t c, llvm::Value* v, unsigned bytes);
  // Little-endian load at base + c through the WindowInBounds of base +
  // (c rounded down to kWindowStride): loads near each other (a row's fixed
  // fields) share one mask on BPF and need none on the host.
  // REQUIRES: [base + c, base + c + bytes) inside local memory, proven.
  static constexpr uint32_t kWindowStride = 56;  // + an 8-byte access <= kMemoryPad
  llvm::Value* LoadLEInBoundsAt(llvm::Value* base, uint32_t c, unsigned bytes, bool sign = false);

  // Aligned accesses at constant offsets (descriptors, state, records).
  llvm::Value* LoadAt(uint64_t off, unsigned bytes);
  void StoreAt(uint64_t off, llvm::Value* v, unsigned bytes);
  // The same, at a variable 8-byte aligned base offset (masked) + constant field.
  llvm::Value* LoadField(llvm::Value* base, uint64_t field, unsigned bytes);
  void StoreField(llvm::Value* base, uint64_t field, llvm::Value* v, unsigned bytes);
  // Program state (BPF: volatile, so every use is a fresh load from map memory).
  llvm::Value* LoadState(StateSlot s);
  void StoreState(StateSlot s, llvm::Value* v);
  // The same, volatile on both targets (a barrier LLVM cannot fold through).
  llvm::Value* LoadStateVolatile(StateSlot s);
  void StoreStateVolatile(StateSlot s, llvm::Value* v);

  // BPF: stores `values` (i64, at most 8) to map memory and reloads them
  // (volatile), so that after this point no register carries range knowledge
  // from the paths that led here: verifier states converge and are pruned.
  // Native: returns `values` unchanged. More than kNumCheckpointSlots values
  // is a generator bug: recorded in status() (Internal), `values` returned.
  std::vector<llvm::Value*> Checkpoint(const std::vector<llvm::Value*>& values);

  // The first invariant violation found while emitting (Internal), or OK.
  const Status& status() const { return status_; }

  // The head of a loop whose termination the BPF verifier cannot see: BPF
  // emits `may_goto brk` (the kernel bounds the iterations, then branches to
  // brk; the verifier checks the body until the state at this instruction
  // converges instead of once per iteration). Native: nothing (REQUIRES: the
  // loop terminates on its own). Continues in a new block.
  void CanLoop(llvm::BasicBlock* brk);

  // long bpf_loop(u32 nr_loops, void* callback, void* ctx, u64 flags) (helper 181).
  llvm::Value* CallBpfLoop(llvm::Value* nr_loops, llvm::Function* callback);

  // for (i = 0; i < max_iters; ++i) { body(i, exit) }: `body` emits code at the
  // current insertion point and either branches to `exit` or falls through
  // (leaves the builder in a block without terminator) to continue. The trip
  // count is bounded by a constant, as the verifier needs. Afterwards the
  // builder is at the loop exit.
  void BoundedLoop(uint64_t max_iters,
                   const std::function<void(llvm::Value* i, llvm::BasicBlock* exit)>& body);

  llvm::BasicBlock* NewBlock(const std::string& name);

  // Finishes debug info; call once before verification/emission.
  void Finalize();

 private:
  llvm::DIType* DiType(char kind);
  llvm::Align DataAlign(unsigned bytes) const;

  llvm::Module* module_;
  Target target_;
  MemoryPlan plan_;
  llvm::Value* mem_ = nullptr;
  llvm::GlobalVariable* memory_global_ = nullptr;
  std::unique_ptr<llvm::DIBuilder> dib_;
  llvm::DICompileUnit* cu_ = nullptr;
  llvm::DIFile* file_ = nullptr;
  unsigned next_line_ = 1;
  Status status_;
};

}  // namespace pushdown::bpfgen::codegen
