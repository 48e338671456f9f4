// Issue 11's adversarial predicates through the embedding API (in this
// process: a backend error that ended the process would end the test): 30
// ORed LIKEs, a 500-term sum, 60-deep arithmetic nesting, 57 x '%a' and a
// 256-element IN list, each aggregated on devices auto, kernel and host with
// exactly the iterator path's answer. The kernel device runs where BPF is
// usable; elsewhere auto/kernel fall back to the host with the reason.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lineitem_db.h"

namespace pushdown::engine {
namespace {

std::vector<std::string> Predicates() {
  std::vector<std::string> out;
  std::string ors = "l_comment LIKE '%special%'";
  for (int i = 0; i < 29; ++i) ors += " OR l_comment LIKE '%w" + std::to_string(i) + "x%'";
  out.push_back(ors);
  std::string sum = "l_quantity";
  for (int i = 1; i < 500; ++i) sum += " + l_quantity";
  out.push_back(sum + " > 0");
  std::string nest = "l_partkey";
  for (int i = 0; i < 60; ++i) nest = "((" + nest + " * 3) % 7)";
  out.push_back(nest + " > 2");
  std::string like = "l_comment LIKE '";
  for (int i = 0; i < 57; ++i) like += "%a";
  out.push_back(like + "'");
  std::string in = "l_partkey % 1000 IN (";
  for (int i = 0; i < 256; ++i) in += (i ? ", " : "") + std::to_string(i * 3);
  out.push_back(in + ")");
  return out;
}

std::string Render(const AggregateResult& r) {
  std::string s;
  for (const Datum& d : r.values) s += (d.is_null() ? "NULL" : std::to_string(d.i)) + " ";
  return s;
}

TEST(AdversarialApiTest, SameAnswerAsTheIteratorOnEveryDevice) {
  LineitemDb ldb(0.002);
  ASSERT_NE(ldb.db, nullptr);
  PushdownDB& db = *ldb.db;

  const char* kAggregates = "count(*), sum(l_quantity)";
  for (const std::string& where : Predicates()) {
    ScanOptions iter;
    iter.device = exec::DeviceRequest::kIterator;
    auto want = db.Aggregate("lineitem", where, kAggregates, iter);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    for (exec::DeviceRequest d :
         {exec::DeviceRequest::kAuto, exec::DeviceRequest::kKernel, exec::DeviceRequest::kHost}) {
      ScanOptions so;
      so.device = d;
      auto got = db.Aggregate("lineitem", where, kAggregates, so);
      ASSERT_TRUE(got.ok()) << exec::DeviceRequestName(d) << ": " << got.status().ToString();
      EXPECT_EQ(Render(*got), Render(*want))
          << exec::DeviceRequestName(d) << " " << where.substr(0, 60);
      EXPECT_EQ(got->info.path, "pushdown") << got->info.fallback_reason;
      // Where it did not run as asked, it says why.
      if (d != exec::DeviceRequest::kAuto && got->info.device != exec::DeviceRequestName(d)) {
        EXPECT_FALSE(got->info.fallback_reason.empty()) << where.substr(0, 60);
      }
    }
  }
}

}  // namespace
}  // namespace pushdown::engine
