#include "pushdown/scan/level_stream.h"

#include <gtest/gtest.h>

#include "pushdown/scan/lsm_merge.h"
#include "pushdown/scan/vector_stream.h"

namespace pushdown::exec {
namespace {

std::unique_ptr<EntryStream> FileRun(std::string name, std::vector<std::string> keys) {
  std::vector<OwnedEntry> entries;
  for (auto& k : keys) entries.push_back({k, 1, value_type::kValue, EntryClass::kMatched, "v" + k});
  return std::make_unique<VectorEntryStream>(std::move(name), std::move(entries));
}

std::vector<std::string> Drain(EntryStream& s) {
  std::vector<std::string> out;
  for (s.SeekToFirst(); s.Valid(); s.Next()) out.emplace_back(s.entry().user_key);
  return out;
}

class FailingStream final : public EntryStream {
 public:
  void SeekToFirst() override {}
  bool Valid() const override { return false; }
  const FilteredEntry& entry() const override { return e_; }
  void Next() override {}
  Status status() const override { return Status::Corruption("bad.sst: broken"); }
  std::string_view name() const override { return "bad.sst"; }

 private:
  FilteredEntry e_;
};

TEST(LevelStream, ConcatenatesFilesAndSkipsEmptyOnes) {
  std::vector<std::unique_ptr<EntryStream>> files;
  files.push_back(FileRun("1.sst", {}));
  files.push_back(FileRun("2.sst", {"a", "b"}));
  files.push_back(FileRun("3.sst", {}));
  files.push_back(FileRun("4.sst", {"c"}));
  files.push_back(FileRun("5.sst", {}));
  LevelStream level(std::move(files), "level 1");
  EXPECT_EQ(Drain(level), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(level.status().ok());
  EXPECT_EQ(level.name(), "level 1");  // past the end
  // A second pass starts over.
  EXPECT_EQ(Drain(level), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(LevelStream, NamesTheCurrentFile) {
  std::vector<std::unique_ptr<EntryStream>> files;
  files.push_back(FileRun("1.sst", {"a"}));
  files.push_back(FileRun("2.sst", {"b"}));
  LevelStream level(std::move(files), "level 3");
  level.SeekToFirst();
  EXPECT_EQ(level.name(), "1.sst");
  level.Next();
  EXPECT_EQ(level.name(), "2.sst");
}

TEST(LevelStream, StopsAtAFileError) {
  std::vector<std::unique_ptr<EntryStream>> files;
  files.push_back(FileRun("1.sst", {"a"}));
  files.push_back(std::make_unique<FailingStream>());
  files.push_back(FileRun("3.sst", {"c"}));
  LevelStream level(std::move(files), "level 1");
  EXPECT_EQ(Drain(level), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(level.status().IsCorruption()) << level.status().ToString();
}

TEST(LevelStream, OverlappingFilesAreCaughtByTheMerge) {
  std::vector<std::unique_ptr<EntryStream>> files;
  files.push_back(FileRun("1.sst", {"a", "c"}));
  files.push_back(FileRun("2.sst", {"b"}));  // not after "c": the level's order is broken
  LevelStream level(std::move(files), "level 1");
  LsmMergeCursor merge({&level}, kMaxSequenceNumber);
  for (merge.SeekToFirst(); merge.Valid(); merge.Next()) {
  }
  EXPECT_TRUE(merge.status().IsCorruption()) << merge.status().ToString();
}

}  // namespace
}  // namespace pushdown::exec
