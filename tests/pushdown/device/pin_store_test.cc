// Kernel programs pinned in bpffs (pushdown/device/pin_store.h): reuse without
// verification, exclusive leases of instances (their local memory), stale and
// corrupted pins replaced, the bound on pinned programs. Every test uses its
// own bpffs mount under /tmp and unmounts it, so no pin outlives the test.
#include "pushdown/device/pin_store.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "pushdown/device/block_stager.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/kernel_device.h"
#include "pushdown/device/program_cache.h"
#include "tests/pushdown/device/block_builder.h"
#include "util/coding.h"

namespace pushdown::exec {
namespace {

namespace bg = bpfgen;
using testing::InternalKey;
using testing::TestBlockBuilder;

struct Compiled {
  bg::Schema schema = bg::Schema::Raw();
  bg::Predicate predicate;
  std::vector<const bg::Expr*> conjuncts;
  bg::BpfProgram bpf;
};

// Raw mode: keys are 8-byte big-endian numbers.
std::unique_ptr<Compiled> CompileRaw(const std::string& text, const bg::CompileOptions& options) {
  auto c = std::make_unique<Compiled>();
  auto p = bg::CompilePredicate(text, c->schema);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  c->predicate = std::move(p).value();
  for (const auto& e : c->predicate.conjuncts) c->conjuncts.push_back(e.get());
  auto bpf = bg::CompileBpf(c->schema, c->conjuncts, options);
  EXPECT_TRUE(bpf.ok()) << bpf.status().ToString();
  if (bpf.ok()) c->bpf = std::move(bpf).value();
  return c;
}

std::string Key64(uint64_t k) {
  std::string s;
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>((k >> (8 * i)) & 0xff));
  return s;
}

// Blocks of keys [first, first + count), 100 per block, value "v<k>".
std::vector<std::string> MakeBlocks(uint64_t first, uint64_t count) {
  std::vector<std::string> blocks;
  for (uint64_t k = first; k < first + count;) {
    TestBlockBuilder b;
    for (int i = 0; i < 100 && k < first + count; ++i, ++k) {
      b.Add(InternalKey(Key64(k), 1, 1), "v" + std::to_string(k));
    }
    blocks.push_back(b.Finish());
  }
  return blocks;
}

// The user keys the program matched over `blocks`, in order.
Result<std::vector<uint64_t>> Matched(Device& device, LoadedProgram& program,
                                      const std::vector<std::string>& blocks) {
  std::vector<uint64_t> out;
  for (const std::string& block : blocks) {
    BlockInput in{block, 0};
    PD_ASSIGN_OR_RETURN(BatchResult batch, device.Execute(program, {&in, 1}));
    for (const BlockResult& r : batch.blocks()) {
      if (r.status != bg::abi::kBlockOk) return Status::Internal("block not ok");
      for (const bg::abi::OutRecord& rec : r.records) {
        OutEntry e = batch.Entry(rec);
        if (e.entry_class != bg::abi::EntryClass::kMatched) continue;
        uint64_t k = 0;
        for (int i = 0; i < 8; ++i) k = (k << 8) | static_cast<uint8_t>(e.key[i]);
        if (e.value != "v" + std::to_string(k)) return Status::Internal("wrong value");
        out.push_back(k);
      }
    }
  }
  return out;
}

std::vector<uint64_t> Range(uint64_t begin, uint64_t end) {
  std::vector<uint64_t> v;
  for (uint64_t k = begin; k < end; ++k) v.push_back(k);
  return v;
}

class PinStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!probe_.Available().ok()) {
      GTEST_SKIP() << "kernel device unavailable: " << probe_.Available().ToString();
    }
    dir_ = "/tmp/pd_pin_test_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0) << strerror(errno);
    if (mount("bpf", dir_.c_str(), "bpf", 0, "mode=0700") != 0) {
      int err = errno;
      rmdir(dir_.c_str());
      dir_.clear();
      GTEST_SKIP() << "cannot mount a private bpffs (mount -t bpf): " << strerror(err);
    }
    options_ = ScanCompileOptions(probe_.caps().compile_options);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    umount2(dir_.c_str(), MNT_DETACH);  // drops every pin of this mount
    rmdir(dir_.c_str());
  }

  PinOptions Pins(size_t max_programs = 32, uint32_t max_slots = 8) const {
    PinOptions o;
    o.dir = dir_;
    o.max_programs = max_programs;
    o.max_slots = max_slots;
    return o;
  }
  // A kernel device as a fresh process would have it: no in-process state.
  std::unique_ptr<KernelDevice> NewDevice(const PinOptions& o) const {
    auto d = std::make_unique<KernelDevice>();
    d->SetPinOptions(o);
    return d;
  }
  Result<std::unique_ptr<LoadedProgram>> Load(KernelDevice& device, const Compiled& c) {
    ProgramImage image;
    image.bpf = &c.bpf;
    return device.Load(image);
  }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }

  KernelDevice probe_;
  std::string dir_;
  bg::CompileOptions options_;
};

TEST_F(PinStoreTest, SecondLoadReusesThePinnedInstanceWithoutVerifying) {
  auto c = CompileRaw("u64be(key, 0) < 150", options_);
  const std::vector<std::string> blocks = MakeBlocks(0, 300);
  uint32_t first_id = 0;
  {
    auto device = NewDevice(Pins());
    auto loaded = Load(*device, *c);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ((*loaded)->stats().pin, PinState::kCreated) << (*loaded)->stats().pin_note;
    first_id = (*loaded)->stats().program_id;
    auto got = Matched(*device, **loaded, blocks);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, Range(0, 150));
  }
  const std::string name = PinStore::ProgramDirName(c->bpf.object);
  struct stat st;
  ASSERT_EQ(stat(Path(name + "/0/prog").c_str(), &st), 0) << "slot 0 pinned";
  ASSERT_EQ(stat(Path(name + "/meta").c_str(), &st), 0);

  auto device = NewDevice(Pins());
  auto again = Load(*device, *c);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->stats().pin, PinState::kReused) << (*again)->stats().pin_note;
  EXPECT_EQ((*again)->stats().program_id, first_id) << "the very program the kernel verified";
  auto got = Matched(*device, **again, blocks);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, Range(0, 150));
}

TEST_F(PinStoreTest, LeasedSlotsAreExclusiveAndBounded) {
  auto c = CompileRaw("u64be(key, 0) >= 40", options_);
  auto device = NewDevice(Pins(32, 2));
  auto a = Load(*device, *c);
  auto b = Load(*device, *c);
  auto extra = Load(*device, *c);
  ASSERT_TRUE(a.ok() && b.ok() && extra.ok());
  EXPECT_EQ((*a)->stats().pin, PinState::kCreated);
  EXPECT_EQ((*b)->stats().pin, PinState::kCreated) << "slot 0 is leased: a second slot";
  EXPECT_NE((*a)->stats().program_id, (*b)->stats().program_id);
  // Both slots leased and the bound reached: an unpinned instance, which works.
  EXPECT_EQ((*extra)->stats().pin, PinState::kUnpinned);
  EXPECT_NE((*extra)->stats().pin_note.find("in use"), std::string::npos)
      << (*extra)->stats().pin_note;
  auto got = Matched(*device, **extra, MakeBlocks(0, 100));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Range(40, 100));

  auto listed = device->pins()->List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].slots, 2u);
  EXPECT_EQ((*listed)[0].leased, 2u);
  a->reset();
  listed = device->pins()->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].leased, 1u) << "a lease ends with its instance";
}

// Two users of one pinned program at once, each with its own leased instance
// (threads here; flock leases are per open file, so threads of one process
// are excluded exactly as processes are). Each scans different keys many
// times: shared local memory would mix their results.
TEST_F(PinStoreTest, ConcurrentUsersOfOnePinGetExactResults) {
  auto c = CompileRaw("u64be(key, 0) < 1500", options_);
  {
    // Two pinned instances, then released: both slots free.
    auto device = NewDevice(Pins());
    auto a = Load(*device, *c);
    auto b = Load(*device, *c);
    ASSERT_TRUE(a.ok() && b.ok());
  }
  const std::vector<std::string> low = MakeBlocks(0, 1000);      // all match
  const std::vector<std::string> high = MakeBlocks(1000, 1000);  // half match
  std::atomic<int> reused{0};
  std::atomic<int> failures{0};
  auto user = [&](const std::vector<std::string>& blocks, std::vector<uint64_t> expected) {
    auto device = NewDevice(Pins());
    auto loaded = Load(*device, *c);
    if (!loaded.ok()) {
      ++failures;
      return;
    }
    if ((*loaded)->stats().pin == PinState::kReused) ++reused;
    for (int round = 0; round < 100; ++round) {
      auto got = Matched(*device, **loaded, blocks);
      if (!got.ok() || *got != expected) ++failures;
    }
  };
  std::thread t1(user, std::cref(low), Range(0, 1000));
  std::thread t2(user, std::cref(high), Range(1000, 1500));
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reused.load(), 2) << "each user leased its own pinned instance";
}

// The same with two processes: a forked child and the parent each lease a
// pinned instance and scan different keys at the same time.
TEST_F(PinStoreTest, TwoProcessesScanOnePinConcurrently) {
  auto c = CompileRaw("u64be(key, 0) < 1500", options_);
  {
    auto device = NewDevice(Pins());
    auto a = Load(*device, *c);
    auto b = Load(*device, *c);
    ASSERT_TRUE(a.ok() && b.ok());
  }
  const std::vector<std::string> low = MakeBlocks(0, 1000);
  const std::vector<std::string> high = MakeBlocks(1000, 1000);
  // 0: reused and exact every round; 1: a wrong result; 2: not reused; 3: load failed.
  auto user = [&](const std::vector<std::string>& blocks, const std::vector<uint64_t>& expected) {
    auto device = NewDevice(Pins());
    auto loaded = Load(*device, *c);
    if (!loaded.ok()) return 3;
    int code = (*loaded)->stats().pin == PinState::kReused ? 0 : 2;
    for (int round = 0; round < 100; ++round) {
      auto got = Matched(*device, **loaded, blocks);
      if (!got.ok() || *got != expected) return 1;
    }
    return code;
  };
  pid_t child = fork();
  ASSERT_GE(child, 0) << strerror(errno);
  if (child == 0) _exit(user(high, Range(1000, 1500)));
  const int mine = user(low, Range(0, 1000));
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "child: 1 wrong result, 2 not reused, 3 load failed";
  EXPECT_EQ(mine, 0) << "parent: 1 wrong result, 2 not reused, 3 load failed";
}

TEST_F(PinStoreTest, SlotWithAnotherProgramIsReplaced) {
  auto mine = CompileRaw("u64be(key, 0) < 10", options_);
  auto other = CompileRaw("u64be(key, 0) > 10", options_);
  {
    auto device = NewDevice(Pins());
    auto a = Load(*device, *mine);
    auto b = Load(*device, *other);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ((*a)->stats().pin, PinState::kCreated);
    ASSERT_EQ((*b)->stats().pin, PinState::kCreated);
  }
  // Put the other program (with its own memory) where mine was pinned.
  const std::string m = PinStore::ProgramDirName(mine->bpf.object);
  const std::string o = PinStore::ProgramDirName(other->bpf.object);
  ASSERT_EQ(rename(Path(o + "/0/prog").c_str(), Path(m + "/0/prog").c_str()), 0) << strerror(errno);
  ASSERT_EQ(rename(Path(o + "/0/mem").c_str(), Path(m + "/0/mem").c_str()), 0) << strerror(errno);

  auto device = NewDevice(Pins());
  auto loaded = Load(*device, *mine);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->stats().pin, PinState::kCreated) << "the bad slot is refilled";
  auto got = Matched(*device, **loaded, MakeBlocks(0, 100));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Range(0, 10)) << "my predicate, not the impostor's";
  loaded->reset();
  auto again = Load(*NewDevice(Pins()), *mine);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->stats().pin, PinState::kReused) << "the refilled slot checks out";
}

TEST_F(PinStoreTest, CorruptedMetaReplacesTheProgramDirectory) {
  auto c = CompileRaw("u64be(key, 0) < 77", options_);
  ASSERT_TRUE(Load(*NewDevice(Pins()), *c).ok());
  const std::string name = PinStore::ProgramDirName(c->bpf.object);
  // A meta map of the right type and size holding garbage.
  struct stat st;
  ASSERT_EQ(stat(Path(name + "/meta").c_str(), &st), 0);
  int old_fd = bpf_obj_get(Path(name + "/meta").c_str());
  ASSERT_GE(old_fd, 0);
  bpf_map_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  ASSERT_EQ(bpf_obj_get_info_by_fd(old_fd, &info, &len), 0);
  close(old_fd);
  int fake = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fake", 4, info.value_size, 1, nullptr);
  ASSERT_GE(fake, 0);
  std::string garbage(info.value_size, 'x');
  uint32_t key = 0;
  ASSERT_EQ(bpf_map_update_elem(fake, &key, garbage.data(), BPF_ANY), 0);
  ASSERT_EQ(unlink(Path(name + "/meta").c_str()), 0);
  ASSERT_EQ(bpf_obj_pin(fake, Path(name + "/meta").c_str()), 0);
  close(fake);

  auto device = NewDevice(Pins());
  auto loaded = Load(*device, *c);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->stats().pin, PinState::kCreated) << (*loaded)->stats().pin_note;
  auto got = Matched(*device, **loaded, MakeBlocks(0, 100));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Range(0, 77));
  auto listed = device->pins()->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE((*listed)[0].valid) << "the replacement's meta checks out";
}

TEST_F(PinStoreTest, MemoryOfAnotherSizeIsStale) {
  auto c = CompileRaw("u64be(key, 0) < 5", options_);
  ASSERT_TRUE(Load(*NewDevice(Pins()), *c).ok());
  const std::string slot = Path(PinStore::ProgramDirName(c->bpf.object) + "/0/mem");
  ASSERT_EQ(unlink(slot.c_str()), 0);
  bpf_map_create_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  opts.map_flags = BPF_F_MMAPABLE;
  int small = bpf_map_create(BPF_MAP_TYPE_ARRAY, "small", 4, 4096, 1, &opts);
  ASSERT_GE(small, 0);
  ASSERT_EQ(bpf_obj_pin(small, slot.c_str()), 0);
  close(small);
  auto device = NewDevice(Pins());
  auto loaded = Load(*device, *c);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->stats().pin, PinState::kCreated);
  auto got = Matched(*device, **loaded, MakeBlocks(0, 50));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Range(0, 5));
}

TEST_F(PinStoreTest, LeastRecentlyUsedUnleasedProgramsAreEvicted) {
  auto device = NewDevice(Pins(/*max_programs=*/2));
  std::vector<std::unique_ptr<Compiled>> programs;
  for (int i = 0; i < 4; ++i) {
    programs.push_back(CompileRaw("u64be(key, 0) < " + std::to_string(100 + i), options_));
  }
  auto held = Load(*device, *programs[0]);  // leased throughout: never evicted
  ASSERT_TRUE(held.ok());
  for (int i = 1; i < 4; ++i) {
    auto loaded = Load(*device, *programs[i]);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ((*loaded)->stats().pin, PinState::kCreated);
    auto listed = device->pins()->List();
    ASSERT_TRUE(listed.ok());
    EXPECT_LE(listed->size(), 2u);
  }
  auto listed = device->pins()->List();
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> names;
  for (const PinListing& l : *listed) names.push_back(l.name);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(
      std::find(names.begin(), names.end(), PinStore::ProgramDirName(programs[0]->bpf.object)),
      names.end())
      << "the leased program stays";
  EXPECT_NE(
      std::find(names.begin(), names.end(), PinStore::ProgramDirName(programs[3]->bpf.object)),
      names.end())
      << "the newest stays";

  // Clear removes what nobody holds and keeps the leased one.
  std::vector<std::string> kept;
  auto removed = device->pins()->Clear(&kept);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  ASSERT_EQ(kept.size(), 1u);
  held->reset();
  removed = device->pins()->Clear();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  listed = device->pins()->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

// The compile-and-load path: a later "process" (a fresh registry) finds the
// object by its key and does not compile.
TEST_F(PinStoreTest, KeyLinkSkipsTheCompile) {
  auto c = CompileRaw("u64be(key, 0) < 33 AND length(value) > 1", options_);
  auto compile = [&] {
    auto registry = std::make_unique<DeviceRegistry>();
    registry->kernel().SetPinOptions(Pins());
    auto p = CompileAndLoad(*registry, "kernel", c->schema, c->conjuncts, &options_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::make_pair(std::move(registry), p.ok() ? std::move(p).value() : nullptr);
  };
  auto [r1, first] = compile();
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(first->from_pin);
  EXPECT_EQ(first->program->stats().pin, PinState::kCreated);
  first.reset();
  auto [r2, second] = compile();
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->from_pin) << "found by key: not compiled";
  EXPECT_EQ(second->program->stats().pin, PinState::kReused);
  EXPECT_EQ(second->codegen_ms, 0);
  ASSERT_TRUE(second->bpf.has_value());
  EXPECT_EQ(second->bpf->object, c->bpf.object) << "the stored object is what was compiled";
  auto got = Matched(r2->kernel(), *second->program, MakeBlocks(0, 100));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Range(0, 33));

  // A dangling key link is removed and the program compiled again.
  second.reset();
  ASSERT_TRUE(r2->kernel().pins()->Clear().ok());
  auto [r3, third] = compile();
  ASSERT_NE(third, nullptr);
  EXPECT_FALSE(third->from_pin);
}

TEST_F(PinStoreTest, AProgramWithDeviceAggregatesHasItsOwnPinKey) {
  // The same predicate with and without device aggregates compiles to two
  // programs (code and layout differ): neither may be found by the other's key.
  auto c = CompileRaw("u64be(key, 0) < 33", options_);
  const std::vector<bg::AggregateItem> count_star = {{bg::AggregateOp::kCountStar, nullptr}};
  auto compile = [&](const std::vector<bg::AggregateItem>& aggregates) {
    auto registry = std::make_unique<DeviceRegistry>();
    registry->kernel().SetPinOptions(Pins());
    auto p = CompileAndLoad(*registry, "kernel", c->schema, c->conjuncts, &options_, aggregates);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::make_pair(std::move(registry), p.ok() ? std::move(p).value() : nullptr);
  };
  auto [r1, plain] = compile({});
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->from_pin);
  EXPECT_EQ(plain->program->layout().num_aggregates, 0u);
  plain.reset();
  auto [r2, with_agg] = compile(count_star);
  ASSERT_NE(with_agg, nullptr);
  EXPECT_FALSE(with_agg->from_pin) << "the plain program's pin must not serve an aggregate scan";
  EXPECT_EQ(with_agg->program->layout().num_aggregates, 1u);
  with_agg.reset();
  auto [r3, again] = compile(count_star);
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->from_pin) << "its own key finds it";
  EXPECT_EQ(again->program->layout().num_aggregates, 1u);
  again.reset();
  auto [r4, plain_again] = compile({});
  ASSERT_NE(plain_again, nullptr);
  EXPECT_TRUE(plain_again->from_pin);
  EXPECT_EQ(plain_again->program->layout().num_aggregates, 0u);
}

TEST_F(PinStoreTest, PinningOffOrNoBpffsLoadsAsBefore) {
  auto c = CompileRaw("u64be(key, 0) < 3", options_);
  PinOptions off = Pins();
  off.enabled = false;
  auto device = NewDevice(off);
  auto loaded = Load(*device, *c);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->stats().pin, PinState::kOff);
  EXPECT_EQ((*loaded)->stats().pin_note, "pinning disabled");
  auto got = Matched(*device, **loaded, MakeBlocks(0, 10));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Range(0, 3));

  const std::string plain = dir_ + "_plain";  // tmpfs or disk, not bpffs
  ASSERT_EQ(mkdir(plain.c_str(), 0700), 0);
  PinOptions not_bpffs = Pins();
  not_bpffs.dir = plain;
  auto device2 = NewDevice(not_bpffs);
  auto loaded2 = Load(*device2, *c);
  rmdir(plain.c_str());
  ASSERT_TRUE(loaded2.ok());
  EXPECT_EQ((*loaded2)->stats().pin, PinState::kOff);
  EXPECT_NE((*loaded2)->stats().pin_note.find("not on a bpffs mount"), std::string::npos)
      << (*loaded2)->stats().pin_note;
}

}  // namespace
}  // namespace pushdown::exec
