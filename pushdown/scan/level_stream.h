// LevelStream: the files of one sorted run (one LSM level >= 1, or one
// universal-compaction run) as a single stream, file after file, the way
// LevelDB's two-level iterator reads a level. The merge then keeps one heap
// slot per level instead of one per file, and only the current file has a
// batch in memory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pushdown/scan/entry_stream.h"

namespace pushdown::exec {

class LevelStream final : public EntryStream {
 public:
  // `files` in key order; REQUIRES: non-empty, the user-key ranges of the files
  // are disjoint and ascending (the merge's order check reports Corruption if
  // they are not). Takes ownership.
  explicit LevelStream(std::vector<std::unique_ptr<EntryStream>> files, std::string name);

  void SeekToFirst() override;
  bool Valid() const override { return current_ < files_.size() && files_[current_]->Valid(); }
  const FilteredEntry& entry() const override { return files_[current_]->entry(); }
  void Next() override;
  Status status() const override { return status_; }
  std::string_view name() const override {
    return current_ < files_.size() ? files_[current_]->name() : std::string_view(name_);
  }

  // The per-file streams, for statistics (e.g. blocks not read).
  const std::vector<std::unique_ptr<EntryStream>>& files() const { return files_; }

 private:
  // From files_[current_] on, positions at the first file with an entry.
  void Settle();

  std::vector<std::unique_ptr<EntryStream>> files_;
  std::string name_;
  size_t current_ = 0;
  Status status_;
};

}  // namespace pushdown::exec
