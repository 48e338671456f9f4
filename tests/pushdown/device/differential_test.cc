// The device differential test: data blocks written by RocksDB itself
// (SstFileWriter and a DB with flushes; restart intervals 1 and 16; 1, 4 and
// 16 KiB blocks; long shared key prefixes; empty values; deletes, single
// deletes and merges; schema rows with NULLs and extremes, a few malformed
// rows, and raw values) times random predicates from the language. For every
// block, the kernel device, the host device and the reference Evaluator must
// agree entry for entry: same status, same OutRecords (class, internal key,
// value) in the same order.
//
// Blocks are extracted with pushdown/sst (SstFile::ReadDataBlock); the oracle
// walks each block with pushdown/sst's DataBlockIter and classifies entries
// with bpfgen::Evaluator over the device conjuncts of the kernel split.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/block_stager.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/sst/block.h"
#include "pushdown/sst/sst_file.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace abi = bpfgen::abi;
namespace bg = bpfgen;
using pushdown::testing::DbSpec;
using pushdown::testing::EntryKind;
using pushdown::testing::KeyValueOp;
using pushdown::testing::SstSpec;
using pushdown::testing::TempDir;
using pushdown::testing::TestDb;

constexpr char kDdl[] =
    "id INT64 KEY, a INT32, b INT64 NOT NULL, d DECIMAL(12,2), dt DATE, c CHAR(6), "
    "v VARCHAR(12), f DOUBLE, flag BOOL";
constexpr char kPrefix[] = "tenant-000042/region-eu-west/table-lineitem/partition-0007/row/";

struct Record {
  uint8_t entry_class;
  std::string key;
  std::string value;
  friend bool operator==(const Record&, const Record&) = default;
};

struct BlockOutcome {
  uint32_t status = abi::kBlockNotRun;
  uint32_t entries = 0;
  uint32_t error_offset = 0;
  std::vector<Record> records;
};

std::string Describe(const Record& r) {
  std::string s = "class " + std::to_string(r.entry_class) + " key ";
  for (unsigned char c : r.key) {
    char buf[4];
    snprintf(buf, sizeof(buf), "%02x", c);
    s += buf;
  }
  return s + " value size " + std::to_string(r.value.size());
}

// ---- data ---------------------------------------------------------------

class DataGen {
 public:
  DataGen(bool raw, uint64_t seed) : raw_(raw), rng_(seed) {
    if (!raw_) {
      schema_ = bg::ParseSchema(kDdl).value();
      layout_ = bg::RowLayout::Compute(schema_);
    }
  }

  std::string Key(uint64_t id) {
    std::string k = kPrefix;
    if (raw_ && rng_() % 4 == 0) k.resize(rng_() % k.size());  // shorter prefixes too
    for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(id >> (8 * i)));
    return k;
  }

  std::string Value(uint64_t id) {
    if (raw_) {
      size_t len = rng_() % 4 == 0 ? 0 : rng_() % 40;  // empty values are common
      std::string v(len, '\0');
      for (auto& c : v) c = static_cast<char>(rng_() % 3 == 0 ? 'a' + rng_() % 4 : rng_());
      return v;
    }
    if (rng_() % 800 == 0) return std::string(rng_() % 4, '\x01');  // malformed row
    std::vector<bg::Datum> row(schema_.columns.size());
    row[0] = bg::Datum::Int(static_cast<int64_t>(id));
    row[1] = Maybe(bg::Datum::Int(Pick(-50, 50)));
    row[2] = bg::Datum::Int(rng_() % 40 == 0 ? (rng_() % 2 ? INT64_MAX : INT64_MIN + 1)
                                             : Pick(-1000, 1000));
    row[3] = Maybe(bg::Datum::Int(Pick(-100000, 100000)));
    row[4] = Maybe(bg::Datum::Int(Pick(9000, 11000)));
    static const char* kChars[] = {"", "a", "ab", "ab  ", "abc", "zz", "b%_", "aaaaaa"};
    row[5] = Maybe(bg::Datum::String(kChars[rng_() % 8]));
    static const char* kVars[] = {"", "x", "xy", "hello", "hello world", "abcab", "%", "a_b"};
    row[6] = Maybe(bg::Datum::String(kVars[rng_() % 8]));
    double doubles[] = {0.0, -0.0, 0.5, -1.25, 1e300, -1e300, std::nan(""), 3.0};
    row[7] = Maybe(bg::Datum::Double(rng_() % 2 ? doubles[rng_() % 8] : Pick(-100, 100) / 8.0));
    row[8] = Maybe(bg::Datum::Bool(rng_() % 2));
    std::string value;
    Status s = bg::EncodeRow(schema_, layout_, row, &value);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }

  // `n` ascending keys with random kinds (SstFileWriter: put and delete only).
  std::vector<KeyValueOp> SortedOps(uint64_t first_id, size_t n, bool writer) {
    std::vector<KeyValueOp> ops;
    uint64_t id = first_id;
    for (size_t i = 0; i < n; ++i) {
      id += 1 + rng_() % 3;
      KeyValueOp op;
      op.key = Key(id);
      int r = static_cast<int>(rng_() % 20);
      if (r < 2) {
        op.kind = EntryKind::kDelete;
      } else if (!writer && r < 3) {
        op.kind = EntryKind::kSingleDelete;
      } else if (!writer && r < 4) {
        op.kind = EntryKind::kMerge;
        op.value = "m";
      } else {
        op.value = Value(id);
      }
      ops.push_back(std::move(op));
    }
    if (writer) {
      std::sort(ops.begin(), ops.end(),
                [](const KeyValueOp& x, const KeyValueOp& y) { return x.key < y.key; });
      ops.erase(
          std::unique(ops.begin(), ops.end(),
                      [](const KeyValueOp& x, const KeyValueOp& y) { return x.key == y.key; }),
          ops.end());
    }
    return ops;
  }

  const bg::Schema& schema() const { return schema_; }
  std::mt19937_64& rng() { return rng_; }

 private:
  int64_t Pick(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bg::Datum Maybe(bg::Datum d) { return rng_() % 8 == 0 ? bg::Datum::Null() : d; }

  bool raw_;
  std::mt19937_64 rng_;
  bg::Schema schema_;
  bg::RowLayout layout_;
};

// Every data block (uncompressed contents) of every file.
Status AppendBlocks(const std::string& path, std::vector<std::string>* blocks) {
  PD_ASSIGN_OR_RETURN(auto sst, SstFile::Open(path));
  for (size_t i = 0; i < sst->num_data_blocks(); ++i) {
    PD_ASSIGN_OR_RETURN(BlockContents b, sst->ReadDataBlock(i));
    blocks->push_back(std::move(b.data));
  }
  return Status::OK();
}

std::vector<std::string> MakeBlocks(bool raw, const TempDir& dir, uint64_t seed) {
  DataGen gen(raw, seed);
  std::vector<std::string> blocks;
  const size_t scale = raw ? 2 : 1;  // raw entries are smaller: more of them per block
  int file = 0;
  for (int restart : {1, 16}) {
    for (size_t block_size : {1024u, 4096u, 16384u}) {
      SstSpec spec;
      spec.block_restart_interval = restart;
      spec.block_size = block_size;
      std::string path = dir.File("w" + std::to_string(file++) + ".sst");
      Status s = pushdown::testing::WriteSstWithWriter(
          path, spec,
          gen.SortedOps(file * 1000000, scale * (block_size == 16384u ? 3000 : 1200), true));
      EXPECT_TRUE(s.ok()) << s.ToString();
      s = AppendBlocks(path, &blocks);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    // A DB: overwrites, deletes, single deletes and merges across flushes.
    DbSpec db_spec;
    db_spec.sst.block_restart_interval = restart;
    db_spec.sst.block_size = 4096;
    db_spec.merge_operator = "stringappend";
    auto db = TestDb::Open(dir.File("db" + std::to_string(restart)), db_spec);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) continue;
    for (int flush = 0; flush < 4; ++flush) {
      for (const KeyValueOp& op :
           gen.SortedOps(static_cast<uint64_t>(flush % 2) * 7, scale * 1500, false)) {
        Status s = (*db)->Apply(op);
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
      EXPECT_TRUE((*db)->Flush().ok());
    }
    auto files = (*db)->LiveFiles();
    EXPECT_TRUE(files.ok());
    if (!files.ok()) continue;
    for (const auto& f : *files) {
      Status s = AppendBlocks(f.path, &blocks);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  return blocks;
}

// ---- predicates -----------------------------------------------------------

class PredicateGen {
 public:
  PredicateGen(bool raw, uint64_t seed) : raw_(raw), rng_(seed) {}

  std::string Next() {
    int n = 1 + static_cast<int>(rng_() % 3);
    std::string p;
    for (int i = 0; i < n; ++i) {
      if (i) p += " AND ";
      p += Term(0);
    }
    return p;
  }

 private:
  std::string Term(int depth) {
    int r = static_cast<int>(rng_() % 10);
    if (depth < 2 && r == 0) return "(" + Term(depth + 1) + " OR " + Term(depth + 1) + ")";
    if (depth < 2 && r == 1) return "NOT (" + Term(depth + 1) + ")";
    return raw_ ? RawAtom() : SchemaAtom();
  }

  std::string Int(int lo, int hi) {
    return std::to_string(lo + static_cast<int>(rng_() % static_cast<unsigned>(hi - lo + 1)));
  }
  std::string Cmp() {
    static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
    return kOps[rng_() % 6];
  }
  template <size_t N>
  std::string Of(const char* const (&options)[N]) {
    return options[rng_() % N];
  }

  std::string SchemaAtom() {
    static const char* kStrings[] = {"''", "'a'", "'ab'", "'abc'", "'hello'", "'zz'", "'x'"};
    static const char* kPatterns[] = {"'a%'",    "'%b'",  "'_b%'", "'%'",    "'hello%'",
                                      "'%\\_%'", "'a_b'", "''",    "'%l%o%'"};
    switch (rng_() % 18) {
      case 0:
        return "a " + Cmp() + " " + Int(-60, 60);
      case 1:
        return "b " + Cmp() + " " + Int(-1100, 1100);
      case 2:
        return "a + b " + Cmp() + " " + Int(-500, 500);
      case 3:
        return "b * " + Int(-3, 1000000) + " " + Cmp() + " " + Int(-1000, 1000);
      case 4:
        return "b % " + Int(-4, 7) + " = " + Int(-2, 2);
      case 5:
        return "b / a " + Cmp() + " " + Int(-20, 20);
      case 6:
        return "d " + std::string(rng_() % 2 ? "" : "NOT ") + "BETWEEN " + Int(-1000, 0) + "." +
               Int(10, 99) + " AND " + Int(0, 1000) + ".5";
      case 7:
        return "d * 2 " + Cmp() + " " + Int(-500, 500) + ".25";
      case 8:
        return "dt " + Cmp() + " DATE '" + Of({"1994-08-21", "1995-01-01", "1999-12-31"}) + "'";
      case 9:
        return "c " + Cmp() + " " + Of(kStrings);
      case 10:
        return "v " + std::string(rng_() % 2 ? "" : "NOT ") + "LIKE " + Of(kPatterns);
      case 11:
        return "c LIKE " + Of(kPatterns);
      case 12:
        return "v " + std::string(rng_() % 2 ? "" : "NOT ") + "IN (" + Of(kStrings) + ", " +
               Of(kStrings) + (rng_() % 3 == 0 ? ", NULL" : "") + ")";
      case 13:
        return Of({"a", "d", "dt", "c", "v", "f", "flag"}) + " IS " +
               std::string(rng_() % 2 ? "" : "NOT ") + "NULL";
      case 14:
        return Of({"flag", "NOT flag", "flag = TRUE", "flag <> FALSE"});
      case 15:
        return "f " + Cmp() + " " + Of({"0", "0.5", "-1.25", "3", "100000.5", "0.0"});
      case 16:
        return "length(v) " + Cmp() + " " + Int(0, 6);
      default:
        return "a IN (" + Int(-5, 5) + ", " + Int(-5, 5) + ", " + Int(-50, 50) + ")";
    }
  }

  std::string RawAtom() {
    static const char* kFns[] = {"u8",    "u16le", "u16be", "u32le", "u32be", "u64le",
                                 "u64be", "i32le", "i32be", "i64le", "i64be"};
    std::string col = rng_() % 3 == 0 ? "key" : "value";
    switch (rng_() % 9) {
      case 0:
      case 1:
        return Of(kFns) + "(" + col + ", " + Int(-1, 70) + ") " + Cmp() + " " +
               Int(-100000, 100000);
      case 2:
        return "length(value) " + Cmp() + " " + Int(0, 40);
      case 3:
        return "starts_with(" + col + ", '" + Of({"tenant", "ten", "a", "", "tenant-000042/r"}) +
               "')";
      case 4:
        return "substr(" + col + ", " + Int(-1, 10) + ", " + Int(0, 4) + ") " + Cmp() + " '" +
               Of({"a", "ab", "nan", "", "ten"}) + "'";
      case 5:
        return col + " LIKE '" + Of({"%a%", "ten%", "%b", "_", "%a_c%", ""}) + "'";
      case 6:
        return "u8(value, length(value) - " + Int(0, 3) + ") " + Cmp() + " " + Int(0, 255);
      case 7:
        return "key " + Cmp() + " '" + std::string(kPrefix).substr(0, 20) + "'";
      default:
        return "u16le(value, 0) % " + Int(1, 9) + " = " + Int(0, 3);
    }
  }

  bool raw_;
  std::mt19937_64 rng_;
};

// ---- the oracle -----------------------------------------------------------

// The expected outcome per the ABI. When the block has a malformed row, only
// the status is defined (the records before it are compared kernel vs host).
BlockOutcome Expected(const bg::Evaluator& ev, const std::vector<const bg::Expr*>& conjuncts,
                      std::string_view block, uint32_t flags) {
  BlockOutcome out;
  out.status = abi::kBlockOk;
  DataBlockIter it(block);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    ++out.entries;
    const ParsedInternalKey& k = it.parsed();
    if (k.type != 1) {
      out.records.push_back({abi::kNotValue, std::string(it.key()), ""});
      continue;
    }
    auto m = ev.Matches(conjuncts, k.user_key, it.value());
    if (!m.ok()) {
      EXPECT_TRUE(m.status().IsCorruption()) << m.status().ToString();
      out.status = abi::kBlockBadRow;
      out.error_offset = it.entry_offset();
      return out;
    }
    if (*m) {
      out.records.push_back({abi::kMatched, std::string(it.key()), std::string(it.value())});
    } else if (flags & abi::kEmitShadows) {
      out.records.push_back({abi::kShadow, std::string(it.key()), ""});
    }
  }
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  return out;
}

Result<std::vector<BlockOutcome>> RunDevice(DeviceProgram& program,
                                            const std::vector<BlockInput>& blocks) {
  std::vector<BlockOutcome> outcomes(blocks.size());
  BlockStager stager(program.device, program.program.get());
  PD_RETURN_IF_ERROR(
      stager.Run(blocks, [&](size_t i, const BlockResult& r, const BatchResult& batch) {
        BlockOutcome& o = outcomes[i];
        o.status = r.status;
        o.entries = r.entries;
        o.error_offset = r.error_offset;
        for (const abi::OutRecord& rec : r.records) {
          OutEntry e = batch.Entry(rec);
          o.records.push_back(
              {static_cast<uint8_t>(e.entry_class), e.InternalKey(), std::string(e.value)});
        }
        return Status::OK();
      }));
  return outcomes;
}

// Compares one device's outcome with the expected one; returns false (and
// reports) on the first difference.
bool Agree(const char* device, const std::string& predicate, size_t block_index,
           const BlockOutcome& got, const BlockOutcome& want) {
  std::string where =
      std::string(device) + ", predicate [" + predicate + "], block " + std::to_string(block_index);
  if (got.status != want.status) {
    ADD_FAILURE() << where << ": status " << BlockStatusName(got.status) << ", expected "
                  << BlockStatusName(want.status);
    return false;
  }
  if (want.status != abi::kBlockOk) {
    if (got.error_offset != want.error_offset) {
      ADD_FAILURE() << where << ": error offset " << got.error_offset << ", expected "
                    << want.error_offset;
      return false;
    }
    return true;
  }
  if (got.entries != want.entries) {
    ADD_FAILURE() << where << ": " << got.entries << " entries, expected " << want.entries;
    return false;
  }
  size_t n = std::min(got.records.size(), want.records.size());
  for (size_t i = 0; i < n; ++i) {
    if (!(got.records[i] == want.records[i])) {
      ADD_FAILURE() << where << ": record " << i << " is " << Describe(got.records[i])
                    << ", expected " << Describe(want.records[i]);
      return false;
    }
  }
  if (got.records.size() != want.records.size()) {
    ADD_FAILURE() << where << ": " << got.records.size() << " records, expected "
                  << want.records.size();
    return false;
  }
  return true;
}

struct Totals {
  size_t predicates = 0, rejected_by_language = 0, blocks_compared = 0, entries = 0, matched = 0;
  size_t kernel_runs = 0;
  size_t blocks = 0;         // distinct RocksDB-written data blocks
  size_t fallbacks = 0;      // kernel requested, ran on the host
  size_t failed_blocks = 0;  // comparisons of blocks with a malformed row (status only)
};

void RunMode(bool raw, size_t num_predicates, uint64_t seed, Totals* totals) {
  TempDir dir("pd_device_diff");
  std::vector<std::string> contents = MakeBlocks(raw, dir, seed);
  ASSERT_GE(contents.size(), 500u) << "not enough blocks";
  totals->blocks = contents.size();
  std::mt19937_64 rng(seed + 1);
  std::vector<BlockInput> blocks;
  for (const std::string& c : contents) {
    blocks.push_back({c, rng() % 2 ? static_cast<uint32_t>(abi::kEmitShadows) : 0u});
  }

  bg::Schema schema = raw ? bg::Schema::Raw() : bg::ParseSchema(kDdl).value();
  bg::Evaluator ev(schema);
  DeviceRegistry& registry = DeviceRegistry::Default();
  const bool kernel_available = registry.kernel().Available().ok();
  PredicateGen predicates(raw, seed + 2);
  size_t failures = 0;
  for (size_t p = 0; p < num_predicates && failures < 5; ++p) {
    std::string text = predicates.Next();
    auto predicate = bg::CompilePredicate(text, schema);
    if (!predicate.ok()) {
      // The generator may build ill-typed terms (e.g. b % 0 folds fine, but
      // some combinations are type errors); those are the language's business.
      ++totals->rejected_by_language;
      continue;
    }
    ++totals->predicates;
    bg::SplitResult split = bg::SplitPredicate(*predicate, schema, bg::TargetCaps::Kernel());
    const std::vector<const bg::Expr*>& conjuncts = split.device;

    auto host = CompileAndLoad(registry, "host", schema, conjuncts);
    ASSERT_TRUE(host.ok()) << text << ": " << host.status().ToString();
    auto host_out = RunDevice(**host, blocks);
    ASSERT_TRUE(host_out.ok()) << text << ": " << host_out.status().ToString();

    std::vector<BlockOutcome> kernel_out;
    if (kernel_available) {
      auto kernel = CompileAndLoad(registry, "kernel", schema, conjuncts);
      ASSERT_TRUE(kernel.ok()) << text << ": " << kernel.status().ToString();
      const Fallback& fallback = (*kernel)->fallback;
      if (fallback.fell_back()) {
        // A fallback is a result, not an exactness failure: the chain ran the
        // program on the host, whose output is checked like any other. It is
        // listed (a split/generator disagreement or a verifier limit is worth
        // knowing), and fails the test under PD_DIFF_STRICT_KERNEL=1.
        ++totals->fallbacks;
        printf("fallback (%s) for [%s]: %.300s\n", FallbackReasonName(fallback.reason),
               text.c_str(), fallback.detail.c_str());
        EXPECT_EQ(getenv("PD_DIFF_STRICT_KERNEL"), nullptr) << text << ": kernel fell back";
        EXPECT_NE(fallback.reason, Fallback::Reason::kNoBpfPrivilege);
      } else {
        ++totals->kernel_runs;
      }
      auto out = RunDevice(**kernel, blocks);
      ASSERT_TRUE(out.ok()) << text << ": " << out.status().ToString();
      kernel_out = std::move(out).value();
    }

    for (size_t b = 0; b < blocks.size(); ++b) {
      BlockOutcome want = Expected(ev, conjuncts, contents[b], blocks[b].flags);
      bool ok = Agree("host", text, b, (*host_out)[b], want);
      if (!kernel_out.empty()) {
        ok = Agree("kernel", text, b, kernel_out[b], want) && ok;
        // Where only the status is defined, the two devices still agree exactly.
        if (want.status != abi::kBlockOk && kernel_out[b].records != (*host_out)[b].records) {
          ADD_FAILURE() << "kernel and host records differ on a failed block " << b << " for ["
                        << text << "]";
          ok = false;
        }
      }
      ++totals->blocks_compared;
      totals->failed_blocks += want.status != abi::kBlockOk;
      totals->entries += want.entries;
      for (const Record& r : want.records) totals->matched += r.entry_class == abi::kMatched;
      if (!ok && ++failures >= 5) break;
    }
  }
  // Most programs must really run in the kernel, or the test proves little.
  if (kernel_available) {
    EXPECT_GE(totals->kernel_runs * 4, totals->predicates * 3)
        << totals->fallbacks << " of " << totals->predicates << " predicates fell back";
  }
  if (!kernel_available) {
    GTEST_SKIP() << "host and Evaluator agree; kernel device unavailable: "
                 << registry.kernel().Available().ToString();
  }
}

TEST(DeviceDifferential, SchemaRowsKernelHostEvaluatorAgree) {
  Totals totals;
  RunMode(/*raw=*/false, /*num_predicates=*/40, /*seed=*/20260401, &totals);
  printf(
      "schema mode: %zu blocks, %zu predicates (%zu rejected by the language), %zu kernel "
      "programs, "
      "%zu fallbacks, %zu block comparisons, %zu entries, %zu matches\n",
      totals.blocks, totals.predicates, totals.rejected_by_language, totals.kernel_runs,
      totals.fallbacks, totals.blocks_compared, totals.entries, totals.matched);
  EXPECT_GE(totals.predicates, 30u);
  EXPECT_GT(totals.matched, 0u);
  // A few blocks hold a malformed row (status compared), most compare records.
  EXPECT_GT(totals.failed_blocks, 0u);
  EXPECT_LT(totals.failed_blocks * 10, totals.blocks_compared);
}

TEST(DeviceDifferential, RawValuesKernelHostEvaluatorAgree) {
  Totals totals;
  RunMode(/*raw=*/true, /*num_predicates=*/40, /*seed=*/777, &totals);
  printf(
      "raw mode: %zu blocks, %zu predicates (%zu rejected by the language), %zu kernel programs, "
      "%zu fallbacks, %zu block comparisons, %zu entries, %zu matches\n",
      totals.blocks, totals.predicates, totals.rejected_by_language, totals.kernel_runs,
      totals.fallbacks, totals.blocks_compared, totals.entries, totals.matched);
  EXPECT_GE(totals.predicates, 30u);
  EXPECT_GT(totals.matched, 0u);
}

}  // namespace
}  // namespace pushdown::exec
