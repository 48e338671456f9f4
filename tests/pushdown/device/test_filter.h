// A hand-written native block filter that implements bpfgen/codegen/program_abi.h
// for tests of the device layer that must not depend on the code generator:
// it walks a RocksDB data block and matches a Value entry iff `match(value)`.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string_view>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/codegen/program_abi.h"

namespace pushdown::exec::testing {

namespace abi = bpfgen::abi;

inline abi::ProgramLayout SmallLayout(uint32_t max_blocks, uint32_t block_capacity,
                                      uint32_t max_block_size, uint32_t out_capacity,
                                      uint32_t key_arena_size) {
  abi::ProgramLayout l;
  l.desc_offset = 0;
  l.max_blocks = max_blocks;
  l.block_offset = max_blocks * sizeof(abi::BlockDesc);
  l.block_capacity = block_capacity;
  l.max_block_size = max_block_size;
  l.out_offset = l.block_offset + block_capacity;
  l.out_capacity = out_capacity;
  l.key_arena_offset = l.out_offset + out_capacity * sizeof(abi::OutRecord);
  l.key_arena_size = key_arena_size;
  l.max_key_size = 512;
  l.private_offset = l.key_arena_offset + key_arena_size;
  l.mem_size = l.private_offset + 64;
  return l;
}

// Global state for the single test program (tests run one at a time).
struct TestFilterState {
  abi::ProgramLayout layout;
  std::function<bool(std::string_view)> match;
};
inline TestFilterState& State() {
  static TestFilterState state;
  return state;
}

inline const uint8_t* Varint(const uint8_t* p, const uint8_t* limit, uint32_t* v) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && p < limit; shift += 7) {
    uint32_t byte = *p++;
    result |= (byte & 127) << shift;
    if ((byte & 128) == 0) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

inline int TestFilter(abi::RunContext* ctx, uint8_t* mem) {
  const abi::ProgramLayout& l = State().layout;
  auto* descs = reinterpret_cast<abi::BlockDesc*>(mem + l.desc_offset);
  auto* out = reinterpret_cast<abi::OutRecord*>(mem + l.out_offset);
  uint8_t* scratch = mem + l.private_offset;  // unused
  (void)scratch;
  uint32_t out_count = 0, key_bytes = 0;
  ctx->blocks_done = 0;
  ctx->entries = ctx->matched = 0;
  std::string key;
  for (uint32_t b = 0; b < ctx->num_blocks; ++b) {
    abi::BlockDesc& d = descs[b];
    const uint8_t* base = mem + d.offset;
    const uint8_t* limit = base + d.size;
    uint32_t block_out_begin = out_count, block_key_begin = key_bytes;
    d.out_begin = out_count;
    d.entries = 0;
    d.status = abi::kBlockOk;
    if (d.size < 4) {
      d.status = abi::kBlockMalformed;
      d.out_end = out_count;
      ctx->blocks_done = b + 1;
      continue;
    }
    uint32_t num_restarts;
    std::memcpy(&num_restarts, limit - 4, 4);
    num_restarts &= 0x7fffffffu;
    if (uint64_t{num_restarts} * 4 + 4 > d.size) {
      d.status = abi::kBlockMalformed;
      d.out_end = out_count;
      ctx->blocks_done = b + 1;
      continue;
    }
    const uint8_t* entries_end = limit - 4 - num_restarts * 4;
    const uint8_t* p = base;
    key.clear();
    bool full = false;
    uint64_t matched = 0;
    while (p < entries_end) {
      uint32_t shared, non_shared, value_len;
      const uint8_t* q = Varint(p, entries_end, &shared);
      if (q) q = Varint(q, entries_end, &non_shared);
      if (q) q = Varint(q, entries_end, &value_len);
      if (!q || shared > key.size() ||
          uint64_t{non_shared} + value_len > uint64_t(entries_end - q)) {
        d.status = abi::kBlockMalformed;
        d.error_offset = static_cast<uint32_t>(p - base);
        break;
      }
      key.resize(shared);
      key.append(reinterpret_cast<const char*>(q), non_shared);
      const uint8_t* value = q + non_shared;
      if (key.size() < 8 || key.size() > l.max_key_size) {
        d.status = key.size() < 8 ? abi::kBlockMalformed : abi::kBlockKeyTooLong;
        d.error_offset = static_cast<uint32_t>(p - base);
        break;
      }
      ++d.entries;
      uint8_t type = static_cast<uint8_t>(key[key.size() - 8]);
      uint8_t cls = 0;
      if (type != 1) {
        cls = abi::kNotValue;
      } else if (State().match(std::string_view(reinterpret_cast<const char*>(value), value_len))) {
        cls = abi::kMatched;
      } else if (d.flags & abi::kEmitShadows) {
        cls = abi::kShadow;
      }
      if (cls != 0) {
        if (out_count >= l.out_capacity || key_bytes + key.size() > l.key_arena_size) {
          full = true;
          break;
        }
        // A (seq 0, kTypeValue) trailer is not sent (program_abi.h, "Keys").
        const bool user_key_only =
            key.compare(key.size() - 8, 8, std::string_view("\x01\0\0\0\0\0\0\0", 8)) == 0;
        const size_t key_size = user_key_only ? key.size() - 8 : key.size();
        abi::OutRecord& r = out[out_count++];
        r.key_size = static_cast<uint16_t>(key_size);
        std::memcpy(mem + l.key_arena_offset + key_bytes, key.data(), key_size);
        key_bytes += static_cast<uint32_t>(key_size);
        r.entry_class = cls;
        r.flags = user_key_only ? abi::kUserKeyOnly : 0;
        r.value_offset = cls == abi::kMatched ? static_cast<uint32_t>(value - mem) : 0;
        r.value_size = cls == abi::kMatched ? value_len : 0;
        if (cls == abi::kMatched) ++matched;
      }
      p = value + value_len;
    }
    if (full) {
      d.status = abi::kBlockOutputFull;
      out_count = block_out_begin;
      key_bytes = block_key_begin;
      d.out_begin = d.out_end = 0;
      break;
    }
    d.out_end = out_count;
    ctx->entries += d.entries;
    ctx->matched += matched;
    ctx->blocks_done = b + 1;
  }
  ctx->out_count = out_count;
  ctx->key_bytes = key_bytes;
  return 0;
}

class TestNativeProgram : public bpfgen::NativeProgram {
 public:
  TestNativeProgram(const abi::ProgramLayout& layout, std::function<bool(std::string_view)> match) {
    State().layout = layout;
    State().match = std::move(match);
  }
  abi::NativeFilterFn fn() const override { return &TestFilter; }
  const abi::ProgramLayout& layout() const override { return State().layout; }
  double compile_ms() const override { return 0; }
};

}  // namespace pushdown::exec::testing
