// RowBatch / RowBatchLayout (row_batch.h): every accessor equals the row
// cursor's projection (Projector) on random rows of a schema with every
// type and NULLs; raw mode; bad layouts; Truncate, Clear, moves, and a batch
// that outlives the schema and layout it was made with (run under ASan by
// the sanitizer build).
#include "pushdown/scan/row_batch.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/schema/row_codec.h"
#include "pushdown/scan/projection.h"

namespace pushdown::exec {
namespace {

using bpfgen::Datum;

constexpr char kDdl[] =
    "k INT64 KEY, b BOOL, i INT32, d DATE NOT NULL, big INT64, m DECIMAL(12,2), x DOUBLE, "
    "c CHAR(5), v VARCHAR(20), w VARCHAR(8) NOT NULL";

std::shared_ptr<const bpfgen::Schema> ParsedSchema() {
  auto s = bpfgen::ParseSchema(kDdl);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::make_shared<const bpfgen::Schema>(std::move(s).value());
}

std::vector<Datum> RandomRow(std::mt19937_64& rng, const bpfgen::Schema& schema, int64_t k) {
  std::vector<Datum> row;
  for (const bpfgen::Column& c : schema.columns) {
    if (c.nullable && !c.is_key() && rng() % 4 == 0) {
      row.push_back(Datum::Null());
      continue;
    }
    switch (c.type.id) {
      case bpfgen::TypeId::kBool:
        row.push_back(Datum::Bool(rng() % 2));
        break;
      case bpfgen::TypeId::kInt32:
        row.push_back(Datum::Int(static_cast<int32_t>(rng())));
        break;
      case bpfgen::TypeId::kDate:
        row.push_back(Datum::Int(static_cast<int64_t>(rng() % 20000)));
        break;
      case bpfgen::TypeId::kInt64:
        row.push_back(Datum::Int(c.is_key() ? k : static_cast<int64_t>(rng())));
        break;
      case bpfgen::TypeId::kDecimal:
        row.push_back(Datum::Int(static_cast<int64_t>(rng() % 100000000000) - 50000000000));
        break;
      case bpfgen::TypeId::kDouble:
        row.push_back(Datum::Double(static_cast<double>(rng() % 1000000) / 7.0 - 1000.0));
        break;
      default: {  // CHAR, VARCHAR: lengths up to the limit, spaces at the end sometimes
        const size_t limit = c.type.length;
        std::string s(rng() % (limit + 1), 'a');
        for (char& ch : s) ch = static_cast<char>('a' + rng() % 26);
        if (c.type.id == bpfgen::TypeId::kChar && !s.empty() && rng() % 2) s.back() = ' ';
        if (c.type.id == bpfgen::TypeId::kChar) {
          while (!s.empty() && s.back() == ' ') s.pop_back();
        }
        row.push_back(Datum::String(s));
      }
    }
  }
  return row;
}

TEST(RowBatchTest, AccessorsEqualTheProjectionOnRandomRows) {
  auto schema = ParsedSchema();
  ASSERT_NE(schema, nullptr);
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(*schema);
  std::mt19937_64 rng(11);
  // Output columns: all, then a shuffled list with repeats.
  std::vector<std::vector<int>> lists = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {8, 0, 8, 7, 6, 9, 1}};
  for (const std::vector<int>& columns : lists) {
    auto bl = RowBatchLayout::Make(schema, columns);
    ASSERT_TRUE(bl.ok()) << bl.status().ToString();
    auto projector = Projector::Make(*schema, Projection::Columns(columns));
    ASSERT_TRUE(projector.ok());
    RowBatch batch;
    batch.Reset(*bl);
    std::vector<Row> want;
    for (int64_t k = 0; k < 300; ++k) {
      std::string key = "key" + std::to_string(k), value;
      ASSERT_TRUE(bpfgen::EncodeRow(*schema, layout, RandomRow(rng, *schema, k), &value).ok());
      ASSERT_TRUE((*bl)->Validate(value).ok());
      batch.Append(key, value);
      Row r;
      ASSERT_TRUE(projector->Project(key, value, &r).ok());
      want.push_back(std::move(r));
    }
    ASSERT_EQ(batch.size(), want.size());
    ASSERT_EQ(batch.num_columns(), columns.size());
    uint64_t nulls = 0;
    Datum d;
    for (size_t r = 0; r < batch.size(); ++r) {
      EXPECT_EQ(batch.key(r), want[r].key);
      for (size_t c = 0; c < columns.size(); ++c) {
        const Datum& w = want[r].columns[c];
        batch.GetDatum(r, c, &d);
        EXPECT_TRUE(d == w) << "row " << r << " column " << c;
        ASSERT_EQ(batch.IsNull(r, c), w.is_null());
        nulls += w.is_null();
        if (w.is_null()) continue;
        const bpfgen::TypeId t = schema->columns[columns[c]].type.id;
        if (t == bpfgen::TypeId::kDouble) {
          EXPECT_EQ(batch.GetDouble(r, c), w.d);
        } else if (t == bpfgen::TypeId::kChar || t == bpfgen::TypeId::kVarchar ||
                   t == bpfgen::TypeId::kBytes) {
          EXPECT_EQ(batch.GetString(r, c), w.s);
        } else {
          EXPECT_EQ(batch.GetInt64(r, c), w.i);
        }
      }
    }
    EXPECT_GT(nulls, 0u);
  }
}

TEST(RowBatchTest, RawModeAndBadLayouts) {
  auto raw = std::make_shared<const bpfgen::Schema>(bpfgen::Schema::Raw());
  auto bl = RowBatchLayout::Make(raw, {1, 0});
  ASSERT_TRUE(bl.ok());
  EXPECT_TRUE((*bl)->Validate(std::string("\0\xff", 2)).ok()) << "raw values are any bytes";
  RowBatch batch;
  batch.Reset(*bl);
  batch.Append(std::string("k\0", 2), "");
  batch.Append("", std::string("v\0x", 3));
  EXPECT_EQ(batch.GetString(0, 1), std::string("k\0", 2));
  EXPECT_EQ(batch.GetString(0, 0), "");
  EXPECT_EQ(batch.GetString(1, 0), std::string("v\0x", 3));
  EXPECT_FALSE(batch.IsNull(1, 0));

  EXPECT_TRUE(RowBatchLayout::Make(raw, {2}).status().IsInvalidArgument());
  EXPECT_TRUE(RowBatchLayout::Make(nullptr, {}).status().IsInvalidArgument());
  auto schema = ParsedSchema();
  EXPECT_TRUE(RowBatchLayout::Make(schema, {10}).status().IsInvalidArgument());
  EXPECT_TRUE(RowBatchLayout::Make(schema, {-1}).status().IsInvalidArgument());
  auto sl = RowBatchLayout::Make(schema, {0});
  ASSERT_TRUE(sl.ok());
  EXPECT_TRUE((*sl)->Validate("").IsCorruption());
  EXPECT_TRUE((*sl)->Validate(std::string(200, '\x02')).IsCorruption()) << "bad version";
}

TEST(RowBatchTest, TruncateClearMoveAndOwnership) {
  RowBatch batch;
  {
    auto schema = ParsedSchema();
    auto bl = RowBatchLayout::Make(schema, {8});  // v VARCHAR(20)
    ASSERT_TRUE(bl.ok());
    batch.Reset(*bl);
  }  // the schema and layout live on in the batch
  const bpfgen::Schema& schema = batch.layout()->schema();
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(schema);
  std::mt19937_64 rng(3);
  std::vector<std::string> want;
  for (int k = 0; k < 100; ++k) {
    std::vector<Datum> row = RandomRow(rng, schema, k);
    row[8] = Datum::String(std::string(k % 21, static_cast<char>('a' + k % 26)));
    std::string value;
    ASSERT_TRUE(bpfgen::EncodeRow(schema, layout, row, &value).ok());
    batch.Append("k" + std::to_string(k), value);
    want.push_back(row[8].s);
  }
  batch.Truncate(150);  // no-op
  ASSERT_EQ(batch.size(), 100u);
  batch.Truncate(40);
  ASSERT_EQ(batch.size(), 40u);
  const std::string first_value(batch.value(0));
  batch.Append("again", first_value);
  RowBatch moved = std::move(batch);
  ASSERT_EQ(moved.size(), 41u);
  for (size_t r = 0; r < 40; ++r) EXPECT_EQ(moved.GetString(r, 0), want[r]);
  EXPECT_EQ(moved.GetString(40, 0), want[0]);
  EXPECT_EQ(moved.key(39), "k39");
  const size_t bytes = moved.bytes();
  moved.Clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(moved.bytes(), 0u);
  EXPECT_GT(bytes, 0u);
  EXPECT_EQ(moved.num_columns(), 1u) << "Clear keeps the layout";
}

}  // namespace
}  // namespace pushdown::exec
