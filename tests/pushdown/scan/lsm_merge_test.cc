// Unit tests of the exact LSM merge and the row cursor on in-memory streams.
#include "pushdown/scan/lsm_merge.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/shadow_policy.h"
#include "pushdown/scan/vector_stream.h"

namespace pushdown::exec {
namespace {

OwnedEntry Put(std::string key, uint64_t seq, std::string value) {
  return {std::move(key), seq, value_type::kValue, EntryClass::kMatched, std::move(value)};
}
OwnedEntry Shadow(std::string key, uint64_t seq) {
  return {std::move(key), seq, value_type::kValue, EntryClass::kShadow, ""};
}
OwnedEntry Del(std::string key, uint64_t seq, uint8_t type = value_type::kDeletion) {
  return {std::move(key), seq, type, EntryClass::kNotValue, ""};
}

struct Files {
  std::vector<std::unique_ptr<VectorEntryStream>> owned;
  std::vector<EntryStream*> ptrs;
  void Add(std::vector<OwnedEntry> entries) {
    owned.push_back(std::make_unique<VectorEntryStream>("f" + std::to_string(owned.size()),
                                                        std::move(entries)));
    ptrs.push_back(owned.back().get());
  }
};

// Runs the cursor to the end; returns "key=value" strings, or the error text.
std::vector<std::string> Scan(Files& files, uint64_t snapshot, RowFilter residual = nullptr,
                              uint64_t limit = kNoLimit, Status* status = nullptr) {
  RowCursor cursor(files.ptrs, snapshot, std::move(residual), std::nullopt, limit);
  std::vector<std::string> out;
  Row row;
  for (;;) {
    Status s = cursor.Next(&row);
    if (!s.ok()) {
      if (status) *status = s;
      out.push_back("error: " + s.ToString());
      return out;
    }
    if (!cursor.Valid()) break;
    out.push_back(row.key + "=" + row.value);
  }
  if (status) *status = Status::OK();
  return out;
}

using V = std::vector<std::string>;

TEST(LsmMergeTest, NoStreamsAndEmptyStreams) {
  Files none;
  EXPECT_EQ(Scan(none, 100), V{});
  Files empty;
  empty.Add({});
  empty.Add({});
  EXPECT_EQ(Scan(empty, 100), V{});
}

TEST(LsmMergeTest, MergesByUserKeyBytewise) {
  Files f;
  f.Add({Put("a", 5, "1"), Put("b\xff", 3, "2")});
  f.Add({Put("", 1, "0"), Put(std::string("a\0x", 3), 2, "3"), Put("b", 1, "4")});
  EXPECT_EQ(Scan(f, 100), (V{"=0", "a=1", std::string("a\0x=3", 5), "b=4", "b\xff=2"}));
}

TEST(LsmMergeTest, NewestVersionWinsAcrossFiles) {
  Files f;
  f.Add({Put("k", 9, "new")});
  f.Add({Put("k", 4, "old")});
  EXPECT_EQ(Scan(f, 100), V{"k=new"});
  EXPECT_EQ(Scan(f, 8), V{"k=old"});
  EXPECT_EQ(Scan(f, 3), V{});
}

TEST(LsmMergeTest, TombstonesHideOlderVersions) {
  Files f;
  f.Add({Del("a", 10), Del("b", 10, value_type::kSingleDeletion)});
  f.Add({Put("a", 5, "x"), Put("b", 5, "y"), Put("c", 5, "z")});
  EXPECT_EQ(Scan(f, 100), V{"c=z"});
  // Tombstones newer than the snapshot are invisible: they hide nothing.
  EXPECT_EQ(Scan(f, 9), (V{"a=x", "b=y", "c=z"}));
}

TEST(LsmMergeTest, ShadowHidesOlderMatchInSameAndOtherFiles) {
  Files f;
  f.Add({Shadow("a", 10), Put("a", 7, "a7"), Shadow("b", 8)});
  f.Add({Put("a", 3, "a3"), Put("b", 2, "b2")});
  EXPECT_EQ(Scan(f, 100), V{});
  EXPECT_EQ(Scan(f, 9), V{"a=a7"});
  EXPECT_EQ(Scan(f, 7), (V{"a=a7", "b=b2"}));
  EXPECT_EQ(Scan(f, 5), (V{"a=a3", "b=b2"}));
}

TEST(LsmMergeTest, EqualSequenceNumbersPreferEarlierStream) {
  Files f;  // seq 0 in an upper and a lower file: the earlier (newer) stream wins
  f.Add({Del("k", 0)});
  f.Add({Put("k", 0, "stale")});
  EXPECT_EQ(Scan(f, 0), V{});
}

TEST(LsmMergeTest, UnsupportedEntryTypesFail) {
  for (uint8_t type :
       {value_type::kMerge, value_type::kBlobIndex, value_type::kRangeDeletion,
        value_type::kDeletionWithTimestamp, value_type::kWideColumnEntity, uint8_t{0x42}}) {
    Files f;
    f.Add({Put("a", 9, "x"), Del("b", 4, type)});
    Status s;
    Scan(f, 100, nullptr, kNoLimit, &s);
    EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  }
  // Even hidden or invisible, an unsupported entry fails rather than being guessed about.
  Files hidden;
  hidden.Add({Put("a", 9, "x"), Del("a", 4, value_type::kMerge)});
  Status s;
  Scan(hidden, 100, nullptr, kNoLimit, &s);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
}

TEST(LsmMergeTest, OutOfOrderStreamIsCorruption) {
  Files f;
  f.Add({Put("b", 1, "x"), Put("a", 2, "y")});
  Status s;
  Scan(f, 100, nullptr, kNoLimit, &s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  Files g;
  g.Add({Put("a", 1, "x"), Put("a", 2, "y")});
  Scan(g, 100, nullptr, kNoLimit, &s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(LsmMergeTest, MisclassifiedEntryIsCorruption) {
  Files f;
  f.Add({{"a", 1, value_type::kValue, EntryClass::kNotValue, ""}});
  Status s;
  Scan(f, 100, nullptr, kNoLimit, &s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

class FailingStream final : public EntryStream {
 public:
  void SeekToFirst() override {
    pos_ = 0;
    e_ = {"a", 5, value_type::kValue, EntryClass::kMatched, "v"};
  }
  bool Valid() const override { return pos_ == 0; }
  const FilteredEntry& entry() const override { return e_; }
  void Next() override { pos_ = 1; }
  Status status() const override {
    return pos_ == 0 ? Status::OK() : Status::Corruption("f.sst: bad block checksum at offset 0");
  }
  std::string_view name() const override { return "f.sst"; }

 private:
  int pos_ = 0;
  FilteredEntry e_;
};

TEST(LsmMergeTest, StreamErrorStopsTheScanAfterEarlierRows) {
  FailingStream bad;
  RowCursor cursor({&bad}, 100, nullptr, std::nullopt);
  Row row;
  ASSERT_TRUE(cursor.Next(&row).ok());
  ASSERT_TRUE(cursor.Valid());
  EXPECT_EQ(row.key, "a");
  Status s = cursor.Next(&row);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_FALSE(cursor.Valid());
  EXPECT_EQ(cursor.Next(&row), s);  // sticky
}

TEST(LsmMergeTest, ResidualAndLimit) {
  Files f;
  f.Add({Put("a", 1, "1"), Put("b", 1, "2"), Put("c", 1, "3"), Put("d", 1, "4")});
  RowFilter even = [](std::string_view, std::string_view v) -> Result<bool> {
    return (v[0] - '0') % 2 == 0;
  };
  EXPECT_EQ(Scan(f, 10, even), (V{"b=2", "d=4"}));
  EXPECT_EQ(Scan(f, 10, even, 1), V{"b=2"});
  EXPECT_EQ(Scan(f, 10, nullptr, 3), (V{"a=1", "b=2", "c=3"}));
  EXPECT_EQ(Scan(f, 10, nullptr, 0), V{});
  RowFilter broken = [](std::string_view, std::string_view) -> Result<bool> {
    return Status::InvalidArgument("residual failed");
  };
  Status s;
  Scan(f, 10, broken, kNoLimit, &s);
  EXPECT_TRUE(s.IsInvalidArgument());
}

TEST(LsmMergeTest, RawProjection) {
  Files f;
  f.Add({Put("k1", 1, "v1")});
  bpfgen::Schema raw;
  raw.raw = true;
  Result<Projector> p = Projector::Make(raw, Projection::Columns({1, 0}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  RowCursor cursor(f.ptrs, 10, nullptr, *p);
  Row row;
  ASSERT_TRUE(cursor.Next(&row).ok());
  ASSERT_TRUE(cursor.Valid());
  ASSERT_EQ(row.columns.size(), 2u);
  EXPECT_EQ(row.columns[0], bpfgen::Datum::String("v1"));
  EXPECT_EQ(row.columns[1], bpfgen::Datum::String("k1"));
  EXPECT_TRUE(row.value.empty());
  EXPECT_FALSE(Projector::Make(raw, Projection::Columns({2})).ok());
}

// The device emulation of one file: what its stream carries under a policy.
std::vector<OwnedEntry> Filter(const std::vector<OwnedEntry>& file, bool emit_shadows,
                               bool (*pred)(const std::string&)) {
  std::vector<OwnedEntry> out;
  for (const OwnedEntry& e : file) {
    if (e.type != value_type::kValue) {
      out.push_back(e);
    } else if (pred(e.value)) {
      out.push_back(e);
    } else if (emit_shadows) {
      out.push_back(Shadow(e.user_key, e.seq));
    }
  }
  return out;
}

// A bottommost file compacted while a snapshot existed keeps two versions of a
// key: the newer one (seq 12) fails the predicate, the older (seq 0) passes.
// The naive "bottommost: matches only" rule returns the stale version.
TEST(ShadowPolicyTest, BottommostFileWithTwoVersionsNeedsShadows) {
  const std::vector<OwnedEntry> bottom = {Put("k", 12, "fail"), Put("k", 0, "pass")};
  const uint64_t largest_seqno = 12;
  auto pred = +[](const std::string& v) { return v == "pass"; };

  Files exact;
  exact.Add(Filter(bottom, NeedsShadows(/*bottommost=*/true, largest_seqno), pred));
  EXPECT_EQ(Scan(exact, 100), V{});

  Files naive;  // what the naive rule would do: no shadows for bottommost files
  naive.Add(Filter(bottom, /*emit_shadows=*/false, pred));
  EXPECT_EQ(Scan(naive, 100), V{"k=pass"});  // the stale row the exact rule prevents
}

TEST(ShadowPolicyTest, Rule) {
  EXPECT_TRUE(NeedsShadows(false, 0));
  EXPECT_TRUE(NeedsShadows(false, 7));
  EXPECT_TRUE(NeedsShadows(true, 7));
  EXPECT_FALSE(NeedsShadows(true, 0));
}

TEST(DecodeFilteredKeyTest, SplitsTrailer) {
  std::string ikey = "user";
  const uint64_t packed = (uint64_t{1234} << 8) | value_type::kSingleDeletion;
  ikey.append(reinterpret_cast<const char*>(&packed), 8);
  FilteredEntry e;
  ASSERT_TRUE(DecodeFilteredKey(ikey, &e));
  EXPECT_EQ(e.user_key, "user");
  EXPECT_EQ(e.seq, 1234u);
  EXPECT_EQ(e.type, value_type::kSingleDeletion);
  EXPECT_FALSE(DecodeFilteredKey("short", &e));
}

}  // namespace
}  // namespace pushdown::exec
