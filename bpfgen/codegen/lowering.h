// Lowering of typed expressions (bpfgen/lang/ast.h) to IR for one entry.
// Values follow bpfgen/schema/types.h: integers, dates, decimals and bools are
// i64; DOUBLE is `double` (native) or its IEEE bits as i64 (BPF, no FP);
// strings are (offset in local memory, length). Every value carries an i1
// NULL flag (three-valued logic, docs/LANGUAGE.md).
//
// Split by concept: lower_logic.cc (AND/OR/NOT, IS NULL, BETWEEN, IN),
// lower_compare.cc, lower_arith.cc (arithmetic, casts, overflow -> NULL),
// lower_string.cc (strings, LIKE), lower_raw.cc (raw-mode functions),
// lower_double.cc (DOUBLE), lower_column.cc (row access).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bpfgen/codegen/block_walker.h"
#include "bpfgen/codegen/ir_builder.h"
#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen::codegen {

// Native only: the runtime function long LIKE patterns call,
//   uint64_t pd_like_match(const uint8_t* s, uint64_t len,
//                          const uint8_t* pattern, uint64_t pattern_len);
// (bpfgen::LikeMatch; CompileNative defines it in the JIT).
inline constexpr char kLikeMatchSymbol[] = "pd_like_match";
extern "C" uint64_t pd_like_match(const uint8_t* s, uint64_t len, const uint8_t* pattern,
                                  uint64_t pattern_len);

struct Val {
  enum class Kind { kInt, kDouble, kString };
  Kind kind = Kind::kInt;
  llvm::Value* v = nullptr;          // kInt: i64; kDouble: double / i64 bits; kString: i64 offset
  llvm::Value* len = nullptr;        // kString: i64 length
  llvm::Value* null = nullptr;       // i1
  const std::string* lit = nullptr;  // kString: the bytes when constant
  uint64_t max_len = 0;              // kString: an upper bound of len
};

class Lowering {
 public:
  Lowering(IRBuilderPD& b, const Schema& schema, const RowLayout* row, const CompileOptions& o)
      : b_(b), schema_(schema), row_(row), options_(o) {}

  // i1: every conjunct is TRUE. Short-circuits from left to right.
  llvm::Value* Conjuncts(const std::vector<const Expr*>& conjuncts, const EntryView& entry);

  // The first lowering error (NotSupported, or Internal for a malformed
  // tree) or OK.
  const Status& status() const { return status_; }

  Val Lower(const Expr& e);

  // lower_aggregate.cc: the accumulator updates of one matching entry of a
  // kAggregate block (program_abi.h, "Aggregation" and "Grouped
  // aggregation"; block_walker.h, AggregateEmitter). Returns null, or (with
  // group keys) i1: no slot for the entry's group (nothing was updated; the
  // block must end kBlockNeedsRecords). REQUIRES: CheckDeviceAggregate(item)
  // is OK for each, the layout's num_group_keys kGroupKey items first.
  llvm::Value* Aggregates(const std::vector<AggregateItem>& items, const EntryView& entry);

 private:
  Val LowerNode(const Expr& e);
  // lower_aggregate.cc.
  std::pair<llvm::Value*, llvm::Value*> GroupKeyWord(const Expr& e);
  llvm::Value* GroupSlot(const std::vector<AggregateItem>& items, uint32_t keys);
  void SaveGroupSlot(llvm::Value* at);
  void Accumulate(const std::vector<AggregateItem>& items, llvm::Value* base, uint64_t first);
  // BPF spills to local memory (state slots kStSpill0..): the backend keeps
  // every value of one basic block in registers or on the 512-byte stack, and
  // its instruction combining moves a chain's NULL/overflow checks to the end
  // of the chain, so a long sum or a deep nesting kept every intermediate
  // value alive ("BPF stack limit exceeded"). A node bigger than
  // kSpillThreshold nodes is stored to spill slots and reloaded (volatile:
  // its checks are computed before the store, nothing is live across it);
  // the left operand of a binary node whose right operand is big waits in
  // spill slots (one frame per pending operand) instead of in a register.
  // Native: only the settling, for compile time: without it instcombine
  // refolded the whole chain at every node (host codegen of a 1000-term sum
  // took 9 s, superlinear); pending operands stay in registers.
  std::pair<Val, Val> LowerPair(const Expr& left, const Expr& right);
  Val Settle(const Val& v, const Expr& e);
  void SpillStore(const Val& v, uint32_t at);
  Val SpillLoad(const Val& v, uint32_t at);
  bool WantSpill(const Expr& e);
  int Size(const Expr& e);  // nodes in e's tree (memoised)
  friend class LoweringParts;
  // lower_column.cc
  Val Column(const Expr& e);
  Val Literal(const Expr& e);
  // lower_logic.cc
  Val Logic(const Expr& e);
  Val And(const Val& a, const Val& b);
  Val Or(const Val& a, const Val& b);
  Val Not(const Val& a);
  Val In(const Expr& e);
  Val Between(const Expr& e);
  // lower_compare.cc
  Val Compare(BinaryOp op, const Val& a, const Val& b, const Type& ta, const Type& tb);
  llvm::Value* IntCompare(BinaryOp op, llvm::Value* a, llvm::Value* b);
  // lower_arith.cc
  Val Arith(const Expr& e);
  Val Cast(const Expr& e);
  Val Negate(const Val& a, const Type& t);
  Val Rescale(const Val& a, int from_scale, int to_scale);
  llvm::Value* MulOverflows(llvm::Value* a, llvm::Value* b);
  // lower_string.cc
  llvm::Value* StringCompare(const Val& a, const Val& b);  // i64 <0, 0, >0 (as -1/0/1)
  Val TrimChar(const Val& s);
  Val Like(const Expr& e);
  // i1: bytes at off equal lit[from, from+n) ('_' matches anything if like).
  llvm::Value* BytesEqualConst(llvm::Value* off, const std::string& lit, size_t from, size_t n,
                               bool like);
  llvm::Value* StringCompareConst(const Val& a, const std::string& lit);
  // Native: s LIKE pat as a call of pd_like_match (the JIT resolves it).
  Val LikeByCall(const Val& s, const std::string& pat);
  // BPF: StringCompare of two long strings as a bpf_loop callback.
  llvm::Value* CompareWithBpfLoop(const Val& a, const Val& b, uint64_t bound);
  // BPF: leftmost q in [start, limit - n] where pat[from, from+n) matches at
  // sv + q, as a bpf_loop callback (the verifier checks one iteration).
  // Returns {found (i1), q + n}.
  std::pair<llvm::Value*, llvm::Value*> SearchWithBpfLoop(llvm::Value* sv, llvm::Value* start,
                                                          llvm::Value* limit,
                                                          const std::string& pat, size_t from,
                                                          size_t n, uint64_t bound);
  // lower_raw.cc
  Val Call(const Expr& e);
  // lower_double.cc
  Val DoubleCompare(BinaryOp op, const Val& a, const Val& b);
  Val DoubleArith(BinaryOp op, const Val& a, const Val& b);
  Val ToDouble(const Val& a, const Type& from);
  Val DoubleConst(double d);
  // Compile-time value of a literal or of casts of a literal; false otherwise.
  bool Fold(const Expr& e, Datum* out) const;
  Val FromDatum(const Datum& d, const Type& t);
  // Checked int64 helpers: {result, overflow(i1)}.
  std::pair<llvm::Value*, llvm::Value*> CheckedAddSub(bool add, llvm::Value* a, llvm::Value* b);
  std::pair<llvm::Value*, llvm::Value*> RescaleInt(llvm::Value* v, int from, int to);
  // An i64 slot in the current function's entry block. Slots are reused after
  // Release: every user stores before it loads and releases after emitting
  // its last load, and lowering emits code in execution order, so a reused
  // slot's lifetimes never overlap. This keeps the number of slots (BPF: stack
  // bytes, 512 per function; the BPF pipeline has no mem2reg) bounded by the
  // nesting of string operations instead of growing with every LIKE segment.
  llvm::Value* Alloca();
  void Release(llvm::Value* slot);

  // Helpers.
  Val Int(llvm::Value* v, llvm::Value* null) { return {Val::Kind::kInt, v, nullptr, null}; }
  Val Bool(llvm::Value* i1, llvm::Value* null);
  Val NullOf(const Type& t);
  llvm::Value* False() { return b_.getFalse(); }
  llvm::Value* True() { return b_.getTrue(); }
  llvm::Value* I64(uint64_t v) { return b_.I64(v); }
  // Records a lowering error; returns a NULL value so emission can continue.
  // Unsupported: a valid, type-checked expression this target cannot lower
  // (NotSupported: the conjunct belongs on the host). Malformed: the tree
  // breaks an invariant the front end guarantees (arity, operand types,
  // column index): a bug upstream, Internal, never a silent host fallback.
  Val Unsupported(const std::string& why);
  Val Malformed(const std::string& why);
  uint64_t StringBound() const;  // longest string a BPF loop may walk

  IRBuilderPD& b_;
  const Schema& schema_;
  const RowLayout* row_;
  const CompileOptions& options_;
  const EntryView* entry_ = nullptr;
  Status status_;
  std::vector<std::unique_ptr<std::string>> strings_;                // folded string constants
  int callbacks_ = 0;                                                // bpf_loop callbacks emitted
  std::map<llvm::Function*, std::vector<llvm::Value*>> free_slots_;  // released Alloca()s
  std::map<const Expr*, int> sizes_;                                 // Size() memo
  uint32_t spill_top_ = 0;  // spill slots in use by pending operands
};

}  // namespace pushdown::bpfgen::codegen
