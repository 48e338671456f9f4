#include "pushdown/scan/projection.h"

#include <gtest/gtest.h>

#include "bpfgen/schema/row_codec.h"

namespace pushdown::exec {
namespace {

using bpfgen::Datum;

TEST(ProjectionTest, SchemaColumnsDecodeAsDatums) {
  auto schema =
      bpfgen::ParseSchema("id INT64 KEY, name VARCHAR(10), price DECIMAL(10,2), note VARCHAR(5)");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(*schema);
  std::string value;
  ASSERT_TRUE(bpfgen::EncodeRow(
                  *schema, layout,
                  {Datum::Int(7), Datum::String("bolt"), Datum::Int(1250), Datum::Null()}, &value)
                  .ok());
  auto p = Projector::Make(*schema, Projection::Columns({3, 1, 2}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Row row;
  ASSERT_TRUE(p->Project("k", value, &row).ok());
  EXPECT_EQ(row.key, "k");
  EXPECT_TRUE(row.value.empty());
  ASSERT_EQ(row.columns.size(), 3u);
  EXPECT_TRUE(row.columns[0].is_null());
  EXPECT_EQ(row.columns[1], Datum::String("bolt"));
  EXPECT_EQ(row.columns[2], Datum::Int(1250));

  // A malformed row is Corruption, whichever columns are projected.
  Status s = p->Project("k", value.substr(0, 3), &row);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();

  auto all = Projector::Make(*schema, Projection::All());
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(all->Project("k", value, &row).ok());
  EXPECT_EQ(row.value, value);
  EXPECT_TRUE(row.columns.empty());
  EXPECT_FALSE(Projector::Make(*schema, Projection::Columns({4})).ok());
  EXPECT_FALSE(Projector::Make(*schema, Projection::Columns({-1})).ok());
}

}  // namespace
}  // namespace pushdown::exec
