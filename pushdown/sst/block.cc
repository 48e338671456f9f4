#include "pushdown/sst/block.h"

#include <cstring>

#include "util/coding.h"

namespace pushdown::exec {
namespace {

constexpr size_t kMaxBlockSizeWithHashIndex = 1u << 16;

// Decodes "varint32 shared, varint32 non_shared[, varint32 value_len]".
inline const char* DecodeEntryHeader(const char* p, const char* limit, bool has_value_len,
                                     uint32_t* shared, uint32_t* non_shared, uint32_t* value_len) {
  if (has_value_len && limit - p >= 3 &&
      ((static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) | static_cast<uint8_t>(p[2])) <
       128)) {
    *shared = static_cast<uint8_t>(p[0]);
    *non_shared = static_cast<uint8_t>(p[1]);
    *value_len = static_cast<uint8_t>(p[2]);
    return p + 3;
  }
  if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
  if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
  if (has_value_len) {
    if ((p = GetVarint32Ptr(p, limit, value_len)) == nullptr) return nullptr;
  } else {
    *value_len = 0;
  }
  return p;
}

// Checks that iteration meets every restart point exactly, with shared == 0.
class RestartTracker {
 public:
  RestartTracker(std::string_view block, const BlockLayout& layout)
      : restarts_(block.data() + layout.entries_end), n_(layout.num_restarts) {}
  // Called for each entry at `offset`. False on inconsistency.
  bool OnEntry(uint32_t offset, uint32_t shared) {
    if (next_ < n_ && offset == At(next_)) {
      ++next_;
      return shared == 0;
    }
    if (next_ < n_ && offset > At(next_)) return false;  // skipped a restart
    return next_ > 0;  // the first entry is always a restart point
  }
  bool Finished(uint32_t entries_end) const { return next_ == n_ || (entries_end == 0 && n_ == 1); }

 private:
  uint32_t At(uint32_t i) const { return DecodeFixed32(restarts_ + 4 * i); }
  const char* restarts_;
  uint32_t n_;
  uint32_t next_ = 0;
};

Status BlockCorruption(const BlockContext& ctx, std::string_view kind, std::string_view what,
                       uint64_t entry_offset) {
  std::string s(ctx.file_name.empty() ? std::string_view("sst") : ctx.file_name);
  s += ": ";
  s += what;
  s += " in ";
  s += kind;
  s += " block at offset ";
  s += std::to_string(ctx.block_offset);
  s += " (entry offset ";
  s += std::to_string(entry_offset);
  s += ")";
  return Status::Corruption(std::move(s));
}

}  // namespace

Status ParseInternalKey(std::string_view ikey, ParsedInternalKey* out) {
  if (ikey.size() < 8) return Status::Corruption("internal key shorter than 8 bytes");
  const uint64_t packed = DecodeFixed64(ikey.data() + ikey.size() - 8);
  out->user_key = ikey.substr(0, ikey.size() - 8);
  out->sequence = packed >> 8;
  out->type = static_cast<uint8_t>(packed & 0xff);
  return Status::OK();
}

void AppendInternalKey(std::string_view user_key, uint64_t sequence, uint8_t type,
                       std::string* dst) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, (sequence << 8) | type);
}

Status DecodeBlockLayout(std::string_view block, BlockLayout* layout) {
  if (block.size() < 4) return Status::Corruption("block too short");
  if (block.size() > UINT32_MAX) return Status::Corruption("block too large");
  const uint32_t footer = DecodeFixed32(block.data() + block.size() - 4);
  uint64_t end = block.size() - 4;
  BlockLayout l;
  if (block.size() <= kMaxBlockSizeWithHashIndex && (footer >> 31) != 0) {
    l.has_hash_index = true;
    l.num_restarts = footer & 0x7fffffffu;
    if (end < 2) return Status::Corruption("bad data block hash index");
    const uint16_t buckets = DecodeFixed16(block.data() + end - 2);
    end -= 2;
    if (end < buckets) return Status::Corruption("bad data block hash index");
    end -= buckets;
  } else {
    l.num_restarts = footer;
  }
  if (l.num_restarts == 0 || uint64_t{l.num_restarts} * 4 > end) {
    return Status::Corruption("bad restart array");
  }
  l.entries_end = static_cast<uint32_t>(end - uint64_t{l.num_restarts} * 4);
  const char* r = block.data() + l.entries_end;
  uint32_t prev = 0;
  for (uint32_t i = 0; i < l.num_restarts; ++i) {
    const uint32_t off = DecodeFixed32(r + 4 * i);
    const bool ok = i == 0 ? off == 0 : off > prev && off < l.entries_end;
    if (!ok) return Status::Corruption("bad restart array");
    prev = off;
  }
  *layout = l;
  return Status::OK();
}

// ---------------------------------------------------------------- data blocks

DataBlockIter::DataBlockIter(std::string_view block, BlockContext ctx,
                             std::optional<uint64_t> global_seqno)
    : block_(block), ctx_(ctx), global_seqno_(global_seqno) {
  Status s = DecodeBlockLayout(block_, &layout_);
  if (!s.ok()) Fail(s.message());
}

void DataBlockIter::Fail(const std::string& what) {
  valid_ = false;
  if (status_.ok()) status_ = BlockCorruption(ctx_, "data", what, entry_offset_);
}

void DataBlockIter::SeekToFirst() {
  if (!status_.ok()) return;
  next_offset_ = 0;
  next_restart_ = 0;
  prev_key_.clear();
  key_buf_.clear();
  ParseCurrent();
}

void DataBlockIter::Next() {
  if (!valid_) return;
  ParseCurrent();
}

void DataBlockIter::ParseCurrent() {
  valid_ = false;
  entry_offset_ = next_offset_;
  const char* base = block_.data();
  const char* limit = base + layout_.entries_end;
  const char* p = base + next_offset_;
  const char* restarts = limit;
  if (p >= limit) {
    // End: every restart point must have been met.
    if (next_restart_ != layout_.num_restarts &&
        !(layout_.entries_end == 0 && layout_.num_restarts == 1)) {
      Fail("restart array does not match entries");
    }
    return;
  }
  uint32_t shared, non_shared, value_len;
  p = DecodeEntryHeader(p, limit, true, &shared, &non_shared, &value_len);
  if (p == nullptr) return Fail("bad entry header");
  // Restart bookkeeping.
  if (next_restart_ < layout_.num_restarts &&
      entry_offset_ == DecodeFixed32(restarts + 4 * next_restart_)) {
    ++next_restart_;
    if (shared != 0) return Fail("restart entry shares a prefix");
  } else if (next_restart_ == 0 || (next_restart_ < layout_.num_restarts &&
                                    entry_offset_ > DecodeFixed32(restarts + 4 * next_restart_))) {
    return Fail("restart array does not match entries");
  }
  // key_buf_ holds the previous raw key; prev_key_ keeps a copy for ordering.
  if (shared > key_buf_.size()) return Fail("shared prefix longer than previous key");
  if (uint64_t{non_shared} + value_len > static_cast<uint64_t>(limit - p)) {
    return Fail("entry runs past end of block");
  }
  prev_key_.swap(key_buf_);
  key_buf_.assign(prev_key_.data(), shared);
  key_buf_.append(p, non_shared);
  value_ = std::string_view(p + non_shared, value_len);
  next_offset_ = static_cast<uint32_t>(p + non_shared + value_len - base);

  if (key_buf_.size() < 8) return Fail("internal key shorter than 8 bytes");
  (void)ParseInternalKey(key_buf_, &parsed_);
  if (!IsDataBlockValueType(parsed_.type)) {
    return Fail("bad value type " + std::to_string(parsed_.type));
  }
  if (ctx_.check_key_order && entry_offset_ != 0) {
    // Order: user key ascending, then packed (seq << 8 | type) descending.
    std::string_view prev_user(prev_key_.data(), prev_key_.size() - 8);
    const int c = prev_user.compare(parsed_.user_key);
    if (c > 0 || (c == 0 && DecodeFixed64(prev_key_.data() + prev_key_.size() - 8) <=
                                DecodeFixed64(key_buf_.data() + key_buf_.size() - 8))) {
      return Fail("keys out of order");
    }
  }
  if (global_seqno_.has_value()) {
    if (parsed_.sequence != 0) return Fail("nonzero sequence in ingested file");
    std::string& g = global_key_buf_;
    g.assign(key_buf_.data(), key_buf_.size() - 8);
    PutFixed64(&g, (*global_seqno_ << 8) | parsed_.type);
    key_ = g;
    parsed_.user_key = std::string_view(g.data(), g.size() - 8);
    parsed_.sequence = *global_seqno_;
  } else {
    key_ = key_buf_;
  }
  valid_ = true;
}

// --------------------------------------------------------------- index blocks

Status DecodeIndexBlock(std::string_view block, const IndexBlockFormat& format, BlockContext ctx,
                        std::vector<IndexEntry>* entries) {
  BlockLayout layout;
  Status s = DecodeBlockLayout(block, &layout);
  if (!s.ok()) return BlockCorruption(ctx, "index", s.message(), 0);
  RestartTracker restarts(block, layout);
  const char* base = block.data();
  const char* limit = base + layout.entries_end;
  const char* p = base;
  std::string key;
  BlockHandle prev;
  bool have_prev = false;
  entries->clear();
  while (p < limit) {
    const uint32_t off = static_cast<uint32_t>(p - base);
    auto bad = [&](std::string_view what) { return BlockCorruption(ctx, "index", what, off); };
    uint32_t shared, non_shared, value_len;
    p = DecodeEntryHeader(p, limit, !format.value_delta_encoded, &shared, &non_shared, &value_len);
    if (p == nullptr) return bad("bad entry header");
    if (!restarts.OnEntry(off, shared)) return bad("restart array does not match entries");
    if (shared > key.size()) return bad("shared prefix longer than previous key");
    if (uint64_t{non_shared} + value_len > static_cast<uint64_t>(limit - p)) {
      return bad("entry runs past end of block");
    }
    key.resize(shared);
    key.append(p, non_shared);
    p += non_shared;
    const char* vlimit = format.value_delta_encoded ? limit : p + value_len;
    const char* v = p;
    IndexEntry e;
    e.key = key;
    if (format.value_delta_encoded && shared != 0) {
      uint64_t zz;
      v = GetVarint64Ptr(v, vlimit, &zz);
      if (v == nullptr || !have_prev) return bad("bad block handle delta");
      const int64_t delta = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
      e.handle.offset = prev.end_with_trailer();
      e.handle.size = prev.size + static_cast<uint64_t>(delta);
    } else {
      v = DecodeBlockHandle(v, vlimit, &e.handle);
      if (v == nullptr) return bad("bad block handle");
    }
    if (format.has_first_key) {
      std::string_view rest(v, static_cast<size_t>(vlimit - v));
      std::string_view first;
      if (!GetLengthPrefixedSlice(&rest, &first)) return bad("bad first key");
      e.first_internal_key.assign(first.data(), first.size());
      v = rest.data();
    }
    if (!format.value_delta_encoded && v != vlimit) return bad("bad index value length");
    p = v;
    prev = e.handle;
    have_prev = true;
    entries->push_back(std::move(e));
  }
  if (!restarts.Finished(layout.entries_end)) {
    return BlockCorruption(ctx, "index", "restart array does not match entries",
                           layout.entries_end);
  }
  return Status::OK();
}

Status DecodeKeyValueBlock(std::string_view block, std::string_view kind, BlockContext ctx,
                           std::vector<RawEntry>* entries) {
  BlockLayout layout;
  Status s = DecodeBlockLayout(block, &layout);
  if (!s.ok()) return BlockCorruption(ctx, kind, s.message(), 0);
  RestartTracker restarts(block, layout);
  const char* base = block.data();
  const char* limit = base + layout.entries_end;
  const char* p = base;
  std::string key;
  entries->clear();
  while (p < limit) {
    const uint32_t off = static_cast<uint32_t>(p - base);
    uint32_t shared, non_shared, value_len;
    p = DecodeEntryHeader(p, limit, true, &shared, &non_shared, &value_len);
    if (p == nullptr) return BlockCorruption(ctx, kind, "bad entry header", off);
    if (!restarts.OnEntry(off, shared)) {
      return BlockCorruption(ctx, kind, "restart array does not match entries", off);
    }
    if (shared > key.size() ||
        uint64_t{non_shared} + value_len > static_cast<uint64_t>(limit - p)) {
      return BlockCorruption(ctx, kind, "bad entry lengths", off);
    }
    key.resize(shared);
    key.append(p, non_shared);
    entries->push_back(RawEntry{key, std::string_view(p + non_shared, value_len)});
    p += non_shared + value_len;
  }
  if (!restarts.Finished(layout.entries_end)) {
    return BlockCorruption(ctx, kind, "restart array does not match entries", layout.entries_end);
  }
  return Status::OK();
}

}  // namespace pushdown::exec
