// Differential harness for aggregation on the device (program_abi.h,
// "Aggregation"): blocks of seq-0 entries flagged kAggregate, blocks with a
// newer version inside (kBlockNeedsRecords, taken back out), and ordinary
// record blocks, interleaved in the same runs; the accumulators after the last
// run (the program accumulates over runs) must equal the reference evaluator's aggregate of the OK
// kAggregate blocks, and every other block must report what Expected() says.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/bpfgen/codegen/differential.h"
#include "tests/bpfgen/codegen/run_util.h"

namespace pushdown::bpfgen::testing {

struct AggCase {
  const char* dataset;                                     // "lineitem" | "mixed"
  const char* predicate;                                   // nullptr: no device conjuncts
  std::vector<std::pair<AggregateOp, const char*>> items;  // arg nullptr: COUNT(*)
};

inline void PrintTo(const AggCase& c, std::ostream* os) {
  *os << c.dataset << ": " << (c.predicate ? c.predicate : "(all)");
}

// One aggregate's value, the way engine/api/aggregate.cc accumulates it.
struct RefAcc {
  uint64_t count = 0;
  __int128 sum = 0;
  std::optional<int64_t> best;
  friend bool operator==(const RefAcc& a, const RefAcc& b) {
    return a.count == b.count && a.sum == b.sum && a.best == b.best;
  }
};

inline std::string ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : v;
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

inline std::ostream& operator<<(std::ostream& os, const RefAcc& a) {
  os << "{count " << a.count << ", sum " << ToString(a.sum) << ", best ";
  if (a.best) {
    os << *a.best;
  } else {
    os << "none";
  }
  return os << "}";
}

// Folds one run's accumulator into a total (the host's merge of partials).
inline void MergeDevice(AggregateOp op, const abi::AggAccumulator& p, RefAcc* acc) {
  const uint64_t before = acc->count;
  acc->count += p.count;
  acc->sum += static_cast<__int128>(
      (static_cast<unsigned __int128>(static_cast<uint64_t>(p.sum_hi)) << 64) | p.sum_lo);
  if ((op == AggregateOp::kMin || op == AggregateOp::kMax) && p.count > 0) {
    if (before == 0 || !acc->best) {
      acc->best = p.value;
    } else if (op == AggregateOp::kMin) {
      acc->best = std::min(*acc->best, p.value);
    } else {
      acc->best = std::max(*acc->best, p.value);
    }
  }
}

// The newest version of each user key, kept when it is a Value, with its
// trailer rewritten to (seq 0, kTypeValue): a fully compacted bottommost file.
inline Dataset Compacted(const Dataset& d) {
  Dataset out;
  out.schema = d.schema;
  std::string last;
  bool have_last = false;
  for (const Entry& e : d.entries) {
    std::string uk = e.ikey.substr(0, e.ikey.size() - 8);
    if (have_last && uk == last) continue;
    last = uk;
    have_last = true;
    if (static_cast<uint8_t>(e.ikey[e.ikey.size() - 8]) != 1) continue;
    out.entries.push_back({InternalKey(uk, 0, 1), e.value});
  }
  return out;
}

struct AggBlock {
  StagedBlock staged;
  std::vector<Entry> entries;
  uint32_t want_status = abi::kBlockOk;
  uint32_t want_entries = 0;
};

class AggregateHarness {
 public:
  AggregateHarness(const Dataset& d, const AggCase& c) : d_(d), ev_(d.schema) {
    if (c.predicate) {
      auto p = CompilePredicate(c.predicate, d.schema);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      if (!p.ok()) return;
      pred_.emplace(std::move(p).value());
      SplitResult split = SplitPredicate(*pred_, d.schema, TargetCaps::Host());
      EXPECT_TRUE(split.residual.empty());
      conjuncts_ = split.device;
    }
    for (const auto& [op, text] : c.items) {
      AggregateItem item;
      item.op = op;
      if (text) {
        auto e = CompileExpression(text, d.schema);
        EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
        if (!e.ok()) return;
        item.arg = e->get();
        exprs_.push_back(std::move(e).value());
      }
      items_.push_back(item);
    }
    BuildBlocks();
  }

  const std::vector<const Expr*>& conjuncts() const { return conjuncts_; }
  const std::vector<AggregateItem>& items() const { return items_; }

  // Runs every block through `run` in batches (re-running from the first
  // unfinished block, as the device layer does) and checks the results.
  void Check(const abi::ProgramLayout& l, uint8_t* mem, const RunFn& run) {
    ASSERT_EQ(l.num_aggregates, items_.size());
    std::vector<RefAcc> got(items_.size());
    uint64_t got_rows = 0;
    size_t i = 0;
    int runs = 0;
    // The host owns the region: zeroed once, read once at the end (the
    // program accumulates over runs).
    std::memset(mem + l.agg_offset, 0, abi::kAggHeaderBytes + 32 * l.num_aggregates);
    while (i < blocks_.size()) {
      std::vector<StagedBlock> batch;
      size_t bytes = 0;
      for (size_t k = i; k < blocks_.size() && batch.size() < l.max_blocks; ++k) {
        if (bytes + blocks_[k].staged.data.size() + 8 > l.block_capacity) break;
        batch.push_back(blocks_[k].staged);
        bytes += (blocks_[k].staged.data.size() + 7) / 8 * 8;
      }
      abi::RunContext ctx = Stage(l, mem, batch);
      run(&ctx, mem);
      ++runs;
      RunResult r = Collect(l, mem, ctx, batch.size());
      ASSERT_GT(ctx.blocks_done, 0u) << "no progress at block " << i;
      for (size_t k = 0; k < ctx.blocks_done; ++k) {
        const AggBlock& want = blocks_[i + k];
        const BlockResult& b = r.blocks[k];
        ASSERT_EQ(b.status, want.want_status) << "block " << i + k;
        ASSERT_EQ(b.entries, want.want_entries) << "block " << i + k;
        if (want.staged.flags & abi::kAggregate) {
          ASSERT_TRUE(b.records.empty()) << "block " << i + k;
        } else {
          BlockResult expect =
              Expected(ev_, conjuncts_, want.entries, want.staged.flags & abi::kEmitShadows);
          ASSERT_EQ(b.records.size(), expect.records.size()) << "block " << i + k;
          for (size_t x = 0; x < b.records.size(); ++x) {
            ASSERT_EQ(b.records[x], expect.records[x]) << "block " << i + k << " record " << x;
          }
        }
      }
      i += ctx.blocks_done;
    }
    std::memcpy(&got_rows, mem + l.agg_offset, 8);
    for (size_t a = 0; a < items_.size(); ++a) {
      abi::AggAccumulator acc;
      std::memcpy(&acc, mem + l.agg_offset + abi::kAggHeaderBytes + 32 * a, sizeof(acc));
      MergeDevice(items_[a].op, acc, &got[a]);
    }
    EXPECT_GT(runs, 1) << "the blocks should span several runs";
    EXPECT_EQ(got_rows, want_rows_);
    EXPECT_GT(want_rows_, 0u) << "no row aggregated: a weak case";
    for (size_t a = 0; a < items_.size(); ++a) {
      EXPECT_EQ(got[a], want_[a]) << "aggregate " << a;
    }
  }

 private:
  void Reference(const std::vector<Entry>& entries) {
    for (const Entry& e : entries) {
      std::string uk = e.ikey.substr(0, e.ikey.size() - 8);
      Result<bool> m = ev_.Matches(conjuncts_, uk, e.value);
      ASSERT_TRUE(m.ok());
      if (!*m) continue;
      ++want_rows_;
      for (size_t a = 0; a < items_.size(); ++a) {
        RefAcc& acc = want_[a];
        if (items_[a].op == AggregateOp::kCountStar) {
          ++acc.count;
          continue;
        }
        Result<Datum> v = ev_.EvalValue(*items_[a].arg, uk, e.value);
        ASSERT_TRUE(v.ok());
        if (v->null) continue;
        ++acc.count;
        if (items_[a].op == AggregateOp::kSum) acc.sum += v->i;
        if (items_[a].op == AggregateOp::kMin) acc.best = std::min(acc.best.value_or(v->i), v->i);
        if (items_[a].op == AggregateOp::kMax) acc.best = std::max(acc.best.value_or(v->i), v->i);
      }
    }
  }

  // Blocks in turn: kAggregate over compacted entries; a compacted block with
  // its last entry given sequence 5 (kBlockNeedsRecords after aggregating
  // the rest, which must be taken back out); an ordinary records block of the
  // original versions (shadows on every other one), so that some runs end
  // with kBlockOutputFull after aggregate blocks.
  void BuildBlocks() {
    want_.assign(items_.size(), RefAcc{});
    Dataset compact = Compacted(d_);
    std::vector<std::vector<Entry>> cparts, oparts;
    auto cblocks = MakeBlocks(compact, 16, 4096, false, &cparts);
    auto oblocks = MakeBlocks(d_, 16, 4096, true, &oparts);
    for (size_t k = 0; k < cblocks.size(); ++k) {
      AggBlock b;
      b.entries = cparts[k];
      if (k % 3 == 1 && b.entries.size() > 1) {
        std::string& key = b.entries.back().ikey;
        key = InternalKey(key.substr(0, key.size() - 8), 5, 1);
        BlockBuilder bb(16);
        for (const Entry& e : b.entries) bb.Add(e.ikey, e.value);
        b.staged = {bb.Finish(), abi::kAggregate | (k % 2 ? abi::kEmitShadows : 0u)};
        b.want_status = abi::kBlockNeedsRecords;
        b.want_entries = static_cast<uint32_t>(b.entries.size() - 1);
      } else {
        b.staged = {cblocks[k], abi::kAggregate};
        b.want_entries = static_cast<uint32_t>(b.entries.size());
        Reference(b.entries);
      }
      blocks_.push_back(std::move(b));
      if (k < oblocks.size() && k % 2 == 0) {
        AggBlock o;
        o.entries = oparts[k];
        o.staged = {oblocks[k], (k / 2) % 2 ? abi::kEmitShadows : 0u};
        o.want_entries = static_cast<uint32_t>(o.entries.size());
        blocks_.push_back(std::move(o));
      }
    }
  }

  const Dataset& d_;
  Evaluator ev_;
  std::optional<Predicate> pred_;
  std::vector<const Expr*> conjuncts_;
  std::vector<ExprPtr> exprs_;
  std::vector<AggregateItem> items_;
  std::vector<AggBlock> blocks_;
  std::vector<RefAcc> want_;
  uint64_t want_rows_ = 0;
};

// Small outputs, so that record blocks fill them and runs end early.
inline CompileOptions AggregateTestOptions() {
  CompileOptions o = TestOptions();
  o.out_capacity = 300;
  o.key_arena_size = 16 << 10;
  return o;
}

using AO = AggregateOp;
inline const std::vector<AggCase>& AggCases() {
  static const std::vector<AggCase> cases = {
      {"lineitem",
       "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount "
       "BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
       {{AO::kSum, "l_extendedprice * l_discount"}, {AO::kCountStar, nullptr}}},
      {"lineitem",
       nullptr,
       {{AO::kCountStar, nullptr},
        {AO::kSum, "l_quantity"},
        {AO::kSum, "l_extendedprice * (1 - l_discount)"},
        {AO::kMin, "l_shipdate"},
        {AO::kMax, "l_shipdate"},
        {AO::kMin, "l_discount"},
        {AO::kMax, "l_extendedprice"},
        {AO::kCount, "l_orderkey"}}},
      {"lineitem",
       "l_returnflag = 'R' AND l_quantity > 10",
       {{AO::kSum, "l_extendedprice * (1 - l_discount) * (1 + l_tax)"},
        {AO::kCount, "l_comment"},
        {AO::kMax, "l_suppkey * 2 - l_partkey"}}},
      // NULLs, extreme INT64 values (the 128-bit carry), overflow -> NULL.
      {"mixed",
       "a > -5",
       {{AO::kCountStar, nullptr},
        {AO::kCount, "b"},
        {AO::kSum, "b"},
        {AO::kMin, "b"},
        {AO::kMax, "b"},
        {AO::kSum, "d"},
        {AO::kMin, "dt"},
        {AO::kMax, "a"},
        {AO::kSum, "a * b"},
        {AO::kSum, "b + b"},
        {AO::kCount, "f"},
        {AO::kCount, "s"},
        {AO::kMin, "d * 2"}}},
      {"mixed", nullptr, {{AO::kSum, "b"}, {AO::kSum, "a"}, {AO::kCount, "dt"}}},
  };
  return cases;
}

inline const Dataset& AggDataset(const std::string& name) {
  static const Dataset lineitem = MakeLineitem(11, 2000);
  static const Dataset mixed = MakeMixed(12, 2000);
  return name == "lineitem" ? lineitem : mixed;
}

}  // namespace pushdown::bpfgen::testing
