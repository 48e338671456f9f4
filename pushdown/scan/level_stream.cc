#include "pushdown/scan/level_stream.h"

#include <utility>

namespace pushdown::exec {

LevelStream::LevelStream(std::vector<std::unique_ptr<EntryStream>> files, std::string name)
    : files_(std::move(files)), name_(std::move(name)) {}

void LevelStream::SeekToFirst() {
  status_ = Status::OK();
  current_ = 0;
  if (!files_.empty()) files_[0]->SeekToFirst();
  Settle();
}

void LevelStream::Next() {
  files_[current_]->Next();
  Settle();
}

void LevelStream::Settle() {
  while (current_ < files_.size() && !files_[current_]->Valid()) {
    if (!files_[current_]->status().ok()) {
      status_ = files_[current_]->status();
      current_ = files_.size();
      return;
    }
    if (++current_ < files_.size()) files_[current_]->SeekToFirst();
  }
}

}  // namespace pushdown::exec
