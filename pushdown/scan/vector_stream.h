// VectorEntryStream: an in-memory EntryStream over owned entries, for tests and
// for callers that already hold a small sorted run. Entries must be given in
// internal key order; the merge checks that.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pushdown/scan/entry_stream.h"

namespace pushdown::exec {

struct OwnedEntry {
  std::string user_key;
  uint64_t seq = 0;
  uint8_t type = value_type::kValue;
  EntryClass cls = EntryClass::kMatched;
  std::string value;
};

class VectorEntryStream final : public EntryStream {
 public:
  VectorEntryStream(std::string name, std::vector<OwnedEntry> entries)
      : name_(std::move(name)), entries_(std::move(entries)) {}

  void SeekToFirst() override {
    pos_ = 0;
    Load();
  }
  bool Valid() const override { return pos_ < entries_.size(); }
  const FilteredEntry& entry() const override { return current_; }
  void Next() override {
    ++pos_;
    Load();
  }
  Status status() const override { return Status::OK(); }
  std::string_view name() const override { return name_; }

 private:
  void Load() {
    if (pos_ >= entries_.size()) return;
    const OwnedEntry& e = entries_[pos_];
    current_ = {e.user_key, e.seq, e.type, e.cls, e.value};
  }

  std::string name_;
  std::vector<OwnedEntry> entries_;
  size_t pos_ = 0;
  FilteredEntry current_;
};

}  // namespace pushdown::exec
