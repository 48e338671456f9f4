#include "bpfgen/schema/key_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "bpfgen/schema/date.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Enc(const Type& t, const Datum& v) {
  std::string out;
  AppendKeyColumn(t, v, &out);
  return out;
}

TEST(KeyCodecTest, FixedEncodings) {
  EXPECT_EQ(Hex(Enc(Type::Int32(), Datum::Int(0))), "80000000");
  EXPECT_EQ(Hex(Enc(Type::Int32(), Datum::Int(-1))), "7fffffff");
  EXPECT_EQ(Hex(Enc(Type::Int32(), Datum::Int(1))), "80000001");
  EXPECT_EQ(Hex(Enc(Type::Date(), Datum::Int(kMinDateDays))), "7ff506c6");
  EXPECT_EQ(Hex(Enc(Type::Int64(), Datum::Int(kMin))), "0000000000000000");
  EXPECT_EQ(Hex(Enc(Type::Int64(), Datum::Int(kMax))), "ffffffffffffffff");
  EXPECT_EQ(Hex(Enc(Type::Int64(), Datum::Int(258))), "8000000000000102");
  EXPECT_EQ(Hex(Enc(Type::Decimal(15, 2), Datum::Int(-5))), "7ffffffffffffffb");
  EXPECT_EQ(Hex(Enc(Type::Bool(), Datum::Bool(true))), "01");
  EXPECT_EQ(Hex(Enc(Type::Double(), Datum::Double(1.0))), "bff0000000000000");
  EXPECT_EQ(Hex(Enc(Type::Double(), Datum::Double(-1.0))), "400fffffffffffff");
  EXPECT_EQ(Hex(Enc(Type::Double(), Datum::Double(0.0))), "8000000000000000");
}

TEST(KeyCodecTest, DoubleZeroAndNaN) {
  const Type t = Type::Double();
  EXPECT_EQ(Enc(t, Datum::Double(-0.0)), Enc(t, Datum::Double(0.0)));
  const std::string nan = Enc(t, Datum::Double(std::nan("")));
  EXPECT_EQ(Enc(t, Datum::Double(-std::nan(""))), nan);
  EXPECT_GT(nan, Enc(t, Datum::Double(INFINITY)));
  EXPECT_LT(Enc(t, Datum::Double(-INFINITY)), Enc(t, Datum::Double(-1e308)));
}

TEST(KeyCodecTest, StringEscapes) {
  const Type v = Type::Varchar(10);
  EXPECT_EQ(Hex(Enc(v, Datum::String(""))), "0001");
  EXPECT_EQ(Hex(Enc(v, Datum::String("ab"))), "61620001");
  EXPECT_EQ(Hex(Enc(v, Datum::String(std::string("a\0b", 3)))), "6100ff620001");
  EXPECT_EQ(Hex(Enc(Type::Char(4), Datum::String("ab  "))), "61620001");
}

TEST(KeyCodecTest, EncodeKeyReadsKeyColumnsInKeyOrder) {
  auto s = ParseSchema("v VARCHAR(5) NOT NULL, b INT32 KEY, a INT64 KEY");
  ASSERT_TRUE(s.ok());
  const std::vector<Datum> row = {Datum::String("x"), Datum::Int(1), Datum::Int(2)};
  EXPECT_EQ(Hex(EncodeKey(*s, row)),
            "80000001"
            "8000000000000002");
  EXPECT_EQ(EncodeKey(*s, row), EncodeKeyColumns(*s, {Datum::Int(1), Datum::Int(2)}));
  EXPECT_EQ(Hex(EncodeKeyColumns(*s, {Datum::Int(1)})), "80000001");  // prefix
  std::vector<Datum> key;
  ASSERT_TRUE(DecodeKey(*s, EncodeKey(*s, row), &key).ok());
  EXPECT_EQ(key, (std::vector<Datum>{Datum::Int(1), Datum::Int(2)}));
}

TEST(KeyCodecTest, RawKeysAreUnchanged) {
  const Schema raw = Schema::Raw();
  EXPECT_EQ(EncodeKey(raw, {Datum::String("user1"), Datum::String("v")}), "user1");
  std::vector<Datum> key;
  ASSERT_TRUE(DecodeKey(raw, std::string("a\0b", 3), &key).ok());
  EXPECT_EQ(key, (std::vector<Datum>{Datum::String(std::string("a\0b", 3))}));
}

TEST(KeyCodecTest, DecodeErrors) {
  auto s = ParseSchema("a INT32 KEY, b VARCHAR(5) KEY, c BOOL KEY");
  ASSERT_TRUE(s.ok());
  const std::string good = EncodeKeyColumns(
      *s, {Datum::Int(7), Datum::String(std::string("x\0", 2)), Datum::Bool(true)});
  std::vector<Datum> key;
  ASSERT_TRUE(DecodeKey(*s, good, &key).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_TRUE(DecodeKey(*s, good.substr(0, n), &key).IsCorruption()) << n;
  }
  EXPECT_EQ(DecodeKey(*s, good + "z", &key).message(), "1 bytes after the key");
  std::string bad = good;
  bad[6] = 0x05;  // escape 00 05
  EXPECT_EQ(DecodeKey(*s, bad, &key).message(), "bad escape in key column 'b'");
  bad = good;
  bad.back() = 2;
  EXPECT_EQ(DecodeKey(*s, bad, &key).message(), "bad BOOL byte in key column 'c'");
}

// ---- Property: memcmp order of keys == SQL tuple order ----

class KeyGen {
 public:
  explicit KeyGen(uint32_t seed) : rng_(seed) {}

  Type RandomKeyType() {
    switch (rng_() % 7) {
      case 0:
        return Type::Bool();
      case 1:
        return Type::Int32();
      case 2:
        return Type::Int64();
      case 3:
        return Type::Decimal(18, static_cast<int>(rng_() % 5));
      case 4:
        return Type::Date();
      case 5:
        return Type::Double();
      default:
        return rng_() % 2 ? Type::Char(4) : Type::Varchar(6);
    }
  }

  // Small domains so that ties (and so later key columns) matter.
  Datum RandomValue(const Type& t) {
    switch (t.id) {
      case TypeId::kBool:
        return Datum::Bool(rng_() % 2);
      case TypeId::kInt32: {
        static const int64_t kVals[] = {INT32_MIN, -2, -1, 0, 1, 2, 255, 256, INT32_MAX};
        return Datum::Int(kVals[rng_() % 9]);
      }
      case TypeId::kDate: {
        static const int64_t kVals[] = {kMinDateDays, -1, 0, 1, 8766, kMaxDateDays};
        return Datum::Int(kVals[rng_() % 6]);
      }
      case TypeId::kInt64:
      case TypeId::kDecimal: {
        static const int64_t kVals[] = {kMin, kMin + 1, -256, -1, 0, 1, 255, 256, kMax - 1, kMax};
        if (rng_() % 4 == 0) return Datum::Int(static_cast<int64_t>(Rng64()));
        return Datum::Int(kVals[rng_() % 10]);
      }
      case TypeId::kDouble: {
        static const double kVals[] = {-INFINITY, -1e300,   -1.5, -1,  -4.9e-324, -0.0,
                                       0.0,       4.9e-324, 1,    1.5, 1e300,     INFINITY};
        if (rng_() % 4 == 0) {
          uint64_t bits = Rng64();
          double d;
          std::memcpy(&d, &bits, 8);
          if (!std::isnan(d)) return Datum::Double(d);
        }
        return Datum::Double(kVals[rng_() % 12]);
      }
      default: {
        // Strings over {0x00, 0x01, 'a', ' ', 0xff}, prefixes of each other.
        static const char kAlphabet[] = {'\0', '\x01', 'a', ' ', '\xff'};
        std::string s;
        const int n = static_cast<int>(rng_() % (t.length + 1));
        for (int k = 0; k < n; ++k) s.push_back(kAlphabet[rng_() % 5]);
        return Datum::String(s);
      }
    }
  }

  uint64_t Rng64() { return (static_cast<uint64_t>(rng_()) << 32) | rng_(); }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// SQL tuple comparison through scalar.h's Compare: -1, 0, 1.
int SqlCompare(const Schema& s, const std::vector<Datum>& a, const std::vector<Datum>& b) {
  for (size_t k = 0; k < s.key_columns.size(); ++k) {
    const Type& t = s.columns[s.key_columns[k]].type;
    if (Compare(CmpOp::kLt, a[k], t, b[k], t) == Tri::kTrue) return -1;
    if (Compare(CmpOp::kGt, a[k], t, b[k], t) == Tri::kTrue) return 1;
    EXPECT_EQ(Compare(CmpOp::kEq, a[k], t, b[k], t), Tri::kTrue);
  }
  return 0;
}

int Sign(int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; }

TEST(KeyCodecTest, MemcmpOrderEqualsSqlOrder) {
  KeyGen gen(20261124);
  for (int schema_iter = 0; schema_iter < 300; ++schema_iter) {
    Schema s;
    const int nkeys = 1 + static_cast<int>(gen.rng()() % 3);
    for (int k = 0; k < nkeys; ++k) {
      s.columns.push_back(Column{"k" + std::to_string(k), gen.RandomKeyType(), false, k});
      s.key_columns.push_back(k);
    }
    for (int pair = 0; pair < 200; ++pair) {
      std::vector<Datum> a, b;
      for (int k = 0; k < nkeys; ++k) {
        const Type& t = s.columns[k].type;
        a.push_back(gen.RandomValue(t));
        // Often share a prefix of columns so later columns decide.
        b.push_back(gen.rng()() % 3 == 0 ? a.back() : gen.RandomValue(t));
      }
      const std::string ka = EncodeKeyColumns(s, a), kb = EncodeKeyColumns(s, b);
      ASSERT_EQ(Sign(ka.compare(kb)), SqlCompare(s, a, b))
          << s.ToDdl() << " " << Hex(ka) << " vs " << Hex(kb);
      // Round trip (up to SQL equality: CHAR padding, -0.0).
      std::vector<Datum> back;
      ASSERT_TRUE(DecodeKey(s, ka, &back).ok());
      ASSERT_EQ(SqlCompare(s, back, a), 0);
      ASSERT_EQ(EncodeKeyColumns(s, back), ka);
    }
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
