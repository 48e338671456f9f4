// TortureCase::CountWrongScans: the negative control's checker (no assertion
// on the rows: it counts the scans that differ from the iterator).
#include <gtest/gtest.h>

#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec::testing_support {

int TortureCase::CountWrongScans(const OpenFn& open) {
  SCOPED_TRACE(Describe());
  std::vector<const rocksdb::Snapshot*> snaps = snapshots_;
  snaps.push_back(nullptr);  // latest
  int wrong = 0;
  for (const rocksdb::Snapshot* snap : snaps) {
    const uint64_t seq = snap ? snap->GetSequenceNumber() : db_->db()->GetLatestSequenceNumber();
    const auto expected = Expected(snap);
    ScanPlan plan;
    plan.bytewise_comparator = true;
    plan.files = files_;
    plan.snapshot = seq;
    plan.schema = &schema_;
    auto scan = open(plan);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) continue;
    std::vector<std::pair<std::string, std::string>> got;
    Row row;
    for (;;) {
      Status s = (*scan)->Next(&row);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || !(*scan)->Valid()) break;
      got.emplace_back(row.key, row.value);
    }
    wrong += got != expected;
  }
  return wrong;
}

}  // namespace pushdown::exec::testing_support
