// Shared by memtable_program_test.cc (host device) and
// memtable_program_bpf_test.cc (kernel device): the same memtable entries
// through MemtableStream with the host filter alone and with a loaded program,
// compared entry by entry.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/scan/memtable_stream.h"
#include "pushdown/scan/vector_stream.h"

namespace pushdown::exec::memtable_check {

namespace vt = value_type;

struct Got {
  std::vector<OwnedEntry> entries;
  Status status;
  ScanStats stats;
};

inline Got Drain(MemtableStream* s) {
  Got g;
  for (s->SeekToFirst(); s->Valid(); s->Next()) {
    const FilteredEntry& e = s->entry();
    g.entries.push_back({std::string(e.user_key), e.seq, e.type, e.cls, std::string(e.value)});
  }
  g.status = s->status();
  return g;
}

// The same entries through the host filter alone and through the program.
struct Compared {
  Got host;
  Got program;
  uint64_t runs = 0;
};

// The program is compiled for `device` ("host" or "kernel") with the scan's
// local-memory sizes (as the engine's program cache does), so a large
// memtable takes several windows. `skip` set (and nothing compared): the
// device cannot load programs here.
inline Compared Compare(const std::vector<OwnedEntry>& mem, const bpfgen::Schema& schema,
                        const std::vector<const bpfgen::Expr*>& conjuncts,
                        const std::string& device = "host", std::string* skip = nullptr) {
  Compared c;
  auto eval = std::make_shared<const bpfgen::Evaluator>(schema);
  RowFilter filter = [eval, conjuncts](std::string_view k, std::string_view v) -> Result<bool> {
    return eval->Matches(conjuncts, k, v);
  };
  DeviceRegistry& registry = DeviceRegistry::Default();
  Device& target = device == "kernel" ? static_cast<Device&>(registry.kernel())
                                      : static_cast<Device&>(registry.host());
  if (Status available = target.Available(); !available.ok()) {
    if (skip != nullptr) *skip = available.ToString();
    return c;
  }
  const bpfgen::CompileOptions options = ScanCompileOptions(target.caps().compile_options);
  auto program = CompileAndLoad(registry, device, schema, conjuncts, &options);
  EXPECT_TRUE(program.ok()) << program.status().ToString();
  if (!program.ok()) return c;
  EXPECT_EQ((*program)->device, &target) << (*program)->fallback.detail;
  ScanStats host_stats;
  {
    MemtableStream s(std::make_shared<VectorEntryStream>("memtable", mem), filter, &host_stats);
    c.host = Drain(&s);
    c.host.stats = host_stats;
  }
  ScanStats program_stats;
  MemtableStream s(std::make_shared<VectorEntryStream>("memtable", mem), filter, &program_stats,
                   (*program)->device, (*program)->program.get());
  c.program = Drain(&s);
  c.program.stats = program_stats;
  c.runs = (*program)->program->runs();
  return c;
}

inline void ExpectSame(const Got& want, const Got& got) {
  EXPECT_EQ(want.status.ok(), got.status.ok())
      << "host: " << want.status.ToString() << " program: " << got.status.ToString();
  EXPECT_EQ(want.status.ToString(), got.status.ToString());
  ASSERT_EQ(want.entries.size(), got.entries.size());
  for (size_t i = 0; i < want.entries.size(); ++i) {
    const OwnedEntry& w = want.entries[i];
    const OwnedEntry& g = got.entries[i];
    EXPECT_EQ(w.user_key, g.user_key) << i;
    EXPECT_EQ(w.seq, g.seq) << i;
    EXPECT_EQ(w.type, g.type) << i;
    EXPECT_EQ(w.cls, g.cls) << i << " key " << w.user_key;
    EXPECT_EQ(w.value, g.value) << i;
  }
  EXPECT_EQ(want.stats.memtable_entries, got.stats.memtable_entries);
  EXPECT_EQ(want.stats.memtable_bytes, got.stats.memtable_bytes);
  EXPECT_EQ(want.stats.memtable_values_matched, got.stats.memtable_values_matched);
  EXPECT_EQ(got.stats.device_ns, 0u);  // the memtable is not device work
  EXPECT_EQ(got.stats.blocks_read, 0u);
}

// The cases (GTEST_SKIP where `device` cannot load programs here).

inline void RawValuesCase(const std::string& device) {
  const bpfgen::Schema schema = bpfgen::Schema::Raw();
  auto pred = bpfgen::CompilePredicate("value >= 'm' AND key <> 'k00042'", schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  std::vector<const bpfgen::Expr*> conjuncts;
  for (const auto& c : pred->conjuncts) conjuncts.push_back(c.get());

  std::mt19937_64 rng(7);
  std::vector<OwnedEntry> mem;
  uint64_t values = 0;
  for (int i = 0; i < 20000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    std::string k = key;
    if (i % 997 == 5) k.append(600, 'x');  // internal key > max_key_size: host filter
    const uint64_t seq = 100000 + rng() % 1000;
    const int kind = static_cast<int>(rng() % 10);
    if (kind == 0) {
      mem.push_back({k, seq, vt::kDeletion, EntryClass::kNotValue, ""});
    } else if (kind == 1) {
      mem.push_back({k, seq, vt::kSingleDeletion, EntryClass::kNotValue, ""});
    } else {
      std::string v(1 + rng() % 60, static_cast<char>('a' + rng() % 26));
      if (i % 1499 == 7) v.assign(100000, 'z');  // larger than a staged block: host filter
      if (i % 31 == 0) v.clear();                // empty value
      mem.push_back({k, seq, vt::kValue, EntryClass::kMatched, v});
      ++values;
    }
  }
  std::string skip;
  Compared c = Compare(mem, schema, conjuncts, device, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(c.host.status.ok()) << c.host.status.ToString();
  ExpectSame(c.host, c.program);
  EXPECT_EQ(c.program.stats.memtable_entries, mem.size());
  EXPECT_GT(c.program.stats.memtable_values_matched, 0u);
  EXPECT_LT(c.program.stats.memtable_values_matched, values);
  // The program classified the staged values, in batches (not once per value).
  EXPECT_GT(c.runs, 1u);
  EXPECT_LT(c.runs, values / 20);
}

inline void EmptyAndDeletionOnlyCase(const std::string& device) {
  const bpfgen::Schema schema = bpfgen::Schema::Raw();
  auto pred = bpfgen::CompilePredicate("value >= 'm'", schema);
  ASSERT_TRUE(pred.ok());
  std::vector<const bpfgen::Expr*> conjuncts = {pred->conjuncts[0].get()};
  std::string skip;
  Compared empty = Compare({}, schema, conjuncts, device, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ExpectSame(empty.host, empty.program);
  EXPECT_TRUE(empty.program.entries.empty());
  Compared dels = Compare({{"a", 5, vt::kDeletion, EntryClass::kNotValue, ""},
                           {"b", 4, vt::kSingleDeletion, EntryClass::kNotValue, ""}},
                          schema, conjuncts, device);
  ExpectSame(dels.host, dels.program);
  EXPECT_EQ(dels.program.entries.size(), 2u);
  EXPECT_EQ(dels.runs, 0u);  // nothing to classify
}

// A typed schema: rows whose value is not a valid row make the program reject
// their block (kBlockBadRow); the host filter then decides those values, so
// the outcome is the evaluator's, whatever it is.
inline void InvalidRowsCase(const std::string& device) {
  auto schema = bpfgen::ParseSchema("id INT64 KEY, qty INT32 NOT NULL, name VARCHAR(8)");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(*schema);
  auto pred = bpfgen::CompilePredicate("qty < 50", *schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  std::vector<const bpfgen::Expr*> conjuncts = {pred->conjuncts[0].get()};
  std::vector<OwnedEntry> mem;
  for (int i = 0; i < 3000; ++i) {
    std::vector<bpfgen::Datum> row = {
        bpfgen::Datum::Int(i), bpfgen::Datum::Int(i % 100),
        i % 7 == 0 ? bpfgen::Datum::Null() : bpfgen::Datum::String("n" + std::to_string(i))};
    std::string value;
    ASSERT_TRUE(bpfgen::EncodeRow(*schema, layout, row, &value).ok());
    mem.push_back({bpfgen::EncodeKey(*schema, row), 10 + static_cast<uint64_t>(i), vt::kValue,
                   EntryClass::kMatched, value});
  }
  std::string skip;
  Compared good = Compare(mem, *schema, conjuncts, device, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(good.host.status.ok()) << good.host.status.ToString();
  ExpectSame(good.host, good.program);
  EXPECT_EQ(good.program.stats.memtable_values_matched, 1500u);
  EXPECT_GT(good.runs, 0u);

  // One value that is not a row, in the middle.
  mem[1700].value = "xy";
  Compared bad = Compare(mem, *schema, conjuncts, device);
  ExpectSame(bad.host, bad.program);
  // Whatever the evaluator says of it (an error: its entries before it come
  // first), the program path says the same.
  EXPECT_EQ(bad.program.entries.size(), bad.host.entries.size());
}

}  // namespace pushdown::exec::memtable_check
