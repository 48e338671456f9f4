// The planner's decision order, reasons, strict_device and the program cache
// lookup (host device only: runs without BPF privilege).
#include "pushdown/plan/planner.h"

#include <gtest/gtest.h>

#include "bpfgen/lang/predicate.h"

namespace pushdown::plan {
namespace {

struct Fixture {
  bpfgen::Schema schema = bpfgen::Schema::Raw();
  bpfgen::Predicate predicate;
  exec::ProgramCache cache{&exec::DeviceRegistry::Default()};
  Fixture() {
    auto p = bpfgen::CompilePredicate("u64be(key, 0) % 100 < 2", schema);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    predicate = std::move(p).value();
  }
  PlanRequest Request(exec::DeviceRequest d) {
    PlanRequest r;
    r.schema = &schema;
    r.predicate = &predicate;
    r.device = d;
    return r;
  }
};

TEST(PlannerTest, IteratorRequestedAndColumnFamilyReasons) {
  Fixture f;
  auto p = MakePlan(f.Request(exec::DeviceRequest::kIterator), &f.cache);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->path, Path::kIterator);
  EXPECT_EQ(p->iterator_reason, IteratorReason::kRequested);
  EXPECT_EQ(p->fallback_reason, "");
  EXPECT_EQ(f.cache.misses(), 0u);  // nothing compiled for the iterator path

  struct Case {
    ColumnFamilyFacts facts;
    IteratorReason reason;
    const char* text;
  };
  ColumnFamilyFacts merge;
  merge.merge_operator = "UInt64AddOperator";
  merge.memtable_entries = 3;
  ColumnFamilyFacts ts;
  ts.timestamp_size = 8;
  ts.bytewise_comparator = false;
  ts.comparator = "leveldb.BytewiseComparator.u64ts";
  ColumnFamilyFacts reverse;
  reverse.bytewise_comparator = false;
  reverse.comparator = "rocksdb.ReverseBytewiseComparator";
  ColumnFamilyFacts blob;
  blob.blob_files = true;
  ColumnFamilyFacts mem;
  mem.memtable_entries = 5;
  ColumnFamilyFacts mem_ro = mem;
  mem_ro.read_only = true;
  ColumnFamilyFacts mem_why = mem;
  mem_why.memtable_fallback_reason = "writes with the WAL disabled";
  for (const Case& c : {Case{merge, IteratorReason::kMergeOperator, "merge operator"},
                        Case{ts, IteratorReason::kTimestamps, "user-defined timestamps"},
                        Case{reverse, IteratorReason::kComparator, "non-bytewise comparator"},
                        Case{blob, IteratorReason::kBlobFiles, "blob files"},
                        Case{mem, IteratorReason::kMemtable, "unflushed data in the memtable"},
                        Case{mem_ro, IteratorReason::kMemtable, "read-only DB with unflushed"},
                        Case{mem_why, IteratorReason::kMemtable, "memtable: writes with"}}) {
    PlanRequest r = f.Request(exec::DeviceRequest::kHost);
    r.cf = c.facts;
    auto p = MakePlan(r, &f.cache);
    ASSERT_TRUE(p.ok()) << c.text;
    EXPECT_EQ(p->path, Path::kIterator) << c.text;
    EXPECT_EQ(p->iterator_reason, c.reason) << c.text;
    EXPECT_EQ(p->device, "iterator");
    EXPECT_NE(p->fallback_reason.find(c.text), std::string::npos) << p->fallback_reason;
    // strict: an error naming the reason.
    r.strict_device = true;
    auto s = MakePlan(r, &f.cache);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_TRUE(s.status().IsUnavailable());
    EXPECT_NE(s.status().message().find(c.text), std::string::npos) << s.status().message();
  }
}

TEST(PlannerTest, MergeOperatorWithoutMemtableDataAndCapturedMemtableTakePushdown) {
  Fixture f;
  PlanRequest r = f.Request(exec::DeviceRequest::kHost);
  r.cf.merge_operator = "UInt64AddOperator";  // files with operands are rejected per file
  auto p = MakePlan(r, &f.cache);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->path, Path::kPushdown);
  r.cf = ColumnFamilyFacts();
  r.cf.memtable_entries = 10;
  r.cf.memtable_captured = true;
  p = MakePlan(r, &f.cache);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->path, Path::kPushdown);
}

TEST(PlannerTest, HostPlanCompilesOnceAndReportsCachedPerLookup) {
  Fixture f;
  PlanRequest r = f.Request(exec::DeviceRequest::kHost);
  r.strict_device = true;
  auto first = MakePlan(r, &f.cache);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->path, Path::kPushdown);
  EXPECT_EQ(first->device, "host");
  EXPECT_EQ(first->fallback_reason, "");
  ASSERT_NE(first->program, nullptr);
  EXPECT_FALSE(first->program_cached);
  EXPECT_EQ(first->device_conjuncts.size(), 1u);
  EXPECT_EQ(first->pushdown_kind, bpfgen::PushdownKind::kFull);
  auto second = MakePlan(r, &f.cache);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->program_cached);
  EXPECT_EQ(second->compile_ms, 0);
  EXPECT_EQ(second->program, first->program);
  EXPECT_EQ(f.cache.misses(), 1u);
  // A later stage moves it to the iterator path; strict makes that an error.
  Plan moved = *second;
  EXPECT_TRUE(FallBackToIterator(&moved, IteratorReason::kFile, "000012.sst: range deletions (1)",
                                 /*strict=*/false)
                  .ok());
  EXPECT_EQ(moved.path, Path::kIterator);
  EXPECT_EQ(moved.fallback_reason, "000012.sst: range deletions (1)");
  EXPECT_EQ(moved.program, nullptr);
  Plan strict = *second;
  EXPECT_TRUE(
      FallBackToIterator(&strict, IteratorReason::kFile, "x", /*strict=*/true).IsUnavailable());
}

TEST(PlannerTest, KernelRequestFollowsTheDeviceChoice) {
  Fixture f;
  PlanRequest r = f.Request(exec::DeviceRequest::kKernel);
  auto p = MakePlan(r, &f.cache);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->path, Path::kPushdown);
  if (exec::DeviceRegistry::Default().kernel().Available().ok()) {
    EXPECT_EQ(p->device, "kernel") << p->fallback_reason;
  } else {
    EXPECT_EQ(p->device, "host");
    EXPECT_FALSE(p->fallback_reason.empty());
    r.strict_device = true;
    EXPECT_TRUE(MakePlan(r, &f.cache).status().IsUnavailable());
  }
}

// Nothing pushed (TRUE): no program is compiled or run on any device, and
// a strict request for any device accepts that (no device was needed).
TEST(PlannerTest, NothingPushedPlansTheProgramLessHostStream) {
  Fixture f;
  auto t = bpfgen::CompilePredicate("TRUE", f.schema);
  ASSERT_TRUE(t.ok());
  f.predicate = std::move(t).value();
  for (exec::DeviceRequest d :
       {exec::DeviceRequest::kAuto, exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
    for (bool strict : {false, true}) {
      PlanRequest r = f.Request(d);
      r.strict_device = strict;
      auto p = MakePlan(r, &f.cache);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_EQ(p->path, Path::kPushdown);
      EXPECT_TRUE(p->host_decode);
      EXPECT_EQ(p->device, "none");
      EXPECT_EQ(p->program, nullptr);
      EXPECT_EQ(p->fallback_reason, "");
      EXPECT_TRUE(p->device_conjuncts.empty());
      EXPECT_EQ(p->compile_ms, 0);
    }
  }
  EXPECT_EQ(f.cache.misses(), 0u);  // nothing compiled
  // With a device aggregate the program has work (the partials): compiled.
  PlanRequest r = f.Request(exec::DeviceRequest::kHost);
  r.aggregates = {bpfgen::AggregateItem{bpfgen::AggregateOp::kCountStar, nullptr}};
  r.aggregates_key = "count(*)";
  auto agg = MakePlan(r, &f.cache);
  ASSERT_TRUE(agg.ok()) << agg.status().ToString();
  EXPECT_FALSE(agg->host_decode);
  EXPECT_NE(agg->program, nullptr);
  EXPECT_TRUE(agg->device_aggregates);
  EXPECT_EQ(agg->device, "host");
}

TEST(PlacementTest, EstimateChargesCompileFilesBytesAndRows) {
  CostInputs tiny;
  tiny.known = true;
  tiny.files = 1;
  tiny.data_bytes = 16 << 10;
  tiny.entries = 100;
  // A few KB: the compile and the file open outweigh what the pushdown path
  // saves per byte.
  EXPECT_LT(EstimateCost(tiny, /*compile=*/true).iterator_ms,
            EstimateCost(tiny, /*compile=*/true).pushdown_ms);
  EXPECT_LT(EstimateCost(tiny, false).pushdown_ms, EstimateCost(tiny, true).pushdown_ms);
  CostInputs big = tiny;
  big.files = 2;
  big.data_bytes = 94'555'746;  // TPC-H lineitem at scale 0.1
  big.entries = 598'839;
  for (bool truth : {false, true}) {
    big.predicate_true = truth;
    const CostEstimate e = EstimateCost(big, /*compile=*/true);
    EXPECT_LT(e.pushdown_ms, e.iterator_ms) << e.ToString();
    EXPECT_NE(e.ToString().find("compile"), std::string::npos) << e.ToString();
  }
  // Fewer rows delivered cost both paths less.
  CostInputs half = big;
  half.selectivity = 0.5;
  EXPECT_LT(EstimateCost(half, false).pushdown_ms, EstimateCost(big, false).pushdown_ms);
  EXPECT_LT(EstimateCost(half, false).iterator_ms, EstimateCost(big, false).iterator_ms);
  EXPECT_EQ(ParsePlacement("iterator"), Placement::kIterator);
  EXPECT_EQ(ParsePlacement("pushdown"), Placement::kPushdown);
  EXPECT_EQ(ParsePlacement("auto"), Placement::kAuto);
  EXPECT_EQ(ParsePlacement("cheapest"), std::nullopt);
}

// kAuto moves a plan to the iterator path only where the request allows both
// paths (device kAuto, not strict); kPushdown / kIterator force a path.
TEST(PlannerTest, PlacementTakesTheCheaperPathOnlyWhereTheRequestAllowsBoth) {
  Fixture f;
  CostInputs tiny;
  tiny.known = true;
  tiny.files = 1;
  tiny.data_bytes = 8 << 10;
  tiny.entries = 50;
  PlanRequest r = f.Request(exec::DeviceRequest::kAuto);
  r.cost = tiny;
  auto p = MakePlan(r, &f.cache);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->path, Path::kIterator);
  EXPECT_EQ(p->iterator_reason, IteratorReason::kCost);
  EXPECT_EQ(p->placement_decision, PlacementDecision::kCost);
  ASSERT_TRUE(p->cost.has_value());
  EXPECT_TRUE(p->cost->compile);
  EXPECT_LT(p->cost->iterator_ms, p->cost->pushdown_ms);
  EXPECT_EQ(p->fallback_reason, "");
  EXPECT_EQ(f.cache.misses(), 0u);  // the iterator path compiles nothing

  // Asked for by name: the pushdown path, estimated but not moved.
  for (exec::DeviceRequest d : {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
    PlanRequest named = r;
    named.device = d;
    auto q = MakePlan(named, &f.cache);
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->path, Path::kPushdown);
    EXPECT_EQ(q->placement_decision, PlacementDecision::kDevice);
    EXPECT_TRUE(q->cost.has_value());
  }
  PlanRequest strict = r;
  strict.strict_device = true;
  auto s = MakePlan(strict, &f.cache);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->path, Path::kPushdown);
  EXPECT_EQ(s->placement_decision, PlacementDecision::kDevice);

  PlanRequest forced = r;
  forced.placement = Placement::kPushdown;
  auto fp = MakePlan(forced, &f.cache);
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(fp->path, Path::kPushdown);
  EXPECT_EQ(fp->placement_decision, PlacementDecision::kRequested);
  ASSERT_NE(fp->program, nullptr);

  // Now the program is cached: no compile in the estimate.
  auto cached = MakePlan(r, &f.cache);
  ASSERT_TRUE(cached.ok());
  ASSERT_TRUE(cached->cost.has_value());
  EXPECT_FALSE(cached->cost->compile);

  forced.placement = Placement::kIterator;
  forced.device = exec::DeviceRequest::kHost;
  forced.strict_device = true;  // the iterator, asked for by placement, is not a fallback
  auto fi = MakePlan(forced, &f.cache);
  ASSERT_TRUE(fi.ok()) << fi.status().ToString();
  EXPECT_EQ(fi->path, Path::kIterator);
  EXPECT_EQ(fi->iterator_reason, IteratorReason::kRequested);
  EXPECT_EQ(fi->placement_decision, PlacementDecision::kRequested);

  // Much data: the pushdown path is cheaper, auto keeps it.
  PlanRequest big = r;
  big.cost.files = 2;
  big.cost.data_bytes = 94'555'746;
  big.cost.entries = 598'839;
  auto b = MakePlan(big, &f.cache);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->path, Path::kPushdown);
  EXPECT_EQ(b->placement_decision, PlacementDecision::kCost);
  // No estimate: auto keeps the pushdown path.
  PlanRequest unknown = f.Request(exec::DeviceRequest::kAuto);
  auto u = MakePlan(unknown, &f.cache);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path, Path::kPushdown);
  EXPECT_FALSE(u->cost.has_value());
}

TEST(PlannerTest, TargetSplitCaps) {
  EXPECT_TRUE(TargetSplitCaps(exec::DeviceRequest::kKernel).ok());
  EXPECT_TRUE(TargetSplitCaps(exec::DeviceRequest::kHost).ok());
  EXPECT_FALSE(TargetSplitCaps(exec::DeviceRequest::kHost)->name.empty() &&
               TargetSplitCaps(exec::DeviceRequest::kKernel)->double_arith);
  EXPECT_TRUE(TargetSplitCaps(exec::DeviceRequest::kAuto).status().IsInvalidArgument());
  EXPECT_TRUE(TargetSplitCaps(exec::DeviceRequest::kIterator).status().IsInvalidArgument());
  EXPECT_FALSE(TargetSplitCaps(exec::DeviceRequest::kKernel)->double_arith);
  EXPECT_TRUE(TargetSplitCaps(exec::DeviceRequest::kHost)->double_arith);
  EXPECT_EQ(exec::ParseDeviceRequest("kernel"), exec::DeviceRequest::kKernel);
  EXPECT_EQ(exec::ParseDeviceRequest("gpu"), std::nullopt);
  for (auto d : {exec::DeviceRequest::kAuto, exec::DeviceRequest::kKernel,
                 exec::DeviceRequest::kHost, exec::DeviceRequest::kIterator}) {
    EXPECT_EQ(exec::ParseDeviceRequest(exec::DeviceRequestName(d)), d);
  }
}

}  // namespace
}  // namespace pushdown::plan
