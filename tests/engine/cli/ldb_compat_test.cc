// `pushdown scan --hex --from --to --where` against stock `ldb --hex scan
// --from --to` filtered by the same predicate (evaluated here): exactly the
// same lines, for a DB written by stock RocksDB with three column families
// (bytewise raw, uint64add merge operator, ReverseBytewiseComparator; data in
// the bottom level, L0 and the memtable, with overwrites, deletes, single
// deletes and range deletions) and for a DB straight from stock `db_bench
// --benchmarks=fillrandom` (data only in the WAL). The DB directory is not
// changed by the CLI (names, sizes, contents).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "dir_snapshot.h"
#include "tests/support/temp_dir.h"

namespace pushdown::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Pushdown() { return PD_BINARY_DIR "/bin/pushdown"; }
std::string Writer() { return PD_BINARY_DIR "/tests/stock_db_writer"; }

using RowPredicate = std::function<bool(const std::string& key, const std::string& value)>;

struct Case {
  std::string cf;
  std::optional<std::string> from, to;  // ldb hex ("0x...")
  std::string where;                    // the predicate for the CLI
  RowPredicate match;                   // the same predicate, evaluated here
};

// u8(s, 0) % 2 = 1
bool FirstByteOdd(const std::string&, const std::string& v) {
  return !v.empty() && static_cast<unsigned char>(v[0]) % 2 == 1;
}
// u64be(key, 1) % 5 < 2 (NULL when the key is shorter than 9 bytes: no match)
bool KeyMod5(const std::string& k, const std::string&) {
  return k.size() >= 9 && BigEndian64(k, 1) % 5 < 2;
}
// u64le(value, 0) % 3 = 0 (counters are small: no sign issue)
bool CounterMod3(const std::string&, const std::string& v) {
  return v.size() >= 8 && LittleEndian64(v, 0) % 3 == 0;
}
bool Any(const std::string&, const std::string&) { return true; }

// "k" + u64be(i) in ldb hex.
std::string K(uint64_t i, char prefix = 'k') {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%02X%016llX", static_cast<unsigned char>(prefix),
                static_cast<unsigned long long>(i));
  return buf;
}

class LdbCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(scratch_);
    if (!fs::exists("/usr/bin/ldb")) GTEST_SKIP() << "stock ldb (rocksdb-tools) not installed";
  }

  // `ldb --hex scan` of a copy of `db` (ldb opens the DB read-write: it would
  // write a LOG, an OPTIONS file and flush the recovered WAL), filtered.
  std::vector<std::string> LdbFiltered(const std::string& db, const Case& c) {
    const std::string copy = dir_.path() + "/ldb_copy";
    fs::remove_all(copy);
    fs::copy(db, copy, fs::copy_options::recursive);
    std::vector<std::string> argv = {
        "/usr/bin/ldb", "--db=" + copy, "--try_load_options", "--column_family=" + c.cf,
        "--hex",        "scan"};
    if (c.from) argv.push_back("--from=" + *c.from);
    if (c.to) argv.push_back("--to=" + *c.to);
    RunResult r = RunProcess(argv, scratch_);
    EXPECT_TRUE(r.exited && r.status == 0) << r.err;
    std::vector<std::string> lines;
    for (const std::string& line : SplitLines(r.out)) {
      auto kv = ParseLdbLine(line);
      EXPECT_TRUE(kv.has_value()) << "unexpected ldb line: " << line;
      if (kv && c.match(kv->first, kv->second)) lines.push_back(line);
    }
    fs::remove_all(copy);
    return lines;
  }

  // `pushdown scan` with ldb's flags; `equals_spelling` alternates between
  // --flag=value and --flag value. Returns the run; the --stats line in *stats.
  RunResult PushdownScan(const std::string& db, const Case& c, bool equals_spelling,
                         std::string* stats) {
    std::vector<std::string> argv = {Pushdown(), "scan"};
    auto flag = [&](const std::string& name, const std::string& value) {
      if (equals_spelling) {
        argv.push_back("--" + name + "=" + value);
      } else {
        argv.push_back("--" + name);
        argv.push_back(value);
      }
    };
    flag("db", db);
    flag("column_family", c.cf);
    if (c.from) flag("from", *c.from);
    if (c.to) flag("to", *c.to);
    argv.push_back("--hex");
    flag("where", c.where);
    argv.push_back("--stats");
    RunResult r = RunProcess(argv, scratch_);
    std::vector<std::string> err = SplitLines(r.err);
    *stats = err.empty() ? "" : err.back();
    return r;
  }

  void ExpectSameAsLdb(const std::string& db, const std::vector<Case>& cases,
                       std::vector<std::string>* paths) {
    const DirSnapshot before = SnapshotDir(db);
    std::vector<std::vector<std::string>> got;
    for (size_t i = 0; i < cases.size(); ++i) {
      std::string stats;
      RunResult r = PushdownScan(db, cases[i], i % 2 == 0, &stats);
      ASSERT_TRUE(r.exited) << "signal " << r.status;
      ASSERT_EQ(r.status, 0) << r.err;
      got.push_back(SplitLines(r.out));
      paths->push_back(cases[i].cf + ": " + stats);
    }
    const DirSnapshot after = SnapshotDir(db);
    EXPECT_TRUE(after == before) << "the CLI changed the DB directory:"
                                 << DiffSnapshots(before, after);
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      std::vector<std::string> expected = LdbFiltered(db, c);
      EXPECT_EQ(got[i], expected) << "case " << i << " cf " << c.cf << " from "
                                  << c.from.value_or("-") << " to " << c.to.value_or("-")
                                  << " where " << c.where;
    }
  }

  TempDir dir_{"pd_ldb_compat"};
  std::string scratch_ = dir_.path() + "/scratch";
};

TEST_F(LdbCompatTest, ThreeColumnFamiliesOfAStockDbEqualLdbFiltered) {
  const std::string db = dir_.path() + "/db";
  RunResult w = RunProcess({Writer(), "three-cf", db}, scratch_);
  ASSERT_TRUE(w.exited && w.status == 0) << w.err;

  const std::string u8_odd = "u8(value, 0) % 2 = 1";
  const std::string key_mod5 = "u64be(key, 1) % 5 < 2";
  const std::vector<Case> cases = {
      {"default", K(500), K(2400), u8_odd, FirstByteOdd},
      {"default", std::nullopt, std::nullopt, key_mod5, KeyMod5},
      {"default", "0x73", std::nullopt, "length(key) > 0", Any},
      {"default", K(2390), K(2390), "length(key) > 0", Any},  // empty range
      {"counters", K(50, 'c'), K(450, 'c'), "u64le(value, 0) % 3 = 0", CounterMod3},
      {"counters", std::nullopt, std::nullopt, "length(value) = 8", Any},
      // ReverseBytewiseComparator: --from seeks in the family's order (keys
      // <= from, descending); --to ends at the first key bytewise >= to.
      {"reverse", K(2400), "0x6C", u8_odd, FirstByteOdd},
      {"reverse", K(2400), K(256), u8_odd, FirstByteOdd},  // ldb prints nothing
      {"reverse", std::nullopt, std::nullopt, key_mod5, KeyMod5},
      {"reverse", std::nullopt, K(500), "length(key) > 0", Any},
  };
  std::vector<std::string> paths;
  ExpectSameAsLdb(db, cases, &paths);
  for (const std::string& p : paths) std::printf("  %s\n", p.c_str());
  // The plain family is read on the pushdown path although its memtable holds
  // data and every place holds range deletions (issue 10's done-when).
  for (const std::string& p : paths) {
    if (p.rfind("default: ", 0) == 0) EXPECT_EQ(JsonStringField(p, "path"), "pushdown") << p;
  }
  const std::string default_stats = paths[0].substr(std::string("default: ").size());
  RecordProperty("default_path", JsonStringField(default_stats, "path"));
  RecordProperty("default_fallback", JsonStringField(default_stats, "fallback_reason"));
}

// Issue 11 item 7: a scan that does not run where requested says so on stderr
// before any row; --strict-device makes that an error (exit 1, no rows).
TEST_F(LdbCompatTest, DeviceMismatchWarnsAndStrictDeviceFails) {
  const std::string db = dir_.path() + "/db";
  RunResult w = RunProcess({Writer(), "three-cf", db}, scratch_);
  ASSERT_TRUE(w.exited && w.status == 0) << w.err;
  for (const char* device : {"host", "kernel", "auto"}) {
    SCOPED_TRACE(device);
    // The merge-operator family: whatever ran, the CLI tells where.
    RunResult r = RunProcess({Pushdown(), "scan", "--db", db, "--cf", "counters", "--hex",
                              "--where", "length(value) = 8", "--device", device, "--stats"},
                             scratch_);
    ASSERT_TRUE(r.exited);
    ASSERT_EQ(r.status, 0) << r.err;
    const std::vector<std::string> err = SplitLines(r.err);
    ASSERT_FALSE(err.empty());
    const std::string stats = err.back();
    const std::string path = JsonStringField(stats, "path");
    const std::string ran = path == "iterator" ? "iterator" : JsonStringField(stats, "device");
    const bool mismatch = std::string(device) == "auto" ? ran == "iterator" : ran != device;
    const std::string warning =
        std::string("pushdown scan: warning: requested device ") + device + ", ran on " + ran;
    if (mismatch) {
      EXPECT_THAT(r.err, HasSubstr(warning)) << stats;
      EXPECT_THAT(r.err, HasSubstr(JsonStringField(stats, "fallback_reason")));
    } else {
      EXPECT_THAT(r.err, ::testing::Not(HasSubstr("warning:"))) << r.err;
    }
    RunResult strict =
        RunProcess({Pushdown(), "scan", "--db", db, "--cf", "counters", "--hex", "--where",
                    "length(value) = 8", "--device", device, "--strict-device"},
                   scratch_);
    ASSERT_TRUE(strict.exited);
    if (mismatch) {
      EXPECT_EQ(strict.status, 1) << strict.err;
      EXPECT_EQ(strict.out, "");
      // The API refuses the plan (Unavailable "strict device: requested host,
      // ...") or the CLI does ("--strict-device: requested device host, ...").
      EXPECT_THAT(strict.err, HasSubstr("strict"));
      EXPECT_THAT(strict.err, ::testing::AnyOf(HasSubstr("requested device " + std::string(device)),
                                               HasSubstr("requested " + std::string(device))));
    } else {
      EXPECT_EQ(strict.status, 0) << strict.err;
      EXPECT_EQ(strict.out, r.out);
    }
  }
  // --device iterator never warns.
  RunResult r = RunProcess({Pushdown(), "scan", "--db", db, "--cf", "counters", "--where",
                            "length(value) = 8", "--device", "iterator", "--strict-device"},
                           scratch_);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(LdbCompatTest, ADbStraightFromDbBenchFillrandomEqualsLdbFiltered) {
  if (!fs::exists("/usr/bin/db_bench")) GTEST_SKIP() << "stock db_bench not installed";
  const std::string db = dir_.path() + "/dbbench";
  RunResult w = RunProcess(
      {"/usr/bin/db_bench", "--benchmarks=fillrandom", "--num=20000", "--db=" + db}, scratch_);
  ASSERT_TRUE(w.exited && w.status == 0) << w.err;
  bool has_sst = false;
  for (const auto& e : fs::directory_iterator(db)) has_sst |= e.path().extension() == ".sst";
  EXPECT_FALSE(has_sst) << "db_bench flushed: this test wants the data only in the WAL";

  auto mod100 = [](const std::string& k, const std::string&) {
    return k.size() >= 8 && BigEndian64(k, 0) % 100 < 2;
  };
  const std::string where = "u64be(key, 0) % 100 < 2";
  const std::vector<Case> cases = {
      {"default", std::nullopt, std::nullopt, where, mod100},
      {"default", "0x0000000000000100", "0x0000000000003000", where, mod100},
      {"default", "0x0000000000001000", std::nullopt, "u8(value, 0) % 2 = 0",
       [](const std::string&, const std::string& v) {
         return !v.empty() && static_cast<unsigned char>(v[0]) % 2 == 0;
       }},
  };
  std::vector<std::string> paths;
  ExpectSameAsLdb(db, cases, &paths);
  for (const std::string& p : paths) std::printf("  %s\n", p.c_str());
  // Issue 10's done-when: the WAL-only data (the secondary's memtable) is
  // merged on the pushdown path.
  for (const std::string& p : paths) EXPECT_EQ(JsonStringField(p, "path"), "pushdown") << p;
  RecordProperty("dbbench_path", JsonStringField(paths[0], "path"));
  RecordProperty("dbbench_fallback", JsonStringField(paths[0], "fallback_reason"));
}

}  // namespace
}  // namespace pushdown::testing
