// EvaluateZone is sound: over random groups of rows (NULLs included) and
// random predicates, kNever means the reference evaluator accepts no row of
// the group and kAlways means it accepts every row. The generator must also
// reach both certain verdicts often, so the test cannot pass vacuously.
#include "bpfgen/eval/zone_eval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"

namespace pushdown::bpfgen {
namespace {

constexpr char kDdl[] =
    "id INT64 KEY, a INT32, d DECIMAL(10,2), dt DATE, b BOOL, s VARCHAR(4), n INT64 NOT NULL";

ZoneStats ZoneOf(const Schema& schema, const std::vector<std::vector<Datum>>& rows) {
  ZoneStats z;
  z.rows = rows.size();
  z.columns.resize(schema.columns.size());
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    ColumnZone& cz = z.columns[c];
    cz.known = ZoneMappable(schema.columns[c].type);
    for (const auto& row : rows) {
      if (row[c].is_null()) {
        ++cz.null_count;
        continue;
      }
      cz.min = cz.value_count == 0 ? row[c].i : std::min(cz.min, row[c].i);
      cz.max = cz.value_count == 0 ? row[c].i : std::max(cz.max, row[c].i);
      ++cz.value_count;
    }
  }
  return z;
}

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string Cmp() {
    static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
    return kOps[Pick(6)];
  }
  std::string Int() { return std::to_string(Pick(9) - 4); }
  std::string Atom() {
    switch (Pick(14)) {
      case 0:
        return "a " + Cmp() + " " + Int();
      case 1:
        return Int() + " " + Cmp() + " id";
      case 2:
        return "d " + Cmp() + " " + Int() + "." + std::to_string(Pick(2) * 5);
      case 3:
        return "dt " + Cmp() + " DATE '1970-01-0" + std::to_string(1 + Pick(5)) + "'";
      case 4:
        return "a" + std::string(Pick(2) ? " NOT" : "") + " BETWEEN " + Int() + " AND " + Int();
      case 5:
        return "a" + std::string(Pick(2) ? " NOT" : "") + " IN (" + Int() + ", " + Int() +
               (Pick(2) ? ", NULL)" : ")");
      case 6:
        return "a IS " + std::string(Pick(2) ? "NOT " : "") + "NULL";
      case 7:
        return "b = " + std::string(Pick(2) ? "TRUE" : "FALSE");
      case 8:
        return "s = 'ab'";
      case 9:
        return "a + 1 > " + Int();
      case 10:
        return "n " + Cmp() + " " + Int();
      case 11:
        return "a = NULL";
      case 12:
        return "b";
      default:
        return "NOT (a " + Cmp() + " " + Int() + ")";
    }
  }
  std::string Expr(int depth) {
    if (depth > 2 || Pick(3) == 0) return Atom();
    return "(" + Expr(depth + 1) + (Pick(2) ? " AND " : " OR ") + Expr(depth + 1) + ")";
  }
  std::string Predicate() {
    std::string p = Expr(0);
    for (int i = Pick(3); i > 0; --i) p += " AND " + Expr(0);
    return p;
  }
  Datum Maybe(Datum d) { return Pick(5) == 0 ? Datum::Null() : d; }
  std::vector<Datum> Row(int64_t id, int spread) {
    auto v = [&] { return Pick(spread) - spread / 2; };
    return {Datum::Int(id),
            Maybe(Datum::Int(v())),
            Maybe(Datum::Int(v() * 50)),
            Maybe(Datum::Int(Pick(6))),
            Maybe(Datum::Int(Pick(2))),
            Maybe(Datum::String(Pick(2) ? "ab" : "x")),
            Datum::Int(v())};
  }

 private:
  std::mt19937 rng_;
};

TEST(ZoneEvalTest, VerdictsAreSoundOverRandomGroups) {
  const Schema schema = *ParseSchema(kDdl);
  const RowLayout layout = RowLayout::Compute(schema);
  const Evaluator eval(schema);
  Gen gen(1234);
  int never = 0, always = 0, maybe = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    const std::string text = gen.Predicate();
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status().ToString();
    std::vector<const Expr*> conjuncts;
    for (const ExprPtr& c : p->conjuncts) conjuncts.push_back(c.get());
    // Narrow groups (spread 1-3) make certain verdicts likely; wide ones maybe.
    const int spread = 1 + gen.Pick(6);
    std::vector<std::vector<Datum>> rows;
    const int n = 1 + gen.Pick(8);
    for (int r = 0; r < n; ++r) rows.push_back(gen.Row(gen.Pick(9) - 4, spread));
    const ZoneVerdict v = EvaluateZone(conjuncts, schema, ZoneOf(schema, rows));
    (v == ZoneVerdict::kNever ? never : v == ZoneVerdict::kAlways ? always : maybe)++;
    for (const auto& row : rows) {
      std::string value;
      ASSERT_TRUE(EncodeRow(schema, layout, row, &value).ok());
      auto m = eval.Matches(*p, EncodeKey(schema, row), value);
      ASSERT_TRUE(m.ok());
      if (v == ZoneVerdict::kNever) {
        ASSERT_FALSE(*m) << text << " said never";
      }
      if (v == ZoneVerdict::kAlways) {
        ASSERT_TRUE(*m) << text << " said always";
      }
    }
  }
  EXPECT_GT(never, 400);
  EXPECT_GT(always, 200);
  EXPECT_GT(maybe, 400);
}

TEST(ZoneEvalTest, UnknownColumnsAndNoRows) {
  const Schema schema = *ParseSchema(kDdl);
  auto p = CompilePredicate("a < 3", schema);
  ASSERT_TRUE(p.ok());
  std::vector<const Expr*> conjuncts = {p->conjuncts[0].get()};
  ZoneStats unknown;
  unknown.rows = 5;  // no column summaries
  EXPECT_EQ(EvaluateZone(conjuncts, schema, unknown), ZoneVerdict::kMaybe);
  ZoneStats empty;
  EXPECT_EQ(EvaluateZone(conjuncts, schema, empty), ZoneVerdict::kNever);
  EXPECT_EQ(EvaluateZone({}, schema, unknown), ZoneVerdict::kAlways);
}

// Raw mode: a RawField's zone decides predicates on exactly its reader call
// (same width, endianness, signedness, source and offset) and nothing else;
// over random byte strings (some too short: NULL) and random fields, kNever
// and kAlways agree with the reference evaluator on every entry.
TEST(ZoneEvalTest, RawFieldVerdictsAreSoundAndOnlyForTheRecordedField) {
  const Schema schema = Schema::Raw();
  const Evaluator eval(schema);
  std::mt19937 rng(77);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const char* kReaders[] = {"u8",    "u16le", "u16be", "u32le", "u32be", "u64le",
                            "u64be", "i32le", "i32be", "i64le", "i64be"};
  int decided_same = 0, decided_other = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    RawField f;
    f.source = pick(2) ? RawField::Source::kValue : RawField::Source::kKey;
    f.offset = static_cast<uint32_t>(pick(3));
    const int w = pick(4);
    f.width = static_cast<uint8_t>(1 << w);
    f.big_endian = pick(2);
    f.is_signed = f.width == 4 && pick(2);
    ASSERT_EQ(f.Invalid(), "");
    // Entries: bytes whose field values lie close together (narrow groups).
    std::vector<std::string> entries;
    const int base = pick(200);
    for (int n = 1 + pick(6); n > 0; --n) {
      std::string b(f.offset + f.width, '\0');
      const uint64_t v = static_cast<uint64_t>(base + pick(4));
      for (int i = 0; i < f.width; ++i) {
        const uint8_t byte = static_cast<uint8_t>(v >> (8 * i));
        b[f.offset + (f.big_endian ? f.width - 1 - i : i)] = static_cast<char>(byte);
      }
      if (pick(8) == 0) b.resize(pick(static_cast<int>(b.size())));  // too short: NULL
      b.append(pick(3), 'z');
      entries.push_back(b);
    }
    ZoneStats z;
    z.rows = entries.size();
    z.columns.resize(2);
    ColumnZone& cz = z.columns[0];
    cz.known = true;
    for (const std::string& e : entries) {
      std::optional<int64_t> v = f.Read(e);
      if (!v) {
        ++cz.null_count;
        continue;
      }
      cz.min = cz.value_count == 0 ? *v : std::min(cz.min, *v);
      cz.max = cz.value_count == 0 ? *v : std::max(cz.max, *v);
      ++cz.value_count;
    }
    // The field's own reader, or another one (other reader, offset or source).
    const bool same = pick(2);
    std::string call = f.ToString();
    if (!same) {
      call = std::string(kReaders[pick(11)]) + "(" + (pick(2) ? "key" : "value") + ", " +
             std::to_string(pick(3)) + ")";
    }
    static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
    const std::string lit = std::to_string(base + pick(8) - 2);
    std::string text = call + " " + kOps[pick(6)] + " " + lit;
    if (pick(3) == 0) text = call + " BETWEEN " + lit + " AND " + std::to_string(base + pick(6));
    if (pick(4) == 0) text = "NOT (" + text + ")";
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status().ToString();
    std::vector<const Expr*> conjuncts;
    for (const ExprPtr& c : p->conjuncts) conjuncts.push_back(c.get());
    const ZoneVerdict v = EvaluateZone(conjuncts, schema, z, &f);
    // Another call can be the field by coincidence (u64be vs i64be): ReadBy.
    std::function<bool(const Expr&)> any_reads = [&](const Expr& e) {
      if (f.ReadBy(e)) return true;
      for (const ExprPtr& c : e.children) {
        if (any_reads(*c)) return true;
      }
      return false;
    };
    const bool reads_field = any_reads(*p->conjuncts[0]);
    if (v != ZoneVerdict::kMaybe) ++(same ? decided_same : decided_other);
    for (const std::string& e : entries) {
      const std::string_view key = f.source == RawField::Source::kKey ? e : "k";
      const std::string_view value = f.source == RawField::Source::kValue ? e : "v";
      auto m = eval.Matches(*p, key, value);
      ASSERT_TRUE(m.ok());
      if (v == ZoneVerdict::kNever)
        ASSERT_FALSE(*m) << text << " said never, field " << f.ToString();
      if (v == ZoneVerdict::kAlways)
        ASSERT_TRUE(*m) << text << " said always, field " << f.ToString();
    }
    if (!same && !reads_field) {
      EXPECT_EQ(v, ZoneVerdict::kMaybe) << text << " decided by field " << f.ToString();
    }
  }
  EXPECT_GT(decided_same, 500);
}

TEST(ZoneEvalTest, RawFieldReadsAndNames) {
  RawField f{RawField::Source::kKey, 1, 4, /*big_endian=*/false, /*is_signed=*/true};
  EXPECT_EQ(f.ToString(), "i32le(key, 1)");
  EXPECT_EQ(f.Read(std::string("\x00\xfe\xff\xff\xff", 5)), -2);
  EXPECT_EQ(f.Read(std::string("\x00\xfe\xff\xff", 4)), std::nullopt);
  RawField g;  // u64be(value, 0)
  EXPECT_EQ(g.ToString(), "u64be(value, 0)");
  EXPECT_EQ(g.Read(std::string("\0\0\0\0\0\0\1\2", 8)), 258);
  EXPECT_NE((RawField{RawField::Source::kValue, 0, 3}.Invalid()), "");
  EXPECT_NE((RawField{RawField::Source::kValue, 0, 8, true, true}.Invalid()), "");
}

}  // namespace
}  // namespace pushdown::bpfgen
