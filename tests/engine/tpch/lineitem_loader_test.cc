// The TPC-H lineitem loader: every generated row lands in the table, in order,
// with progress reports.
#include "engine/tpch/lineitem_loader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bpfgen/schema/tpch.h"
#include "engine/api/pushdown_db.h"
#include "engine/tpch/lineitem_gen.h"
#include "tests/engine/tpch/generate.h"

namespace pushdown::engine::tpch {
namespace {

using bpfgen::Datum;

TEST(LineitemLoaderTest, LoadsEveryRowThroughTheTable) {
  char tmpl[] = "/tmp/pd_tpch_loader_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  struct RemoveAtExit {
    std::string dir;
    ~RemoveAtExit() { std::filesystem::remove_all(dir); }
  } remove_at_exit{dir};
  {
    auto db = PushdownDB::Open(dir + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto table = (*db)->CreateTable("lineitem", bpfgen::kLineitemDdl);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    LoadOptions options;
    options.scale = 0.001;
    options.batch_rows = 100;
    uint64_t calls = 0, last_rows = 0;
    options.progress = [&](const LoadProgress& p) {
      ++calls;
      EXPECT_GE(p.rows, last_rows);
      EXPECT_LE(p.orders_done, p.orders_total);
      last_rows = p.rows;
    };
    auto summary = LoadLineitem(*table, options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->orders, 1500u);
    EXPECT_EQ(last_rows, summary->rows);
    EXPECT_GE(calls, summary->rows / 100);

    auto expected = Generate(0.001, kDefaultSeed);
    ASSERT_EQ(expected.size(), summary->rows);
    // The iterator path: this checks what the loader wrote, not the pushdown.
    ScanOptions so;
    so.device = exec::DeviceRequest::kIterator;
    auto cursor = (*db)->Scan("lineitem", "l_linenumber >= 1", so);
    ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
    size_t n = 0;
    for (;;) {
      ASSERT_TRUE((*cursor)->Next().ok());
      if (!(*cursor)->Valid()) break;
      ASSERT_LT(n, expected.size());
      ASSERT_EQ((*cursor)->row(), expected[n]) << "row " << n;
      ++n;
    }
    EXPECT_EQ(n, expected.size());
  }
}

}  // namespace
}  // namespace pushdown::engine::tpch
