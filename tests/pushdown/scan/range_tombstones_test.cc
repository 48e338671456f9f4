// FragmentedTombstones (range_tombstones.h) and the merge's use of it
// (LsmMergeCursor with tombstones), each against a brute-force reference on
// random inputs.
#include "pushdown/scan/range_tombstones.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "pushdown/scan/lsm_merge.h"
#include "pushdown/scan/vector_stream.h"

namespace pushdown::exec {
namespace {

// The newest tombstone seq <= snapshot covering key, by looking at each one.
uint64_t ReferenceMaxCoveringSeq(const std::vector<RangeTombstone>& ts, std::string_view key,
                                 uint64_t snapshot) {
  uint64_t best = 0;
  for (const RangeTombstone& t : ts) {
    if (t.seq <= snapshot && t.start <= key && key < t.end) best = std::max(best, t.seq);
  }
  return best;
}

// Keys from a small alphabet so that boundaries collide often; "" included.
std::string RandomKey(std::mt19937_64& rng, int max_len = 3) {
  std::string k;
  const int len = static_cast<int>(rng() % (max_len + 1));
  for (int i = 0; i < len; ++i) k += static_cast<char>('a' + rng() % 4);
  return k;
}

TEST(FragmentedTombstonesTest, EmptyAndDegenerate) {
  FragmentedTombstones none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.MaxCoveringSeq("a"), 0u);
  // start >= end covers nothing; seq 0 hides nothing; above the snapshot is invisible.
  FragmentedTombstones f({{"b", "b", 5}, {"c", "a", 5}, {"a", "z", 0}, {"a", "z", 11}}, 10);
  EXPECT_TRUE(f.empty());
}

TEST(FragmentedTombstonesTest, OverlapsKeepTheNewestVisible) {
  // [a, e)@5, [c, g)@9, [d, f)@20 (above the snapshot 10).
  FragmentedTombstones f({{"c", "g", 9}, {"a", "e", 5}, {"d", "f", 20}}, 10);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f.fragments()[0].start, "a");
  EXPECT_EQ(f.fragments()[0].end, "c");
  EXPECT_EQ(f.fragments()[0].seq, 5u);
  EXPECT_EQ(f.fragments()[1].start, "c");
  EXPECT_EQ(f.fragments()[1].end, "g");
  EXPECT_EQ(f.fragments()[1].seq, 9u);
  EXPECT_EQ(f.MaxCoveringSeq(""), 0u);
  EXPECT_EQ(f.MaxCoveringSeq("a"), 5u);
  EXPECT_EQ(f.MaxCoveringSeq("bzzz"), 5u);
  EXPECT_EQ(f.MaxCoveringSeq("c"), 9u);
  EXPECT_EQ(f.MaxCoveringSeq("f"), 9u);
  EXPECT_EQ(f.MaxCoveringSeq("g"), 0u);  // end is exclusive
  EXPECT_TRUE(f.Covers("b", 4));
  EXPECT_FALSE(f.Covers("b", 5));  // a tombstone hides only older entries
  EXPECT_FALSE(f.Covers("b", 6));
}

TEST(FragmentedTombstonesTest, MatchesReferenceOnRandomTombstones) {
  std::mt19937_64 rng(1234);
  for (int round = 0; round < 2000; ++round) {
    std::vector<RangeTombstone> ts;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      ts.push_back({RandomKey(rng), RandomKey(rng), 1 + rng() % 30});
    }
    const uint64_t snapshot = rng() % 35;
    FragmentedTombstones f(ts, snapshot);
    // Fragments are disjoint, ascending, non-empty and never above the snapshot.
    for (size_t i = 0; i < f.size(); ++i) {
      const auto& fr = f.fragments()[i];
      ASSERT_LT(fr.start, fr.end);
      ASSERT_GT(fr.seq, 0u);
      ASSERT_LE(fr.seq, snapshot);
      if (i > 0) ASSERT_LE(f.fragments()[i - 1].end, fr.start);
    }
    EXPECT_LE(f.size(), ts.empty() ? 0 : 2 * ts.size() - 1);
    // Every key of the alphabet up to length 4 (boundaries and between them).
    for (int probe = 0; probe < 60; ++probe) {
      const std::string k = RandomKey(rng, 4);
      ASSERT_EQ(f.MaxCoveringSeq(k), ReferenceMaxCoveringSeq(ts, k, snapshot))
          << "round " << round << " key '" << k << "'";
    }
  }
}

// --- The merge with tombstones against a reference model ---

struct Version {
  uint64_t seq;
  uint8_t type;  // kValue or kDeletion
  bool matches;  // the device predicate's verdict on a value
};

// The reference: for each key, the newest version at or below the snapshot;
// hidden if a visible tombstone newer than it covers the key; shown if it is
// a matching value.
std::vector<std::string> ReferenceRows(const std::map<std::string, std::vector<Version>>& keys,
                                       const std::vector<RangeTombstone>& ts, uint64_t snapshot) {
  std::vector<std::string> out;
  for (const auto& [key, versions] : keys) {
    const Version* newest = nullptr;
    for (const Version& v : versions) {
      if (v.seq <= snapshot && (newest == nullptr || v.seq > newest->seq)) newest = &v;
    }
    if (newest == nullptr) continue;
    if (ReferenceMaxCoveringSeq(ts, key, snapshot) > newest->seq) continue;
    if (newest->type == value_type::kValue && newest->matches) {
      out.push_back(key + "@" + std::to_string(newest->seq));
    }
  }
  return out;
}

TEST(LsmMergeTombstoneTest, MatchesReferenceOnRandomShapes) {
  std::mt19937_64 rng(99);
  uint64_t hidden_total = 0;
  for (int round = 0; round < 400; ++round) {
    // Unique sequence numbers 1..N over random keys, spread over 1-4 streams
    // (a key's versions may sit in different streams, newer in earlier ones
    // or not: the merge orders by sequence number).
    std::map<std::string, std::vector<Version>> keys;
    const int nstreams = 1 + static_cast<int>(rng() % 4);
    std::vector<std::vector<OwnedEntry>> streams(nstreams);
    std::vector<RangeTombstone> ts;
    const int ops = 5 + static_cast<int>(rng() % 60);
    for (uint64_t seq = 1; seq <= static_cast<uint64_t>(ops); ++seq) {
      const uint64_t kind = rng() % 10;
      if (kind < 2) {
        ts.push_back({RandomKey(rng), RandomKey(rng), seq});
        continue;
      }
      const std::string k = RandomKey(rng);
      const bool del = kind == 2;
      const bool matches = rng() % 2 == 0;
      keys[k].push_back({seq, del ? value_type::kDeletion : value_type::kValue, matches});
      OwnedEntry e{
          k, seq, del ? value_type::kDeletion : value_type::kValue,
          del ? EntryClass::kNotValue : (matches ? EntryClass::kMatched : EntryClass::kShadow),
          matches && !del ? "v" : ""};
      streams[rng() % nstreams].push_back(std::move(e));
    }
    std::vector<std::unique_ptr<VectorEntryStream>> owned;
    std::vector<EntryStream*> ptrs;
    for (auto& s : streams) {
      std::sort(s.begin(), s.end(), [](const OwnedEntry& a, const OwnedEntry& b) {
        return a.user_key != b.user_key ? a.user_key < b.user_key : a.seq > b.seq;
      });
      owned.push_back(std::make_unique<VectorEntryStream>("s", std::move(s)));
      ptrs.push_back(owned.back().get());
    }
    const uint64_t snapshot = rng() % (ops + 3);
    FragmentedTombstones frags(ts, snapshot);
    LsmMergeCursor merge(ptrs, snapshot, {}, &frags);
    std::vector<std::string> got;
    for (merge.SeekToFirst(); merge.Valid(); merge.Next()) {
      got.push_back(std::string(merge.user_key()) + "@" + std::to_string(merge.seq()));
    }
    ASSERT_TRUE(merge.status().ok()) << merge.status().ToString();
    ASSERT_EQ(got, ReferenceRows(keys, ts, snapshot)) << "round " << round;
    hidden_total += merge.keys_hidden_by_range_deletion();
  }
  // The random shapes did exercise the tombstones (the test can fail).
  EXPECT_GT(hidden_total, 100u);
}

TEST(LsmMergeTombstoneTest, NullAndEmptyTombstonesChangeNothing) {
  std::vector<OwnedEntry> e = {{"a", 3, value_type::kValue, EntryClass::kMatched, "x"}};
  VectorEntryStream s("s", e);
  FragmentedTombstones empty;
  LsmMergeCursor merge({&s}, 10, {}, &empty);
  merge.SeekToFirst();
  ASSERT_TRUE(merge.Valid());
  EXPECT_EQ(merge.user_key(), "a");
}

TEST(LsmMergeTombstoneTest, TombstoneHidesMatchButNotNewerVersion) {
  // a@2 (match) under [a, c)@5; b@7 (match) newer than the tombstone.
  VectorEntryStream s("s", {{"a", 2, value_type::kValue, EntryClass::kMatched, "x"},
                            {"b", 7, value_type::kValue, EntryClass::kMatched, "y"},
                            {"b", 1, value_type::kValue, EntryClass::kMatched, "old"}});
  FragmentedTombstones t({{"a", "c", 5}}, 10);
  LsmMergeCursor merge({&s}, 10, {}, &t);
  merge.SeekToFirst();
  ASSERT_TRUE(merge.Valid());
  EXPECT_EQ(merge.user_key(), "b");
  EXPECT_EQ(merge.value(), "y");
  merge.Next();
  EXPECT_FALSE(merge.Valid());
  EXPECT_EQ(merge.keys_hidden_by_range_deletion(), 1u);
  // At snapshot 6, b@7 is invisible and b@1 is hidden by the tombstone.
  FragmentedTombstones t6({{"a", "c", 5}}, 6);
  LsmMergeCursor at6({&s}, 6, {}, &t6);
  at6.SeekToFirst();
  EXPECT_FALSE(at6.Valid());
  EXPECT_EQ(at6.keys_hidden_by_range_deletion(), 2u);
  // At snapshot 4 the tombstone is invisible: a@2 and b@1 show.
  FragmentedTombstones t4({{"a", "c", 5}}, 4);
  LsmMergeCursor at4({&s}, 4, {}, &t4);
  std::vector<std::string> got;
  for (at4.SeekToFirst(); at4.Valid(); at4.Next()) got.emplace_back(at4.value());
  EXPECT_EQ(got, (std::vector<std::string>{"x", "old"}));
}

}  // namespace
}  // namespace pushdown::exec
