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
