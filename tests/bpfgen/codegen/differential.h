// Differential-test fixtures: randomized datasets (lineitem, a nullable
// "mixed" schema, raw db_bench-like keys), RocksDB data blocks built from
// them, and the expected OutRecords per block computed with the reference
// evaluator (bpfgen/eval).
#pragma once

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/tpch.h"
#include "tests/bpfgen/codegen/block_builder.h"

namespace pushdown::bpfgen::testing {

struct Entry {
  std::string ikey;  // internal key
  std::string value;
};

struct Dataset {
  Schema schema;
  std::vector<Entry> entries;  // in internal-key order
};

inline std::string BigEndian64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xff);
  return s;
}

// Adds a user key's versions: newest first; some are tombstones/merges.
template <typename MakeValue>
void AddVersions(std::mt19937_64& rng, const std::string& uk, MakeValue make, Dataset* d) {
  int versions = rng() % 5 == 0 ? 2 + rng() % 2 : 1;
  uint64_t seq = 1000 + rng() % 1000;
  for (int v = 0; v < versions; ++v, seq -= 1 + rng() % 10) {
    int r = rng() % 20;
    uint8_t type = r == 0 ? 0 : r == 1 ? 2 : r == 2 ? 7 : 1;
    std::string value = type == 1 ? make() : type == 2 ? std::string("merge-operand") : "";
    d->entries.push_back({InternalKey(uk, seq, type), value});
  }
}

inline Dataset MakeLineitem(uint64_t seed, int rows) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.schema = ParseSchema(kLineitemDdl).value();
  RowLayout layout = RowLayout::Compute(d.schema);
  const char* instr[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
  const char* modes[] = {"AIR", "MAIL", "SHIP", "TRUCK", "RAIL", "REG AIR", "FOB"};
  const char* words[] = {"special",  "requests", "quickly", "final",
                         "deposits", "ironic",   "blithely"};
  for (int i = 0; i < rows; ++i) {
    auto make = [&] {
      std::vector<Datum> row;
      row.push_back(Datum::Int(i / 4 + 1));
      row.push_back(Datum::Int(i % 4 + 1));
      row.push_back(Datum::Int(rng() % 200000));
      row.push_back(Datum::Int(rng() % 10000));
      row.push_back(Datum::Int((1 + rng() % 50) * 100));
      row.push_back(Datum::Int(90000 + rng() % 10000000));
      row.push_back(Datum::Int(rng() % 11));
      row.push_back(Datum::Int(rng() % 9));
      row.push_back(Datum::String(std::string(1, "ANR"[rng() % 3])));
      row.push_back(Datum::String(std::string(1, "OF"[rng() % 2])));
      int64_t ship = 8035 + rng() % 2500;
      row.push_back(Datum::Int(ship));
      row.push_back(Datum::Int(ship + rng() % 60));
      row.push_back(Datum::Int(ship + rng() % 30));
      row.push_back(Datum::String(instr[rng() % 4]));
      row.push_back(Datum::String(modes[rng() % 7]));
      std::string comment;
      int nw = 1 + rng() % 5;
      for (int w = 0; w < nw; ++w) {
        std::string word = words[rng() % 7];
        if (comment.size() + word.size() + 1 > 44) break;
        if (!comment.empty()) comment += ' ';
        comment += word;
      }
      row.push_back(Datum::String(comment));
      std::string out;
      Status s = EncodeRow(d.schema, layout, row, &out);
      if (!s.ok()) abort();
      return out;
    };
    AddVersions(rng, "li/" + BigEndian64(i), make, &d);
  }
  return d;
}

inline constexpr std::string_view kMixedDdl =
    "id INT64 KEY, a INT32, b INT64, d DECIMAL(10,3), f DOUBLE, s VARCHAR(20), c CHAR(5), "
    "flag BOOL, dt DATE, t VARCHAR(8)";

inline Dataset MakeMixed(uint64_t seed, int rows) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.schema = ParseSchema(kMixedDdl).value();
  RowLayout layout = RowLayout::Compute(d.schema);
  auto maybe_null = [&](Datum v) { return rng() % 7 == 0 ? Datum::Null() : v; };
  auto str = [&](size_t max) {
    std::string s;
    size_t n = rng() % (max + 1);
    for (size_t k = 0; k < n; ++k) s += "abcxyz _"[rng() % 8];
    return s;
  };
  const double doubles[] = {0.0,
                            -0.0,
                            0.5,
                            -1.5,
                            1e300,
                            -1e300,
                            3.25,
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            2.0,
                            0.25};
  const int64_t bigs[] = {0,
                          1,
                          -1,
                          7,
                          100,
                          -100,
                          std::numeric_limits<int64_t>::max(),
                          std::numeric_limits<int64_t>::min(),
                          1LL << 40,
                          12345678901LL};
  for (int i = 0; i < rows; ++i) {
    auto make = [&] {
      std::vector<Datum> row;
      row.push_back(Datum::Int(i));
      row.push_back(maybe_null(Datum::Int(static_cast<int32_t>(rng() % 21) - 10)));
      row.push_back(maybe_null(Datum::Int(
          rng() % 3 == 0 ? bigs[rng() % 10] : static_cast<int64_t>(rng() % 2001) - 1000)));
      row.push_back(maybe_null(Datum::Int(static_cast<int64_t>(rng() % 200001) - 100000)));
      row.push_back(maybe_null(Datum::Double(doubles[rng() % 12])));
      row.push_back(maybe_null(Datum::String(str(20))));
      row.push_back(maybe_null(Datum::String(str(5))));
      row.push_back(maybe_null(Datum::Bool(rng() % 2)));
      row.push_back(maybe_null(Datum::Int(9000 + rng() % 1000)));
      row.push_back(maybe_null(Datum::String(str(8))));
      std::string out;
      Status s = EncodeRow(d.schema, layout, row, &out);
      if (!s.ok()) abort();
      return out;
    };
    AddVersions(rng, "mx/" + BigEndian64(i * 7), make, &d);
  }
  return d;
}

// db_bench-like: 16-byte keys (8-byte big-endian integer, '0'-padded), 100-byte values.
inline Dataset MakeRaw(uint64_t seed, int rows) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.schema = Schema::Raw();
  for (int i = 0; i < rows; ++i) {
    auto make = [&] {
      std::string v;
      size_t n = rng() % 10 == 0 ? rng() % 12 : 100;
      for (size_t k = 0; k < n; ++k)
        v += static_cast<char>(rng() % 8 == 0 ? 'a' + rng() % 3 : rng());
      return v;
    };
    AddVersions(rng, BigEndian64(i * 3) + std::string(8, '0'), make, &d);
  }
  return d;
}

// Cuts the entries into blocks of about `target` bytes.
inline std::vector<std::string> MakeBlocks(const Dataset& d, int restart_interval, size_t target,
                                           bool hash_index,
                                           std::vector<std::vector<Entry>>* parts) {
  std::vector<std::string> blocks;
  parts->clear();
  BlockBuilder bb(restart_interval);
  std::vector<Entry> cur;
  size_t bytes = 0;
  for (const Entry& e : d.entries) {
    bb.Add(e.ikey, e.value);
    cur.push_back(e);
    bytes += e.ikey.size() + e.value.size() + 3;
    if (bytes >= target) {
      blocks.push_back(bb.Finish(hash_index));
      parts->push_back(cur);
      bb = BlockBuilder(restart_interval);
      cur.clear();
      bytes = 0;
    }
  }
  if (!cur.empty()) {
    blocks.push_back(bb.Finish(hash_index));
    parts->push_back(cur);
  }
  return blocks;
}

// What a correct program emits for `entries` (one well-formed block).
inline BlockResult Expected(const Evaluator& ev, const std::vector<const Expr*>& conjuncts,
                            const std::vector<Entry>& entries, bool shadows) {
  BlockResult r;
  r.status = abi::kBlockOk;
  r.entries = static_cast<uint32_t>(entries.size());
  for (const Entry& e : entries) {
    uint8_t type = static_cast<uint8_t>(e.ikey[e.ikey.size() - 8]);
    std::string uk = e.ikey.substr(0, e.ikey.size() - 8);
    if (type != 1) {
      r.records.push_back({abi::kNotValue, e.ikey, ""});
      continue;
    }
    Result<bool> m = ev.Matches(conjuncts, uk, e.value);
    if (!m.ok()) abort();
    if (*m) {
      r.records.push_back({abi::kMatched, e.ikey, e.value});
    } else if (shadows) {
      r.records.push_back({abi::kShadow, e.ikey, ""});
    }
  }
  return r;
}

inline CompileOptions TestOptions() {
  CompileOptions o;
  o.max_blocks = 16;
  o.block_capacity = 256 << 10;
  o.max_block_size = 64 << 10;
  o.out_capacity = 8192;
  o.key_arena_size = 256 << 10;
  return o;
}

}  // namespace pushdown::bpfgen::testing
