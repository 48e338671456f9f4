// Key ranges derived from a predicate: the conjuncts on the leading primary-key
// columns turned into ranges of memcomparable user keys (bpfgen/schema/
// key_codec.h), as DuckDB and TiDB derive index ranges.
//
// Contract: a SUPERSET. Every row whose key lies outside the ranges makes the
// predicate not TRUE; rows inside may or may not match. The conjuncts stay in
// the predicate, so a scan that reads only the ranges and still evaluates the
// whole predicate is exact whatever this derivation leaves out. What is not
// recognised is simply not used (the ranges only get wider), never an error.
//
// Recognised conjuncts, on key column j when columns 0..j-1 are fixed by
// equalities (so the key prefix is known), or on column 0:
//   col = lit, col <> nothing, col < <= > >= lit (either side), col BETWEEN a AND b,
//   col IN (lits) (at most kMaxDerivedRanges values in all), a CHAR/VARCHAR key
//   column LIKE 'prefix%...' or starts_with(col, 'prefix');
//   raw mode: the same on `key` (the user key bytes), starts_with(key, ...);
//   an OR of such conjunctions, e.g. `k = 5 OR k = 5000`, `ts < a OR ts > b`,
//   `(a = 1 AND b < 3) OR a = 7`: the union of the disjuncts' ranges
//   (intersected with the other conjuncts' ranges). An OR is used only when
//   every disjunct derives ranges (a disjunct that does not can match any
//   key); more than max_ranges ranges become their hull, as with IN.
// Not recognised: DOUBLE key columns (NaN and -0.0 fold into one encoding),
// casts other than INT32 -> INT64 of a column, negated forms, expressions.
// A comparison with NULL (col = NULL, BETWEEN NULL AND x) is never TRUE: it
// yields no range at all.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {

inline constexpr size_t kMaxDerivedRanges = 64;

// [start, limit) of bytewise user keys; no limit = unbounded above.
struct KeyRange {
  std::string start;
  std::optional<std::string> limit;

  friend bool operator==(const KeyRange& a, const KeyRange& b) {
    return a.start == b.start && a.limit == b.limit;
  }
};

struct KeyRanges {
  // True: nothing was derived; every key may match (`ranges` is empty).
  bool unbounded = true;
  // When !unbounded: sorted by start, disjoint. Empty: no key can match.
  std::vector<KeyRange> ranges;
  // The conjuncts that narrowed the ranges (canonical text), for explain.
  std::vector<std::string> used;

  // The smallest single range covering `ranges` (nullopt when unbounded or
  // empty): what a scan with one lower/upper bound reads.
  std::optional<KeyRange> Hull() const;
};

KeyRanges DeriveKeyRanges(const Predicate& predicate, const Schema& schema,
                          size_t max_ranges = kMaxDerivedRanges);

// The smallest string greater than every string that starts with `prefix`
// (drop trailing 0xff bytes, increment the last byte); nullopt if `prefix`
// is empty or all 0xff (no such string: unbounded).
std::optional<std::string> KeyPrefixSuccessor(std::string_view prefix);

}  // namespace pushdown::bpfgen
