// Predicates and datasets shared by the native and BPF differential tests.
#pragma once

#include <string>

#include "tests/bpfgen/codegen/differential.h"

namespace pushdown::bpfgen::testing {

struct Case {
  const char* dataset;  // "lineitem", "mixed", "raw"
  const char* predicate;
  // CompileBpf returns NotSupported although TargetCaps::Kernel() pushes it
  // (LIKE with an inner '%' segment over an unbounded BYTES value).
  bool bpf_not_supported = false;
};

inline const Case kCases[] = {
    {"lineitem", "TRUE"},
    {"lineitem",
     "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN "
     "0.05 AND 0.07 AND l_quantity < 24"},
    {"lineitem", "l_returnflag = 'R' AND l_linestatus <> 'O'"},
    {"lineitem", "l_shipmode IN ('AIR', 'REG AIR') AND l_shipinstruct = 'DELIVER IN PERSON'"},
    {"lineitem", "l_comment LIKE '%special%requests%'"},
    {"lineitem", "l_comment NOT LIKE 'final%' AND l_comment LIKE '%s'"},
    {"lineitem", "l_extendedprice * (1 - l_discount) > 5000000"},
    {"lineitem", "l_extendedprice * l_discount / 100 >= 10 OR l_tax = 0"},
    {"lineitem", "l_quantity + l_tax * 2 BETWEEN 10 AND 20.5"},
    {"lineitem", "l_receiptdate > l_shipdate AND l_partkey % 3 = 1"},
    {"lineitem", "length(l_comment) > 20 AND l_shipmode >= 'R'"},
    {"lineitem", "l_commitdate < l_receiptdate AND l_shipinstruct < l_shipmode"},
    {"mixed", "a > 5"},
    {"mixed", "a + b > 100"},
    {"mixed", "b * 1000000000 > 5"},
    {"mixed", "b - 9223372036854775807 < 0"},
    {"mixed", "b / a > 2"},
    {"mixed", "b % a = 1"},
    {"mixed", "-b < 0"},
    {"mixed", "d BETWEEN 1.5 AND 100"},
    {"mixed", "d * d > 10.5"},
    {"mixed", "d / 3 > 1"},
    {"mixed", "d % 7 = 2.5 OR d NOT BETWEEN -50 AND 50"},
    {"mixed", "a * 1.5 > 3"},
    {"mixed", "f < 0.5"},
    {"mixed", "f = 0"},
    {"mixed", "f <> f"},
    {"mixed", "f <> 2"},
    {"mixed", "f >= -1.5 AND f <= 3.25"},
    {"mixed", "f IN (0.5, 2, 3.25)"},
    {"mixed", "f * 2 > 1"},
    {"mixed", "f > a"},
    {"mixed", "s = 'abc'"},
    {"mixed", "s < 'm'"},
    {"mixed", "s >= 'ab' AND s <= 'x'"},
    {"mixed", "s LIKE 'a%'"},
    {"mixed", "s LIKE '%b_c%'"},
    {"mixed", "s LIKE '%x%y%'"},
    {"mixed", "s LIKE '_a%z'"},
    {"mixed", "s LIKE 'abc'"},
    {"mixed", "s LIKE '%'"},
    {"mixed", "c = 'ab'"},
    {"mixed", "c LIKE 'a%'"},
    {"mixed", "length(c) = 2"},
    {"mixed", "s = c"},
    {"mixed", "s < t OR t IS NULL"},
    {"mixed", "s IN ('abc', 'zz', NULL)"},
    {"mixed", "a NOT IN (1, 2, 3)"},
    {"mixed", "a NOT IN (1, NULL)"},
    {"mixed", "a IS NULL"},
    {"mixed", "s IS NOT NULL AND a > 0 OR flag"},
    {"mixed", "NOT flag"},
    {"mixed", "flag = FALSE"},
    {"mixed", "dt >= DATE '1995-01-01'"},
    {"mixed", "starts_with(s, 'ab')"},
    {"mixed", "substr(s, 1, 2) = 'bc'"},
    {"mixed", "u8(s, 0) = 97"},
    {"mixed", "u16be(t, 1) > 20000"},
    {"mixed", "a > 0 AND b > 0 OR d IS NULL"},
    {"mixed", "NOT (a > 0 OR b < 0)"},
    {"raw", "TRUE"},
    {"raw", "u64be(key, 0) % 100 < 2"},
    {"raw", "u8(value, 3) > 128"},
    {"raw", "length(value) = 100"},
    {"raw", "u32le(value, 98) > 5"},
    {"raw", "i64le(value, 2) < 0 AND i32be(value, 10) > 0"},
    {"raw", "u16le(value, 0) = u16le(value, 2) OR u64le(value, 92) = 0"},
    {"raw", "substr(value, 2, 3) = 'abc' OR value LIKE '%ab%'"},
    {"raw", "value LIKE '%a%b%' AND key LIKE '%0%'"},
    {"raw", "substr(value, 0, 4) < substr(value, 4, 4) OR value >= substr(value, 1, 50)"},
    {"raw", "substr(value, 2, 3) = 'abc' OR value LIKE 'ab%'"},
    {"raw", "starts_with(key, 'li') OR key > value"},
    {"raw", "u8(value, length(value) - 1) = 97"},
};

inline const Dataset& GetDataset(const std::string& name) {
  static const Dataset lineitem = MakeLineitem(1, 600);
  static const Dataset mixed = MakeMixed(2, 800);
  static const Dataset raw = MakeRaw(3, 800);
  return name == "lineitem" ? lineitem : name == "mixed" ? mixed : raw;
}

}  // namespace pushdown::bpfgen::testing
