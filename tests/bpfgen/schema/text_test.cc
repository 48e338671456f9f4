// bpfgen/schema/text.h: SQL text <-> Datum. Table-driven accept/reject cases
// and random round trips Datum -> text -> Datum at the extremes of every type.
#include "bpfgen/schema/text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/schema/date.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {
namespace {

using ::testing::HasSubstr;

struct Good {
  Type type;
  std::string text;
  Datum want;
};

TEST(ValueTextTest, AcceptsTheDocumentedSpellings) {
  const int64_t d19940101 = DaysFromCivil(1994, 1, 1);
  const std::vector<Good> cases = {
      {Type::Bool(), "true", Datum::Int(1)},
      {Type::Bool(), "FALSE", Datum::Int(0)},
      {Type::Bool(), "t", Datum::Int(1)},
      {Type::Bool(), "F", Datum::Int(0)},
      {Type::Bool(), "1", Datum::Int(1)},
      {Type::Bool(), "0", Datum::Int(0)},
      {Type::Int32(), "2147483647", Datum::Int(2147483647)},
      {Type::Int32(), "-2147483648", Datum::Int(-2147483648LL)},
      {Type::Int32(), "+17", Datum::Int(17)},
      {Type::Int32(), "007", Datum::Int(7)},
      {Type::Int64(), "9223372036854775807", Datum::Int(INT64_MAX)},
      {Type::Int64(), "-9223372036854775808", Datum::Int(INT64_MIN)},
      {Type::Decimal(15, 2), "24386.67", Datum::Int(2438667)},
      {Type::Decimal(15, 2), "17", Datum::Int(1700)},
      {Type::Decimal(15, 2), "0.1", Datum::Int(10)},
      {Type::Decimal(15, 2), ".05", Datum::Int(5)},
      {Type::Decimal(15, 2), "5.", Datum::Int(500)},
      {Type::Decimal(15, 2), "-0.05", Datum::Int(-5)},
      {Type::Decimal(15, 2), "+1.50", Datum::Int(150)},
      {Type::Decimal(15, 2), "1.5000", Datum::Int(150)},  // zeros past the scale are exact
      {Type::Decimal(15, 2), "0000000000000000012.34", Datum::Int(1234)},
      {Type::Decimal(15, 2), "9999999999999.99", Datum::Int(999999999999999)},
      {Type::Decimal(18, 0), "999999999999999999", Datum::Int(999999999999999999)},
      {Type::Decimal(18, 18), "-0.999999999999999999", Datum::Int(-999999999999999999)},
      {Type::Date(), "1994-01-01", Datum::Int(d19940101)},
      {Type::Date(), "1996-02-29", Datum::Int(DaysFromCivil(1996, 2, 29))},
      {Type::Date(), "2000-02-29", Datum::Int(DaysFromCivil(2000, 2, 29))},
      {Type::Date(), "0001-01-01", Datum::Int(kMinDateDays)},
      {Type::Date(), "9999-12-31", Datum::Int(kMaxDateDays)},
      {Type::Double(), "0.5", Datum::Double(0.5)},
      {Type::Double(), "-1e300", Datum::Double(-1e300)},
      {Type::Double(), "+2.5E-3", Datum::Double(2.5e-3)},
      {Type::Double(), "1e-400", Datum::Double(0.0)},  // underflow: nearest value
      {Type::Double(), "0x1p3", Datum::Double(8.0)},
      {Type::Double(), "inf", Datum::Double(std::numeric_limits<double>::infinity())},
      {Type::Double(), "-Infinity", Datum::Double(-std::numeric_limits<double>::infinity())},
      {Type::Double(), "NaN", Datum::Double(std::numeric_limits<double>::quiet_NaN())},
      {Type::Char(10), "TRUCK", Datum::String("TRUCK")},
      {Type::Char(5), "AIR     ", Datum::String("AIR")},  // trailing spaces are padding
      {Type::Char(1), "", Datum::String("")},
      {Type::Varchar(44), "egular courts above the", Datum::String("egular courts above the")},
      {Type::Varchar(3), "a b", Datum::String("a b")},
      {Type::Varchar(3), "", Datum::String("")},
      {Type::Bytes(), "00ff1A", Datum::String(std::string("\x00\xff\x1a", 3))},
      {Type::Bytes(), "", Datum::String("")},
  };
  for (const Good& c : cases) {
    SCOPED_TRACE(c.type.ToString() + " '" + c.text + "'");
    auto got = ValueFromText(c.type, c.text);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want);
  }
}

struct BadCase {
  Type type;
  std::string text;
  std::string message;  // the whole message
};

TEST(ValueTextTest, RejectsWithAMessageThatSaysWhatWasWrong) {
  const std::vector<BadCase> cases = {
      {Type::Date(), "1994-13-01", "bad DATE '1994-13-01': month 13 is not in 1..12"},
      {Type::Date(), "1994-00-10", "bad DATE '1994-00-10': month 0 is not in 1..12"},
      {Type::Date(), "1994-02-30", "bad DATE '1994-02-30': day 30 is not in 1..28 for 1994-02"},
      {Type::Date(), "1994-02-29", "bad DATE '1994-02-29': day 29 is not in 1..28 for 1994-02"},
      {Type::Date(), "1900-02-29", "bad DATE '1900-02-29': day 29 is not in 1..28 for 1900-02"},
      {Type::Date(), "1994-04-31", "bad DATE '1994-04-31': day 31 is not in 1..30 for 1994-04"},
      {Type::Date(), "1994-01-00", "bad DATE '1994-01-00': day 0 is not in 1..31 for 1994-01"},
      {Type::Date(), "0000-01-01", "bad DATE '0000-01-01': year 0000 is not in 0001..9999"},
      {Type::Date(), "1994-1-01", "bad DATE '1994-1-01': expected YYYY-MM-DD"},
      {Type::Date(), "1994/01/01", "bad DATE '1994/01/01': expected YYYY-MM-DD"},
      {Type::Date(), " 1994-01-01", "bad DATE ' 1994-01-01': expected YYYY-MM-DD"},
      {Type::Date(), "19940101", "bad DATE '19940101': expected YYYY-MM-DD"},
      {Type::Date(), "1994-0a-01", "bad DATE '1994-0a-01': expected YYYY-MM-DD"},
      {Type::Int32(), "2147483648", "bad INT32 '2147483648': out of range -2147483648..2147483647"},
      {Type::Int32(), "-2147483649",
       "bad INT32 '-2147483649': out of range -2147483648..2147483647"},
      {Type::Int64(), "9223372036854775808",
       "bad INT64 '9223372036854775808': out of range "
       "-9223372036854775808..9223372036854775807"},
      {Type::Int64(), "99999999999999999999x", "bad INT64 '99999999999999999999x': not an integer"},
      {Type::Int64(), "12a", "bad INT64 '12a': not an integer"},
      {Type::Int64(), "1.0", "bad INT64 '1.0': not an integer"},
      {Type::Int64(), " 1", "bad INT64 ' 1': not an integer"},
      {Type::Int64(), "1 ", "bad INT64 '1 ': not an integer"},
      {Type::Int64(), "-", "bad INT64 '-': no digits"},
      {Type::Int64(), "", "bad INT64 '': empty"},
      {Type::Decimal(15, 2), "1.234",
       "bad DECIMAL(15,2) '1.234': more than 2 digits after the point (values are exact, never "
       "rounded)"},
      {Type::Decimal(15, 2), "10000000000000",
       "bad DECIMAL(15,2) '10000000000000': more than 13 digits before the point"},
      {Type::Decimal(15, 2), "1e5", "bad DECIMAL(15,2) '1e5': not a decimal number"},
      {Type::Decimal(15, 2), ".", "bad DECIMAL(15,2) '.': not a decimal number"},
      {Type::Decimal(15, 2), "1.2.3", "bad DECIMAL(15,2) '1.2.3': not a decimal number"},
      {Type::Decimal(15, 2), "--1", "bad DECIMAL(15,2) '--1': not a decimal number"},
      {Type::Decimal(15, 2), "", "bad DECIMAL(15,2) '': empty"},
      {Type::Decimal(18, 18), "1", "bad DECIMAL(18,18) '1': more than 0 digits before the point"},
      {Type::Double(), "1e999", "bad DOUBLE '1e999': out of range of DOUBLE"},
      {Type::Double(), "abc", "bad DOUBLE 'abc': not a number"},
      {Type::Double(), "1.5x", "bad DOUBLE '1.5x': not a number"},
      {Type::Double(), " 1", "bad DOUBLE ' 1': not a number"},
      {Type::Double(), "", "bad DOUBLE '': empty"},
      {Type::Bool(), "yes", "bad BOOL 'yes': expected true, false, t, f, 1 or 0"},
      {Type::Bool(), "2", "bad BOOL '2': expected true, false, t, f, 1 or 0"},
      {Type::Char(1), "NO", "bad CHAR(1) 'NO': 2 bytes is longer than 1"},
      {Type::Varchar(3), "abcd", "bad VARCHAR(3) 'abcd': 4 bytes is longer than 3"},
      {Type::Varchar(3), "ab  ", "bad VARCHAR(3) 'ab  ': 4 bytes is longer than 3"},
      {Type::Bytes(), "abc", "bad BYTES 'abc': odd number of hex digits"},
      {Type::Bytes(), "zz", "bad BYTES 'zz': not hexadecimal"},
      {Type::Varchar(1), std::string("\x01\xff\\", 3),
       "bad VARCHAR(1) '\\x01\\xff\\x5c': 3 bytes "
       "is longer than 1"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.type.ToString() + " '" + c.text + "'");
    auto got = ValueFromText(c.type, c.text);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.status().IsInvalidArgument());
    EXPECT_EQ(got.status().message(), c.message);
  }
}

TEST(ValueTextTest, VarcharKeepsTrailingSpacesAndCountsThem) {
  auto got = ValueFromText(Type::Varchar(3), "ab ");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->s, "ab ");
}

TEST(ValueTextTest, LongTextIsCutInTheMessage) {
  const std::string text(1000, '9');
  auto got = ValueFromText(Type::Int64(), text);
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("'" + std::string(64, '9') + "...'"));
  EXPECT_LT(got.status().message().size(), 200u);
}

TEST(ValueTextTest, NullTypeHasNoText) { EXPECT_FALSE(ValueFromText(Type::Null(), "1").ok()); }

TEST(ValueTextTest, FormatsCanonicalText) {
  EXPECT_EQ(FormatValue(Type::Date(), Datum::Int(DaysFromCivil(1994, 2, 3))), "1994-02-03");
  EXPECT_EQ(FormatValue(Type::Decimal(15, 2), Datum::Int(5)), "0.05");
  EXPECT_EQ(FormatValue(Type::Decimal(15, 2), Datum::Int(-5)), "-0.05");
  EXPECT_EQ(FormatValue(Type::Decimal(15, 0), Datum::Int(-5)), "-5");
  EXPECT_EQ(FormatValue(Type::Decimal(18, 2), Datum::Int(INT64_MIN)), "-92233720368547758.08");
  EXPECT_EQ(FormatValue(Type::Double(), Datum::Double(-0.0)), "-0");
  EXPECT_EQ(FormatValue(Type::Double(), Datum::Double(-std::numeric_limits<double>::infinity())),
            "-inf");
  EXPECT_EQ(FormatValue(Type::Double(), Datum::Double(std::nan(""))), "nan");
  EXPECT_EQ(FormatValue(Type::Char(10), Datum::String("AIR   ")), "AIR");
  EXPECT_EQ(FormatValue(Type::Bool(), Datum::Int(1)), "true");
  EXPECT_EQ(FormatValue(Type::Int64(), Datum::Null()), "");
}

// Random valid Datums of every type, weighted towards the extremes.
class RoundTrip {
 public:
  explicit RoundTrip(uint64_t seed) : rng_(seed) {}

  int64_t Extreme(int64_t lo, int64_t hi) {
    switch (rng_() % 6) {
      case 0:
        return lo + static_cast<int64_t>(rng_() % 3);
      case 1:
        return hi - static_cast<int64_t>(rng_() % 3);
      case 2:
        return static_cast<int64_t>(rng_() % 3) - 1;
      default: {
        const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
        return static_cast<int64_t>(static_cast<uint64_t>(lo) +
                                    (span == UINT64_MAX ? rng_() : rng_() % (span + 1)));
      }
    }
  }

  Datum Random(const Type& t) {
    switch (t.id) {
      case TypeId::kBool:
        return Datum::Int(static_cast<int64_t>(rng_() % 2));
      case TypeId::kInt32:
        return Datum::Int(Extreme(INT32_MIN, INT32_MAX));
      case TypeId::kInt64:
        return Datum::Int(Extreme(INT64_MIN, INT64_MAX));
      case TypeId::kDate:
        return Datum::Int(Extreme(kMinDateDays, kMaxDateDays));
      case TypeId::kDecimal: {
        const int64_t m = kPow10[t.precision] - 1;
        return Datum::Int(Extreme(-m, m));
      }
      case TypeId::kDouble: {
        static const double kSpecial[] = {0.0,
                                          -0.0,
                                          std::numeric_limits<double>::max(),
                                          -std::numeric_limits<double>::max(),
                                          std::numeric_limits<double>::min(),
                                          std::numeric_limits<double>::denorm_min(),
                                          -std::numeric_limits<double>::denorm_min(),
                                          std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity(),
                                          std::numeric_limits<double>::quiet_NaN(),
                                          0.1,
                                          1.0 / 3};
        if (rng_() % 3 == 0) return Datum::Double(kSpecial[rng_() % 12]);
        uint64_t bits = rng_();
        double d;
        std::memcpy(&d, &bits, 8);
        if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
        return Datum::Double(d);
      }
      case TypeId::kChar:
      case TypeId::kVarchar: {
        const uint32_t n = rng_() % 2 ? t.length : static_cast<uint32_t>(rng_() % (t.length + 1));
        std::string s(n, ' ');
        for (char& c : s) c = static_cast<char>(rng_() % 256);
        if (t.id == TypeId::kChar) {
          while (!s.empty() && s.back() == ' ') s.pop_back();  // CHAR's canonical Datum
        }
        return Datum::String(s);
      }
      case TypeId::kBytes: {
        std::string s(rng_() % 40, ' ');
        for (char& c : s) c = static_cast<char>(rng_() % 256);
        return Datum::String(s);
      }
      case TypeId::kNull:
        break;
    }
    return Datum::Null();
  }

 private:
  std::mt19937_64 rng_;
};

TEST(ValueTextPropertyTest, DatumToTextToDatumIsIdentityAtTheExtremes) {
  const std::vector<Type> types = {
      Type::Bool(),         Type::Int32(),        Type::Int64(),         Type::Date(),
      Type::Decimal(15, 2), Type::Decimal(18, 0), Type::Decimal(18, 18), Type::Decimal(1, 0),
      Type::Decimal(1, 1),  Type::Decimal(10, 4), Type::Double(),        Type::Char(1),
      Type::Char(25),       Type::Varchar(1),     Type::Varchar(44),     Type::Bytes(),
  };
  RoundTrip gen(20260101);
  for (const Type& t : types) {
    SCOPED_TRACE(t.ToString());
    Column col{"c", t, true, -1};
    for (int i = 0; i < 3000; ++i) {
      const Datum d = gen.Random(t);
      if (t.id != TypeId::kBytes) {
        ASSERT_TRUE(ValidateDatum(col, d).ok());
      }
      const std::string text = FormatValue(t, d);
      auto back = ValueFromText(t, text);
      ASSERT_TRUE(back.ok()) << "'" << text << "': " << back.status().ToString();
      ASSERT_EQ(*back, d) << "'" << text << "'";
      ASSERT_EQ(FormatValue(t, *back), text);
    }
  }
}

// Every parsed value passes the row codec's validation (the parser's ranges
// are the codec's).
TEST(ValueTextPropertyTest, ParsedValuesAreValidForTheColumn) {
  std::mt19937_64 rng(7);
  const std::vector<Type> types = {Type::Int32(), Type::Decimal(15, 2), Type::Date(), Type::Char(3),
                                   Type::Varchar(3)};
  const std::string alphabet = "0123456789-.+ e:a";
  for (const Type& t : types) {
    Column col{"c", t, false, -1};
    for (int i = 0; i < 20000; ++i) {
      std::string s(rng() % 12, ' ');
      for (char& c : s) c = alphabet[rng() % alphabet.size()];
      auto d = ValueFromText(t, s);
      if (d.ok()) {
        EXPECT_TRUE(ValidateDatum(col, *d).ok()) << t.ToString() << " '" << s << "'";
      } else {
        EXPECT_THAT(d.status().message(), HasSubstr("bad " + t.ToString()));
      }
    }
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
