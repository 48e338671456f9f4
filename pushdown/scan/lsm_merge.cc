#include "pushdown/scan/lsm_merge.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace pushdown::exec {

namespace {

const char* TypeName(uint8_t type) {
  switch (type) {
    case value_type::kMerge:
      return "merge operand";
    case value_type::kRangeDeletion:
      return "range deletion";
    case value_type::kBlobIndex:
      return "blob index";
    case value_type::kDeletionWithTimestamp:
      return "deletion with timestamp";
    case value_type::kWideColumnEntity:
      return "wide-column entity";
    default:
      return "unknown entry type";
  }
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

LsmMergeCursor::LsmMergeCursor(std::vector<EntryStream*> streams, uint64_t snapshot, KeyRange range,
                               const FragmentedTombstones* tombstones)
    : snapshot_(snapshot),
      range_(std::move(range)),
      tombstones_(tombstones != nullptr && !tombstones->empty() ? tombstones : nullptr) {
  streams_.resize(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) streams_[i].stream = streams[i];
  heap_.reserve(streams.size());
}

std::string_view LsmMergeCursor::user_key() const {
  return streams_[current_].stream->entry().user_key;
}
std::string_view LsmMergeCursor::value() const { return streams_[current_].stream->entry().value; }
uint64_t LsmMergeCursor::seq() const { return streams_[current_].stream->entry().seq; }

bool LsmMergeCursor::After(size_t a, size_t b) const {
  const FilteredEntry& ea = streams_[a].stream->entry();
  const FilteredEntry& eb = streams_[b].stream->entry();
  const int cmp = ea.user_key.compare(eb.user_key);
  if (cmp != 0) return cmp > 0;
  if (ea.seq != eb.seq) return ea.seq < eb.seq;
  return a > b;  // the earlier (newer) stream wins a tie
}

void LsmMergeCursor::HeapPush(size_t i) {
  heap_.push_back(i);
  std::push_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return After(a, b); });
}

void LsmMergeCursor::HeapPopTop() {
  std::pop_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return After(a, b); });
  heap_.pop_back();
}

void LsmMergeCursor::Fail(Status s) {
  status_ = std::move(s);
  valid_ = false;
  heap_.clear();
}

bool LsmMergeCursor::Observe(size_t i) {
  StreamState& st = streams_[i];
  const FilteredEntry& e = st.stream->entry();
  ++entries_seen_;
  switch (e.type) {
    case value_type::kValue:
      if (e.cls != EntryClass::kMatched && e.cls != EntryClass::kShadow) {
        Fail(Status::Corruption(std::string(st.stream->name()) +
                                ": value entry not classified as matched or shadow"));
        return false;
      }
      break;
    case value_type::kDeletion:
    case value_type::kSingleDeletion:
      if (e.cls != EntryClass::kNotValue) {
        Fail(Status::Corruption(std::string(st.stream->name()) +
                                ": deletion entry classified as a value"));
        return false;
      }
      break;
    default:
      Fail(Status::NotSupported(std::string(st.stream->name()) + ": " + TypeName(e.type) + " (" +
                                Hex(e.type) + ") in scan input"));
      return false;
  }
  if (st.has_last) {
    const int cmp = e.user_key.compare(st.last_key);
    if (cmp < 0 || (cmp == 0 && e.seq >= st.last_seq)) {
      Fail(Status::Corruption(std::string(st.stream->name()) + ": entries out of order at seq " +
                              std::to_string(e.seq)));
      return false;
    }
  }
  st.last_key.assign(e.user_key);
  st.last_seq = e.seq;
  st.has_last = true;
  return true;
}

bool LsmMergeCursor::Advance(size_t i) {
  EntryStream* s = streams_[i].stream;
  s->Next();
  if (s->Valid()) {
    if (!Observe(i)) return false;
    HeapPush(i);
    return true;
  }
  if (!s->status().ok()) {
    Fail(s->status());
    return false;
  }
  return true;
}

bool LsmMergeCursor::SkipKey() {
  while (!heap_.empty() && streams_[heap_.front()].stream->entry().user_key == key_) {
    const size_t i = heap_.front();
    HeapPopTop();
    if (!Advance(i)) return false;
  }
  return true;
}

void LsmMergeCursor::SeekToFirst() {
  valid_ = false;
  status_ = Status::OK();
  heap_.clear();
  entries_seen_ = 0;
  keys_hidden_by_range_deletion_ = 0;
  for (size_t i = 0; i < streams_.size(); ++i) {
    StreamState& st = streams_[i];
    st.has_last = false;
    st.stream->SeekToFirst();
    if (st.stream->Valid()) {
      if (!Observe(i)) return;
      HeapPush(i);
    } else if (!st.stream->status().ok()) {
      Fail(st.stream->status());
      return;
    }
  }
  FindNext();
}

void LsmMergeCursor::FindNext() {
  valid_ = false;
  while (!heap_.empty()) {
    const size_t i = heap_.front();
    const FilteredEntry& e = streams_[i].stream->entry();
    if (range_.AtOrAboveUpper(e.user_key)) {  // so is every later entry: done
      heap_.clear();
      return;
    }
    if (range_.BelowLower(e.user_key)) {  // outside the range: every version skipped
      key_.assign(e.user_key);
      if (!SkipKey()) return;
      continue;
    }
    if (e.seq > snapshot_) {  // invisible: neither shows nor hides
      HeapPopTop();
      if (!Advance(i)) return;
      continue;
    }
    // The newest visible version of e.user_key decides, unless a range
    // tombstone newer than it (and visible) covers the key: then it and every
    // older version are hidden.
    if (tombstones_ != nullptr && tombstones_->Covers(e.user_key, e.seq)) {
      ++keys_hidden_by_range_deletion_;
      key_.assign(e.user_key);
      if (!SkipKey()) return;
      continue;
    }
    if (e.type == value_type::kValue && e.cls == EntryClass::kMatched) {
      current_ = i;
      valid_ = true;
      return;
    }
    key_.assign(e.user_key);  // shadow or tombstone: hide every older version
    if (!SkipKey()) return;
  }
}

void LsmMergeCursor::Next() {
  key_.assign(user_key());
  valid_ = false;
  if (!SkipKey()) return;
  FindNext();
}

}  // namespace pushdown::exec
