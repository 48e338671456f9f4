// Property tests of the row codec: random rows of random schemas round-trip
// exactly; every truncation is Corruption; random corruption never crashes
// and DecodeRow / DecodeColumn agree.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>

#include "bpfgen/schema/date.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {
namespace {

class RowGen {
 public:
  explicit RowGen(uint32_t seed) : rng_(seed) {}

  Schema RandomSchema() {
    Schema s;
    const int n = 1 + static_cast<int>(rng_() % 20);
    for (int i = 0; i < n; ++i) {
      Column c;
      c.name = "c" + std::to_string(i);
      c.type = RandomType();
      c.nullable = rng_() % 2;
      if (!c.nullable && rng_() % 3 == 0 && c.type.id != TypeId::kDouble) {
        c.key_position = static_cast<int>(s.key_columns.size());
        s.key_columns.push_back(i);
      }
      s.columns.push_back(c);
    }
    if (s.key_columns.empty()) {
      s.columns[0].nullable = false;
      s.columns[0].key_position = 0;
      s.key_columns.push_back(0);
    }
    return s;
  }

  Type RandomType() {
    switch (rng_() % 8) {
      case 0:
        return Type::Bool();
      case 1:
        return Type::Int32();
      case 2:
        return Type::Int64();
      case 3: {
        const int p = 1 + static_cast<int>(rng_() % 18);
        return Type::Decimal(p, static_cast<int>(rng_() % (p + 1)));
      }
      case 4:
        return Type::Date();
      case 5:
        return Type::Double();
      case 6:
        return Type::Char(1 + rng_() % 30);
      default:
        return Type::Varchar(1 + rng_() % 50);
    }
  }

  // A valid value, biased to the extremes.
  Datum RandomValue(const Column& c) {
    if (c.nullable && rng_() % 4 == 0) return Datum::Null();
    const bool extreme = rng_() % 3 == 0;
    const Type& t = c.type;
    switch (t.id) {
      case TypeId::kBool:
        return Datum::Bool(rng_() % 2);
      case TypeId::kInt32:
        if (extreme) return Datum::Int(rng_() % 2 ? INT32_MIN : INT32_MAX);
        return Datum::Int(static_cast<int32_t>(rng_()));
      case TypeId::kInt64:
        if (extreme) {
          return Datum::Int(rng_() % 2 ? std::numeric_limits<int64_t>::min()
                                       : std::numeric_limits<int64_t>::max());
        }
        return Datum::Int(static_cast<int64_t>(Rng64()));
      case TypeId::kDecimal: {
        const int64_t limit = kPow10[t.precision] - 1;
        if (extreme) return Datum::Int(rng_() % 2 ? -limit : limit);
        return Datum::Int(static_cast<int64_t>(Rng64() % static_cast<uint64_t>(limit + 1)) *
                          (rng_() % 2 ? 1 : -1));
      }
      case TypeId::kDate:
        if (extreme) return Datum::Int(rng_() % 2 ? kMinDateDays : kMaxDateDays);
        return Datum::Int(kMinDateDays +
                          static_cast<int64_t>(rng_() % (kMaxDateDays - kMinDateDays + 1)));
      case TypeId::kDouble: {
        uint64_t bits = Rng64();  // any bit pattern, NaNs included
        double d;
        std::memcpy(&d, &bits, 8);
        if (extreme) d = rng_() % 2 ? -0.0 : std::numeric_limits<double>::infinity();
        return Datum::Double(d);
      }
      case TypeId::kChar:
      case TypeId::kVarchar: {
        size_t n = extreme ? (rng_() % 2 ? 0 : t.length) : rng_() % (t.length + 1);
        std::string s;
        for (size_t k = 0; k < n; ++k) s.push_back(static_cast<char>(rng_()));
        // CHAR values read back without trailing spaces: generate them that way.
        if (t.id == TypeId::kChar) s = std::string(TrimTrailingSpaces(s));
        return Datum::String(s);
      }
      default:
        return Datum::Null();
    }
  }

  uint64_t Rng64() { return (static_cast<uint64_t>(rng_()) << 32) | rng_(); }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

TEST(RowCodecPropertyTest, RandomRowsRoundTrip) {
  RowGen gen(1234);
  for (int schema_iter = 0; schema_iter < 300; ++schema_iter) {
    const Schema s = gen.RandomSchema();
    // The DDL round-trips too.
    auto reparsed = ParseSchema(s.ToDdl());
    ASSERT_TRUE(reparsed.ok()) << s.ToDdl();
    ASSERT_EQ(*reparsed, s);
    const RowLayout layout = RowLayout::Compute(s);
    for (int row_iter = 0; row_iter < 30; ++row_iter) {
      std::vector<Datum> row;
      for (const Column& c : s.columns) row.push_back(gen.RandomValue(c));
      std::string value;
      ASSERT_TRUE(EncodeRow(s, layout, row, &value).ok()) << s.ToDdl();
      std::vector<Datum> back;
      ASSERT_TRUE(DecodeRow(s, layout, value, &back).ok());
      ASSERT_EQ(back, row) << s.ToDdl();
      for (size_t i = 0; i < s.columns.size(); ++i) {
        Datum d;
        ASSERT_TRUE(DecodeColumn(s, layout, value, static_cast<int>(i), &d).ok());
        ASSERT_EQ(d, row[i]);
      }
      // Every truncation is Corruption.
      for (size_t n = 0; n < value.size(); ++n) {
        ASSERT_TRUE(
            DecodeRow(s, layout, std::string_view(value).substr(0, n), &back).IsCorruption())
            << s.ToDdl() << " truncated to " << n;
      }
    }
  }
}

TEST(RowCodecPropertyTest, RandomCorruptionNeverCrashes) {
  RowGen gen(99);
  int decoded_ok = 0, corrupt = 0;
  for (int schema_iter = 0; schema_iter < 200; ++schema_iter) {
    const Schema s = gen.RandomSchema();
    const RowLayout layout = RowLayout::Compute(s);
    std::vector<Datum> row;
    for (const Column& c : s.columns) row.push_back(gen.RandomValue(c));
    std::string good;
    ASSERT_TRUE(EncodeRow(s, layout, row, &good).ok());
    for (int iter = 0; iter < 100; ++iter) {
      // Copy into an exactly-sized heap buffer so that ASan sees any overread.
      std::string bad = good;
      const int flips = 1 + static_cast<int>(gen.rng()() % 4);
      for (int f = 0; f < flips; ++f) {
        bad[gen.rng()() % bad.size()] = static_cast<char>(gen.rng()());
      }
      if (gen.rng()() % 4 == 0) bad.resize(gen.rng()() % (bad.size() + 1));
      std::unique_ptr<char[]> buf(new char[bad.size() + 1]);
      std::memcpy(buf.get(), bad.data(), bad.size());
      const std::string_view v(buf.get(), bad.size());
      std::vector<Datum> back;
      const Status st = DecodeRow(s, layout, v, &back);
      ASSERT_TRUE(st.ok() || st.IsCorruption()) << st.ToString();
      st.ok() ? ++decoded_ok : ++corrupt;
      for (size_t i = 0; i < s.columns.size(); ++i) {
        Datum d;
        const Status cs = DecodeColumn(s, layout, v, static_cast<int>(i), &d);
        ASSERT_TRUE(cs.ok() || cs.IsCorruption());
        // A well-formed value decodes the same column by column.
        if (st.ok()) {
          ASSERT_TRUE(cs.ok());
          ASSERT_EQ(d, back[i]);
        }
      }
    }
  }
  // Both outcomes happen, so the test exercises both paths.
  EXPECT_GT(decoded_ok, 1000);
  EXPECT_GT(corrupt, 1000);
}

}  // namespace
}  // namespace pushdown::bpfgen
