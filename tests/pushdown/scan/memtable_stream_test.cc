// ScanPlan::memtable: the memtables' entries merged first with the files.
// A memtable put overrides older file versions (and a failing one hides
// them), a memtable delete or single delete hides them, entries above the
// snapshot neither show nor hide; the memtable's share is counted.
#include "pushdown/scan/memtable_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "pushdown/scan/scan_executor.h"
#include "pushdown/scan/vector_stream.h"
#include "tests/pushdown/scan/scan_files.h"

namespace pushdown::exec {
namespace {

namespace vt = value_type;

using Rows = std::vector<std::pair<std::string, std::string>>;

Result<Rows> RunScan(const ScanPlan& plan, ScanStats* stats = nullptr) {
  PD_ASSIGN_OR_RETURN(auto scan, ScanExecutor::Open(plan));
  Rows rows;
  Row row;
  for (;;) {
    PD_RETURN_IF_ERROR(scan->Next(&row));
    if (!scan->Valid()) break;
    rows.emplace_back(row.key, row.value);
  }
  if (stats) *stats = scan->stats();
  return rows;
}

TEST(MemtableStreamTest, MergedFirstAndClassifiedOnTheHost) {
  RawScanDb d("pd_memtable_stream");
  for (const char* k : {"a", "b", "c", "d", "g"}) ASSERT_TRUE(d.db->Put(k, "v9").ok());
  ASSERT_TRUE(d.db->Put("c", "v1").ok());
  ASSERT_TRUE(d.db->Flush().ok());
  auto pred = bpfgen::CompilePredicate("value >= 'v5' AND key <> 'x'", d.schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  ScanPlan plan = d.Plan();
  const uint64_t snap = plan.snapshot + 10;  // the memtable's entries are newer than the files
  plan.snapshot = snap;
  plan.device_conjuncts = {pred->conjuncts[0].get()};
  plan.residual_conjuncts = {pred->conjuncts[1].get()};
  plan.projection = Projection::All();
  std::vector<OwnedEntry> mem = {
      {"a", snap - 5, vt::kValue, EntryClass::kMatched, "v1"},  // fails: hides a=v9
      {"b", snap - 4, vt::kDeletion, EntryClass::kNotValue, ""},
      {"c", snap - 3, vt::kValue, EntryClass::kMatched, "v8"},  // overrides c=v1
      {"d", snap - 2, vt::kSingleDeletion, EntryClass::kNotValue, ""},
      {"e", snap - 1, vt::kValue, EntryClass::kMatched, "v7"},    // new key
      {"g", snap + 1, vt::kDeletion, EntryClass::kNotValue, ""},  // above the snapshot
  };
  plan.memtable = std::make_shared<VectorEntryStream>("memtable", mem);
  ScanStats stats;
  auto rows = RunScan(plan, &stats);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"c", "v8"}, {"e", "v7"}, {"g", "v9"}}));
  EXPECT_EQ(stats.memtable_entries, 6u);
  EXPECT_EQ(stats.memtable_values_matched, 2u);  // c and e; a failed
  EXPECT_EQ(stats.memtable_bytes, 6u + 3 * 2);
  EXPECT_EQ(stats.files, 1u);

  // Without the memtable the files alone decide.
  plan.memtable = nullptr;
  rows = RunScan(plan);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"a", "v9"}, {"b", "v9"}, {"d", "v9"}, {"g", "v9"}}));
}

TEST(MemtableStreamTest, OutOfOrderMemtableIsAnError) {
  RawScanDb d("pd_memtable_stream");
  ASSERT_TRUE(d.db->Put("a", "v9").ok());
  ASSERT_TRUE(d.db->Flush().ok());
  ScanPlan plan = d.Plan();
  plan.memtable = std::make_shared<VectorEntryStream>(
      "memtable", std::vector<OwnedEntry>{{"b", 1, vt::kValue, EntryClass::kMatched, "x"},
                                          {"a", 1, vt::kValue, EntryClass::kMatched, "x"}});
  auto rows = RunScan(plan);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().ToString().find("memtable"), std::string::npos)
      << rows.status().ToString();
}

TEST(MemtableStreamTest, FilterErrorStopsTheScan) {
  ScanStats stats;
  auto inner = std::make_shared<VectorEntryStream>(
      "memtable", std::vector<OwnedEntry>{{"a", 1, vt::kValue, EntryClass::kMatched, "x"}});
  MemtableStream s(
      inner,
      [](std::string_view, std::string_view) -> Result<bool> {
        return Status::InvalidArgument("bad row");
      },
      &stats);
  s.SeekToFirst();
  EXPECT_FALSE(s.Valid());
  EXPECT_NE(s.status().ToString().find("bad row"), std::string::npos);
}

}  // namespace
}  // namespace pushdown::exec
