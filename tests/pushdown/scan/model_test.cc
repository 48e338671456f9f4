// Model-based harness for the exact LSM merge (LevelDB style): random
// operations over a small key space are distributed into synthetic sorted
// "files" over levels the way flushes and compactions would (garbage
// collection under a snapshot, tombstone dropping and sequence zeroing at the
// bottom), each file filtered as a device would under the shadow policy; the
// cursor's rows must equal a std::map model of the newest visible version per
// key, filtered by the predicate.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "pushdown/scan/key_range.h"
#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/shadow_policy.h"
#include "pushdown/scan/vector_stream.h"

namespace pushdown::exec {
namespace {

struct Version {
  std::string key;
  uint64_t seq;
  uint8_t type;
  std::string value;
};

bool InternalLess(const Version& a, const Version& b) {
  const int c = a.key.compare(b.key);
  if (c != 0) return c < 0;
  return a.seq > b.seq;
}

struct SimFile {
  int level = 0;  // 0 = L0
  bool bottommost = false;
  uint64_t largest_seqno = 0;
  std::vector<Version> entries;  // internal key order
};

int Num(std::string_view v) { return std::stoi(std::string(v)); }
bool DevicePred(std::string_view v) { return Num(v) % 2 == 0; }
bool ResidualPred(std::string_view v) { return Num(v) % 3 != 0; }

enum class Policy { kExact, kNaiveBottommost };

struct Case {
  std::vector<SimFile> files;  // newest first
  uint64_t snapshot = 0;
  std::vector<Version> ops;  // in seq order
};

// RocksDB's compaction rules under the snapshots that existed at compaction
// time: per key, keep the newest version and, for each snapshot, the newest
// version visible to it; at the bottom, drop a tombstone with nothing older and
// zero the sequence numbers visible to the earliest snapshot (all of them when
// there is none).
std::vector<Version> Compact(std::vector<Version> in, const std::vector<uint64_t>& snapshots,
                             bool bottom) {
  std::sort(in.begin(), in.end(), InternalLess);
  std::vector<Version> out;
  for (size_t i = 0; i < in.size();) {
    size_t j = i;
    while (j < in.size() && in[j].key == in[i].key) ++j;
    std::vector<Version> kept;
    for (size_t k = i; k < j; ++k) {
      bool keep = k == i;
      for (uint64_t snap : snapshots) {
        // in[k] is the newest visible to snap if it is and the previous is not.
        if (in[k].seq <= snap && (k == i || in[k - 1].seq > snap)) keep = true;
      }
      if (keep) kept.push_back(in[k]);
    }
    if (bottom) {
      if (kept.back().type != value_type::kValue) kept.pop_back();
      const uint64_t earliest = snapshots.empty()
                                    ? kMaxSequenceNumber
                                    : *std::min_element(snapshots.begin(), snapshots.end());
      for (Version& v : kept) {
        if (v.seq <= earliest) v.seq = 0;
      }
    }
    out.insert(out.end(), kept.begin(), kept.end());
    i = j;
  }
  return out;
}

Case Generate(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  // Keys: short strings over {0x00, 'a', 'b', 0xff}, so prefixes and bytes
  // above 0x7f exercise the bytewise order.
  const char alphabet[] = {'\0', 'a', 'b', '\xff'};
  std::vector<std::string> keys;
  const int num_keys = uniform(1, 12);
  for (int i = 0; i < num_keys; ++i) {
    std::string k;
    const int len = uniform(0, 3);
    for (int c = 0; c < len; ++c) k.push_back(alphabet[uniform(0, 3)]);
    keys.push_back(k);
  }
  Case c;
  const int num_ops = uniform(1, 150);
  for (int i = 0; i < num_ops; ++i) {
    Version v{keys[uniform(0, num_keys - 1)], static_cast<uint64_t>(i + 1), value_type::kValue, ""};
    const int r = uniform(0, 99);
    if (r < 65) {
      v.value = std::to_string(uniform(0, 29));  // flips both predicates both ways
    } else if (r < 85) {
      v.type = value_type::kDeletion;
    } else {
      v.type = value_type::kSingleDeletion;
    }
    c.ops.push_back(v);
  }
  // Snapshots held while files were written; the scan reads at one of them
  // or at the current sequence number (versions for anything else are gone).
  std::vector<uint64_t> snapshots;
  const int num_snapshots = uniform(0, 2);
  for (int i = 0; i < num_snapshots; ++i) snapshots.push_back(uniform(0, num_ops));
  c.snapshot = num_ops + uniform(0, 1);
  if (!snapshots.empty() && uniform(0, 1)) c.snapshot = snapshots[uniform(0, num_snapshots - 1)];

  // Cut the timeline into segments (oldest first); the newest become L0
  // files, older ones are merged into levels 1..L (newest group lowest).
  std::vector<int> cuts = {0, num_ops};
  const int num_cuts = uniform(0, 6);
  for (int i = 0; i < num_cuts; ++i) cuts.push_back(uniform(0, num_ops));
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<std::vector<Version>> segments;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    segments.emplace_back(c.ops.begin() + cuts[i], c.ops.begin() + cuts[i + 1]);
  }
  const int num_segments = static_cast<int>(segments.size());
  const int num_l0 = uniform(0, num_segments);
  const int older = num_segments - num_l0;
  // Groups of older segments -> levels (group 0 = oldest = deepest level).
  std::vector<std::vector<Version>> groups;
  for (int s = 0; s < older; ++s) {
    if (groups.empty() || uniform(0, 1)) groups.emplace_back();
    groups.back().insert(groups.back().end(), segments[s].begin(), segments[s].end());
  }
  const int num_levels = static_cast<int>(groups.size());
  for (int s = num_segments - 1; s >= older; --s) {  // L0, newest first
    SimFile f;
    f.level = 0;
    f.entries = uniform(0, 1) ? Compact(segments[s], snapshots, false) : segments[s];
    std::sort(f.entries.begin(), f.entries.end(), InternalLess);
    c.files.push_back(std::move(f));
  }
  for (int g = num_levels - 1; g >= 0; --g) {
    const bool bottom = g == 0;
    std::vector<Version> merged = Compact(groups[g], snapshots, bottom);
    // Split the level into files by key range.
    size_t i = 0;
    while (i < merged.size()) {
      SimFile f;
      f.level = num_levels - g;
      f.bottommost = bottom;
      size_t j = i;
      const size_t target = i + static_cast<size_t>(uniform(1, 8));
      while (j < merged.size() && (j < target || merged[j].key == merged[j - 1].key)) ++j;
      f.entries.assign(merged.begin() + i, merged.begin() + j);
      c.files.push_back(std::move(f));
      i = j;
    }
  }
  for (SimFile& f : c.files) {
    for (const Version& v : f.entries) f.largest_seqno = std::max(f.largest_seqno, v.seq);
  }
  return c;
}

// The device's view of a file: matched values, shadows where the policy asks.
std::vector<OwnedEntry> FilterFile(const SimFile& f, Policy policy) {
  const bool shadows =
      policy == Policy::kExact ? NeedsShadows(f.bottommost, f.largest_seqno) : !f.bottommost;
  std::vector<OwnedEntry> out;
  for (const Version& v : f.entries) {
    if (v.type != value_type::kValue) {
      out.push_back({v.key, v.seq, v.type, EntryClass::kNotValue, ""});
    } else if (DevicePred(v.value)) {
      out.push_back({v.key, v.seq, v.type, EntryClass::kMatched, v.value});
    } else if (shadows) {
      out.push_back({v.key, v.seq, v.type, EntryClass::kShadow, ""});
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Model(const Case& c) {
  std::map<std::string, const Version*> newest;
  for (const Version& v : c.ops) {
    if (v.seq <= c.snapshot) newest[v.key] = &v;
  }
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [key, v] : newest) {
    if (v->type == value_type::kValue && DevicePred(v->value) && ResidualPred(v->value)) {
      rows.emplace_back(key, v->value);
    }
  }
  return rows;
}

Result<std::vector<std::pair<std::string, std::string>>> RunScan(const Case& c, Policy policy,
                                                                 uint64_t limit = kNoLimit,
                                                                 KeyRange range = {}) {
  std::vector<std::unique_ptr<VectorEntryStream>> owned;
  std::vector<EntryStream*> streams;
  for (size_t i = 0; i < c.files.size(); ++i) {
    owned.push_back(std::make_unique<VectorEntryStream>("file" + std::to_string(i),
                                                        FilterFile(c.files[i], policy)));
    streams.push_back(owned.back().get());
  }
  RowFilter residual = [](std::string_view, std::string_view v) -> Result<bool> {
    return ResidualPred(v);
  };
  RowCursor cursor(streams, c.snapshot, residual, std::nullopt, limit, std::move(range));
  std::vector<std::pair<std::string, std::string>> rows;
  Row row;
  for (;;) {
    PD_RETURN_IF_ERROR(cursor.Next(&row));
    if (!cursor.Valid()) break;
    rows.emplace_back(row.key, row.value);
  }
  return rows;
}

constexpr uint32_t kSeeds = 5000;

TEST(LsmMergeModelTest, MatchesModelOnRandomLsmShapes) {
  int multi_version_bottom = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    const Case c = Generate(seed);
    auto got = RunScan(c, Policy::kExact);
    ASSERT_TRUE(got.ok()) << "seed " << seed << ": " << got.status().ToString();
    ASSERT_EQ(*got, Model(c)) << "seed " << seed << " snapshot " << c.snapshot;
    for (const SimFile& f : c.files) {
      if (f.bottommost && f.largest_seqno != 0) ++multi_version_bottom;
    }
  }
  // The generator must produce the case the shadow policy exists for.
  EXPECT_GT(multi_version_bottom, 100);
}

TEST(LsmMergeModelTest, LimitReturnsPrefix) {
  for (uint32_t seed = 1; seed <= 500; ++seed) {
    const Case c = Generate(seed);
    const auto all = Model(c);
    const uint64_t limit = seed % 4;
    auto got = RunScan(c, Policy::kExact, limit);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const size_t n = std::min<size_t>(all.size(), limit);
    const std::vector<std::pair<std::string, std::string>> prefix(all.begin(), all.begin() + n);
    ASSERT_EQ(*got, prefix) << "seed " << seed;
  }
}

// A random bound over the generator's alphabet (also bytes between its
// letters, and 0xff runs that have no prefix successor).
std::optional<std::string> RandomBound(std::mt19937* rng) {
  const char alphabet[] = {'\0', '\x01', 'a', 'b', 'c', '\xff'};
  std::uniform_int_distribution<int> len(0, 3), letter(0, 5), unset(0, 3);
  if (unset(*rng) == 0) return std::nullopt;
  std::string k;
  for (int n = len(*rng); n > 0; --n) k.push_back(alphabet[letter(*rng)]);
  return k;
}

// Bounds: the rows are exactly the model's rows with keys in the range, for
// random ranges (empty, inverted, equal to keys, between keys, prefixes).
TEST(LsmMergeModelTest, BoundsCutExactly) {
  std::mt19937 rng(42);
  int nonempty = 0, cut = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    const Case c = Generate(seed);
    KeyRange range;
    if (seed % 5 == 0) {
      std::optional<std::string> p = RandomBound(&rng);
      range = PrefixRange(p.value_or(""));
    } else {
      range.lower = RandomBound(&rng);
      range.upper = RandomBound(&rng);
    }
    std::vector<std::pair<std::string, std::string>> want;
    const auto all = Model(c);
    for (const auto& row : all) {
      const bool in =
          (!range.lower || row.first >= *range.lower) && (!range.upper || row.first < *range.upper);
      if (in) want.push_back(row);
    }
    auto got = RunScan(c, Policy::kExact, kNoLimit, range);
    ASSERT_TRUE(got.ok()) << "seed " << seed << ": " << got.status().ToString();
    ASSERT_EQ(*got, want) << "seed " << seed;
    nonempty += !want.empty();
    cut += want.size() < all.size();
  }
  EXPECT_GT(nonempty, 500);
  EXPECT_GT(cut, 500);
}

// The harness is strong enough to catch the naive shadow rule.
TEST(LsmMergeModelTest, NaiveBottommostRuleIsCaught) {
  int wrong = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    const Case c = Generate(seed);
    auto got = RunScan(c, Policy::kNaiveBottommost);
    if (!got.ok() || *got != Model(c)) ++wrong;
  }
  EXPECT_GT(wrong, 0);
}

}  // namespace
}  // namespace pushdown::exec
