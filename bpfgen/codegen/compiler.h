// Lowers the device part of a predicate (a list of conjuncts, see
// bpfgen/lang/split.h) to a RocksDB data-block filter program, from one
// generator, for two targets:
//   - kBpf:    an ELF object (bpfel, CPU v4, .BTF/.BTF.ext) with one
//              SEC("syscall") program and one .bss global = local memory;
//   - kNative: host code JIT-compiled with LLVM ORC LLJIT.
// Both implement the contract in bpfgen/codegen/program_abi.h exactly (same
// OutRecords, same BlockStatus), and the semantics of docs/LANGUAGE.md.
//
// An entry matches iff every conjunct is TRUE; an empty list matches every
// Value entry. A conjunct the generator cannot lower returns NotSupported with
// the reason (the split should have kept it on the host).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpfgen/codegen/program_abi.h"
#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// Sizes of the program's local memory. Every size below is rounded as stated;
// the resulting layout is published in abi::ProgramLayout (read it, never
// assume it). Defaults give a local memory of 4 MiB (+64 bytes of padding):
// it is allocated, zeroed and copied in when the program is loaded, so it is
// kept as small as a batch needs (2 MiB of blocks amortise the ~1 us fixed
// cost of a run over ~15k entries).
struct CompileOptions {
  uint32_t max_blocks = 64;            // BlockDescs per run
  uint32_t block_capacity = 2u << 20;  // staged bytes per run (rounded up to 4 KiB)
  uint32_t max_block_size = 1u << 20;  // largest single block (<= block_capacity)
  uint32_t out_capacity = 1u << 15;    // OutRecords per run
  uint32_t key_arena_size = 1u << 20;  // bytes of full internal keys per run
  uint32_t max_key_size = 512;         // longest internal key (user key + 8)
  // BPF, large predicates only (more than 16 possible branches, a loop or a
  // helper call): entries walked per call of the global function pd_entry,
  // which is then verified once per entry it walks (verifier work grows
  // linearly; each call/return costs a few ns with return mitigations). Small
  // predicates such as Q6 are walked inline in the may_goto entry loop and do
  // not use it (block_walker.cc, PredicateIsSmall).
  uint32_t entries_per_call = 2;
  uint32_t max_like_pattern = 256;  // BPF: longest LIKE pattern lowered (bytes)
};

// Why a Compile* / Emit* call failed, as data (the Status says it in words):
// callers decide on fallbacks from this, never by parsing the message.
enum class CompileFailure : uint8_t {
  kNone,             // it succeeded
  kUnsupported,      // lowering: a conjunct this target cannot lower (NotSupported)
  kCodegenRejected,  // LLVM refused the module: an error diagnostic (e.g. "Looks
                     // like the BPF stack limit is exceeded") or a fatal error;
                     // NotSupported "codegen rejected: <first line>"
  kInternal,         // a generator bug: malformed tree, invalid module (Internal)
  kInvalidArgument,  // bad options or a null conjunct
};

// The message prefix of every kCodegenRejected status.
inline constexpr char kCodegenRejectedPrefix[] = "codegen rejected: ";

struct BpfProgram {
  std::string object;           // ELF bytes (bpfel, with .BTF and .BTF.ext)
  std::string program_name;     // the SEC("syscall") function
  std::string memory_variable;  // the .bss global that is local memory
  abi::ProgramLayout layout;
  double codegen_ms = 0;  // IR build + optimise + BPF emission
};

// Aggregation on the device (program_abi.h, "Aggregation"): each item is
// COUNT(*) (arg null), or COUNT/SUM/MIN/MAX of a type-checked expression the
// device lowers. The argument's type must be fixed-width and not DOUBLE:
// SUM takes INT32/INT64/DECIMAL, MIN/MAX those and DATE, COUNT any type
// (an unsupported argument is NotSupported, kUnsupported: aggregate on the
// host). At most abi::kMaxAggregates items.
// GROUP BY on the device (program_abi.h, "Grouped aggregation"): kGroupKey
// items, first in the list (at most abi::kMaxGroupKeys), are the group keys:
// expressions of an integer, DECIMAL, DATE or BOOL type, or CHAR/VARCHAR/
// BYTES of declared length <= abi::kMaxGroupStringBytes. The other items
// are aggregated per group; the layout's num_aggregates counts only them.
enum class AggregateOp : uint8_t { kCountStar, kCount, kSum, kMin, kMax, kGroupKey };
struct AggregateItem {
  AggregateOp op = AggregateOp::kCountStar;
  const Expr* arg = nullptr;  // REQUIRES: type-checked, outlives the call; null for kCountStar
};
// OK when `item` can be aggregated on the device, else NotSupported with why.
Status CheckDeviceAggregate(const AggregateItem& item);
// The number of kGroupKey items of a list (they come first) and of the others.
uint32_t CountGroupKeys(const std::vector<AggregateItem>& items);
uint32_t CountAggregates(const std::vector<AggregateItem>& items);

// REQUIRES: every conjunct is type-checked against `schema` and outlives the call.
// No LLVM error ends the process (codegen/diagnostics.h); nothing is read from
// or written to the file system. `failure` (optional) receives the kind.
Result<BpfProgram> CompileBpf(const Schema& schema, const std::vector<const Expr*>& conjuncts,
                              const CompileOptions& options, CompileFailure* failure = nullptr);
// The same with device aggregates (`aggregates` non-empty: the layout's
// num_aggregates is aggregates.size()).
Result<BpfProgram> CompileBpf(const Schema& schema, const std::vector<const Expr*>& conjuncts,
                              const std::vector<AggregateItem>& aggregates,
                              const CompileOptions& options, CompileFailure* failure = nullptr);

// A JIT-compiled native program. Owns the LLJIT; fn() is valid while it lives.
// fn() is reentrant for distinct local memories (the state is in local memory).
class NativeProgram {
 public:
  virtual ~NativeProgram() = default;
  virtual abi::NativeFilterFn fn() const = 0;
  virtual const abi::ProgramLayout& layout() const = 0;
  virtual double compile_ms() const = 0;  // IR build + optimise + JIT
};

Result<std::unique_ptr<NativeProgram>> CompileNative(const Schema& schema,
                                                     const std::vector<const Expr*>& conjuncts,
                                                     const CompileOptions& options,
                                                     CompileFailure* failure = nullptr);
Result<std::unique_ptr<NativeProgram>> CompileNative(const Schema& schema,
                                                     const std::vector<const Expr*>& conjuncts,
                                                     const std::vector<AggregateItem>& aggregates,
                                                     const CompileOptions& options,
                                                     CompileFailure* failure = nullptr);

enum class Target { kBpf, kNative };

// Textual LLVM IR of the module after optimisation.
Result<std::string> EmitIr(Target target, const Schema& schema,
                           const std::vector<const Expr*>& conjuncts,
                           const CompileOptions& options);

// Readable BPF assembly (LLVM's asm printer).
Result<std::string> EmitBpfAssembly(const Schema& schema, const std::vector<const Expr*>& conjuncts,
                                    const CompileOptions& options);

// The layout CompileBpf/CompileNative would use for `options` and
// `num_aggregates` device aggregates (no compilation).
Result<abi::ProgramLayout> ComputeProgramLayout(const Schema& schema, const CompileOptions& options,
                                                uint32_t num_aggregates = 0,
                                                uint32_t num_group_keys = 0);

}  // namespace pushdown::bpfgen
