// The reference evaluator: interprets a type-checked predicate AST
// (bpfgen/lang/ast.h) over one RocksDB entry. It is the oracle every other
// path (generated BPF, host JIT) is tested against, and the path for tiny
// scans. All value semantics come from bpfgen/schema/scalar.h.
//
// Columns:
//   raw mode     column 0 `key` = the user key, column 1 `value` = the value (BYTES);
//   schema mode  columns decoded from the value (row format v1); only the
//                columns the expression reaches are decoded. Every value is first
//                checked for well-formedness (row_codec.h ValidateRow, the same
//                rule generated programs apply): a malformed value is
//                Status::Corruption, whatever the predicate.
// Errors are only Corruption (bad value) and Internal (an AST that breaks the
// type checker's invariants); NULLs, overflow, /0 and reads past the end are
// values, not errors.
// An Evaluator is immutable after construction: concurrent calls are safe.
#pragma once

#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/scalar.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::bpfgen {

class Evaluator {
 public:
  // Computes the RowLayout once (schema mode).
  explicit Evaluator(const Schema& schema);

  // The truth value of a BOOL (or NULL-typed) expression.
  Result<Tri> Eval(const Expr& e, std::string_view user_key, std::string_view value) const;

  // The value of any expression (numeric, string, date; BOOL as 0/1 or NULL).
  Result<Datum> EvalValue(const Expr& e, std::string_view user_key, std::string_view value) const;

  // TRUE iff every conjunct is TRUE (an empty list matches). Stops at the
  // first conjunct that is not TRUE.
  Result<bool> Matches(const std::vector<const Expr*>& conjuncts, std::string_view user_key,
                       std::string_view value) const;
  Result<bool> Matches(const Predicate& p, std::string_view user_key, std::string_view value) const;

  const Schema& schema() const { return schema_; }
  const RowLayout& layout() const { return layout_; }

 private:
  class Row;

  Result<Tri> Truth(const Expr& e, Row& row) const;
  Result<Datum> Value(const Expr& e, Row& row) const;
  Status Begin(std::string_view value) const;

  Schema schema_;
  RowLayout layout_;
};

}  // namespace pushdown::bpfgen
