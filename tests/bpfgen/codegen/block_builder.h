// Test helpers: a tiny RocksDB data-block builder and a harness that stages
// blocks into a program's local memory and collects what it emitted.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/codegen/program_abi.h"

namespace pushdown::bpfgen::testing {

// Local memory small enough for hand-built blocks: 8 blocks, 64 KiB staged,
// 256 output records (the walker tests fill them on purpose).
inline CompileOptions SmallOptions() {
  CompileOptions o;
  o.max_blocks = 8;
  o.block_capacity = 64 << 10;
  o.max_block_size = 32 << 10;
  o.out_capacity = 256;
  o.key_arena_size = 16 << 10;
  return o;
}

inline void PutVarint32(std::string* s, uint32_t v) {
  while (v >= 128) {
    s->push_back(static_cast<char>(v | 128));
    v >>= 7;
  }
  s->push_back(static_cast<char>(v));
}
inline void PutFixed32(std::string* s, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  s->append(b, 4);
}
inline std::string InternalKey(const std::string& user_key, uint64_t seq, uint8_t type) {
  std::string k = user_key;
  uint64_t packed = (seq << 8) | type;
  char b[8];
  std::memcpy(b, &packed, 8);
  k.append(b, 8);
  return k;
}

// RocksDB BlockBuilder (format of table/block_based/block_builder.cc).
class BlockBuilder {
 public:
  explicit BlockBuilder(int restart_interval) : interval_(restart_interval) {}
  void Add(const std::string& key, const std::string& value) {
    size_t shared = 0;
    if (counter_ >= interval_) {
      restarts_.push_back(static_cast<uint32_t>(buf_.size()));
      counter_ = 0;
    } else {
      size_t n = std::min(last_.size(), key.size());
      while (shared < n && last_[shared] == key[shared]) ++shared;
    }
    if (restarts_.empty()) restarts_.push_back(0);
    PutVarint32(&buf_, static_cast<uint32_t>(shared));
    PutVarint32(&buf_, static_cast<uint32_t>(key.size() - shared));
    PutVarint32(&buf_, static_cast<uint32_t>(value.size()));
    buf_.append(key, shared, std::string::npos);
    buf_.append(value);
    last_ = key;
    ++counter_;
  }
  std::string Finish(bool hash_index = false, uint16_t buckets = 7) {
    std::string out = buf_;
    std::vector<uint32_t> restarts = restarts_;
    if (restarts.empty()) restarts.push_back(0);
    for (uint32_t r : restarts) PutFixed32(&out, r);
    uint32_t footer = static_cast<uint32_t>(restarts.size());
    if (hash_index) {
      out.append(buckets, static_cast<char>(0xff));
      out.push_back(static_cast<char>(buckets & 0xff));
      out.push_back(static_cast<char>(buckets >> 8));
      footer |= 1u << 31;
    }
    PutFixed32(&out, footer);
    return out;
  }

 private:
  int interval_;
  int counter_ = 0;
  std::string buf_;
  std::string last_;
  std::vector<uint32_t> restarts_;
};

struct Emitted {
  uint8_t cls;
  std::string key;    // full internal key (an implied trailer appended: kUserKeyOnly)
  std::string value;  // kMatched only
  friend bool operator==(const Emitted& a, const Emitted& b) {
    return a.cls == b.cls && a.key == b.key && a.value == b.value;
  }
};

struct BlockResult {
  uint32_t status = 0;
  uint32_t entries = 0;
  uint32_t error_offset = 0;
  std::vector<Emitted> records;
  friend bool operator==(const BlockResult& a, const BlockResult& b) {
    return a.status == b.status && a.entries == b.entries && a.error_offset == b.error_offset &&
           a.records == b.records;
  }
};

struct RunResult {
  abi::RunContext ctx{};
  std::vector<BlockResult> blocks;
  friend bool operator==(const RunResult& a, const RunResult& b) {
    return std::memcmp(&a.ctx, &b.ctx, sizeof(a.ctx)) == 0 && a.blocks == b.blocks;
  }
};

struct StagedBlock {
  std::string data;
  uint32_t flags = abi::kEmitShadows;
  // Test override of the descriptor size (e.g. too large); 0 = data.size().
  uint32_t size_override = 0;
};

// Writes blocks and descriptors into `mem`; returns the RunContext to pass.
inline abi::RunContext Stage(const abi::ProgramLayout& l, uint8_t* mem,
                             const std::vector<StagedBlock>& blocks) {
  uint32_t at = l.block_offset;
  auto* desc = reinterpret_cast<abi::BlockDesc*>(mem + l.desc_offset);
  for (size_t i = 0; i < blocks.size(); ++i) {
    std::memcpy(mem + at, blocks[i].data.data(), blocks[i].data.size());
    desc[i] = abi::BlockDesc{};
    desc[i].offset = at;
    desc[i].size = blocks[i].size_override ? blocks[i].size_override
                                           : static_cast<uint32_t>(blocks[i].data.size());
    desc[i].flags = blocks[i].flags;
    desc[i].status = 0xdead;
    at += static_cast<uint32_t>((blocks[i].data.size() + 7) / 8 * 8);
  }
  abi::RunContext ctx{};
  ctx.num_blocks = static_cast<uint32_t>(blocks.size());
  return ctx;
}

inline RunResult Collect(const abi::ProgramLayout& l, const uint8_t* mem,
                         const abi::RunContext& ctx, size_t num_blocks) {
  RunResult r;
  r.ctx = ctx;
  auto* desc = reinterpret_cast<const abi::BlockDesc*>(mem + l.desc_offset);
  auto* out = reinterpret_cast<const abi::OutRecord*>(mem + l.out_offset);
  // Keys lie back to back in record order (program_abi.h, "Keys").
  std::vector<uint32_t> key_at(ctx.out_count + 1, l.key_arena_offset);
  for (uint32_t k = 0; k < ctx.out_count; ++k) key_at[k + 1] = key_at[k] + out[k].key_size;
  EXPECT_EQ(key_at[ctx.out_count] - l.key_arena_offset, ctx.key_bytes);
  for (size_t i = 0; i < num_blocks; ++i) {
    BlockResult b;
    b.status = desc[i].status;
    b.entries = desc[i].entries;
    b.error_offset = desc[i].error_offset;
    for (uint32_t k = desc[i].out_begin; k < desc[i].out_end && k < ctx.out_count; ++k) {
      Emitted e;
      e.cls = out[k].entry_class;
      e.key.assign(reinterpret_cast<const char*>(mem + key_at[k]), out[k].key_size);
      if (out[k].flags & abi::kUserKeyOnly) {
        EXPECT_NE(e.cls, abi::kNotValue);
        e.key.append("\x01\0\0\0\0\0\0\0", 8);  // (seq 0, kTypeValue)
      }
      if (e.cls == abi::kMatched) {
        e.value.assign(reinterpret_cast<const char*>(mem + out[k].value_offset), out[k].value_size);
      }
      b.records.push_back(std::move(e));
    }
    r.blocks.push_back(std::move(b));
  }
  return r;
}

}  // namespace pushdown::bpfgen::testing
