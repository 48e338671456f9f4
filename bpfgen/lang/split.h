// The pushability split (DuckDB's NO/PARTIAL/FULL filter pushdown): each
// top-level conjunct of a normalised predicate goes either to the device, if
// the device can evaluate every node of it, or to the residual filter the
// host applies after the scan, with a human-readable reason. Because the
// predicate is a conjunction, device AND residual == the predicate exactly.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {

// What a device's programs can evaluate.
struct TargetCaps {
  std::string name;
  // DOUBLE comparisons (=, <>, <, <=, >, >=, BETWEEN, IN) of a DOUBLE column
  // against DOUBLE constants, without floating point (an order-preserving
  // integer mapping of the IEEE bits; NaN never matches, -0.0 == 0.0).
  bool double_compare = true;
  // Floating point: DOUBLE arithmetic, conversions to DOUBLE, DOUBLE
  // comparisons between two non-constant values.
  bool double_arith = true;
  bool strings = true;  // string columns, comparisons, length()
  bool like = true;     // [NOT] LIKE
  // Longest string constant (comparison operand, IN element, LIKE pattern,
  // starts_with prefix) the device handles, in bytes.
  uint32_t max_string_op = UINT32_MAX;
  uint32_t max_in_list = UINT32_MAX;  // IN list elements
  std::set<Function> functions;       // functions the device implements
  // The codegen budget: a conjunct of more AST nodes than this stays with the
  // host evaluator as a residual (reason "over the codegen budget"), so no
  // single conjunct can make code generation slow or large. The language
  // allows kMaxNodes (4096) per predicate; both targets take kCodegenBudget.
  uint32_t max_conjunct_nodes = UINT32_MAX;

  // The Linux eBPF device: no floating point; strings up to 256 bytes;
  // IN lists up to 256 elements; every function.
  static TargetCaps Kernel();
  // Native host code: everything.
  static TargetCaps Host();
};

inline constexpr uint32_t kCodegenBudget = 2048;  // AST nodes per conjunct

enum class PushdownKind { kNone, kPartial, kFull };
// "NONE", "PARTIAL", "FULL".
const char* PushdownKindName(PushdownKind kind);

struct SplitResult {
  std::vector<const Expr*> device;  // conjuncts the device evaluates (in predicate order)
  struct Residual {
    const Expr* conjunct;
    std::string reason;  // why the device cannot evaluate it
  };
  std::vector<Residual> residual;  // conjuncts the host evaluates (in predicate order)
  // kFull: no residual (also for the empty predicate TRUE); kNone: nothing on
  // the device; kPartial: both.
  PushdownKind kind = PushdownKind::kFull;
};

// REQUIRES: p came from CompilePredicate(..., s). The pointers borrow from p.
SplitResult SplitPredicate(const Predicate& p, const Schema& s, const TargetCaps& caps);

// Why `caps` cannot evaluate `e`, or "" if it can (the per-conjunct test).
std::string WhyNotPushable(const Expr& e, const Schema& s, const TargetCaps& caps);

}  // namespace pushdown::bpfgen
