#include "pushdown/scan/memtable_stream.h"

#include <utility>

namespace pushdown::exec {

MemtableStream::MemtableStream(std::shared_ptr<EntryStream> inner, RowFilter device_filter,
                               ScanStats* stats)
    : inner_(std::move(inner)), device_filter_(std::move(device_filter)), stats_(stats) {}

void MemtableStream::SeekToFirst() {
  status_ = Status::OK();
  inner_->SeekToFirst();
  Settle();
}

void MemtableStream::Next() {
  inner_->Next();
  Settle();
}

void MemtableStream::Settle() {
  valid_ = false;
  if (!inner_->Valid()) {
    status_ = inner_->status();
    return;
  }
  const FilteredEntry& e = inner_->entry();
  entry_ = e;
  ++stats_->memtable_entries;
  stats_->memtable_bytes += e.user_key.size() + e.value.size();
  if (e.type != value_type::kValue) {
    entry_.cls = EntryClass::kNotValue;
    entry_.value = {};
  } else {
    bool match = true;
    if (device_filter_) {
      Result<bool> r = device_filter_(e.user_key, e.value);
      if (!r.ok()) {
        status_ = r.status().WithContext(std::string(inner_->name()));
        return;
      }
      match = *r;
    }
    entry_.cls = match ? EntryClass::kMatched : EntryClass::kShadow;
    if (!match) entry_.value = {};
    if (match) ++stats_->memtable_values_matched;
  }
  valid_ = true;
}

}  // namespace pushdown::exec
