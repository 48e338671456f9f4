// Block-level scenarios: malformed blocks, limits and output-full handling.
// Each lists the staged blocks and the statuses a correct program reports.
#pragma once

#include <string>
#include <vector>

#include "tests/bpfgen/codegen/block_builder.h"

namespace pushdown::bpfgen::testing {

struct Scenario {
  std::string name;
  bool raw = true;  // raw schema, else kMixedDdl with TRUE
  std::vector<StagedBlock> blocks;
  std::vector<uint32_t> statuses;  // expected BlockDesc.status per block
  std::vector<uint32_t> error_offsets;
  uint32_t out_capacity = 256;
  uint32_t key_arena_size = 16 << 10;
  uint32_t max_key_size = 512;
};

// Offset of entry `index` in a well-formed block (walks the varints).
inline uint32_t EntryOffset(const std::string& block, int index) {
  size_t p = 0;
  auto varint = [&] {
    uint32_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = static_cast<uint8_t>(block[p++]);
      v |= (b & 127u) << shift;
      if (b < 128) return v;
    }
  };
  for (int i = 0; i < index; ++i) {
    varint();
    uint32_t non_shared = varint();
    uint32_t value_len = varint();
    p += non_shared + value_len;
  }
  return static_cast<uint32_t>(p);
}

inline std::string Footer(std::string body, uint32_t num_restarts = 1) {
  for (uint32_t i = 0; i < num_restarts; ++i) PutFixed32(&body, 0);
  PutFixed32(&body, num_restarts);
  return body;
}

inline std::string GoodBlock(int n, int interval = 16, const std::string& prefix = "key") {
  BlockBuilder bb(interval);
  for (int i = 0; i < n; ++i) {
    bb.Add(InternalKey(prefix + std::to_string(100 + i), 50, 1), "v" + std::to_string(i));
  }
  return bb.Finish();
}

inline std::vector<Scenario> Scenarios() {
  std::vector<Scenario> out;
  constexpr uint32_t kOk = abi::kBlockOk, kBad = abi::kBlockMalformed;
  {  // An entry whose value runs into the restart array.
    std::string body;
    std::string k = InternalKey("abc", 1, 1);
    PutVarint32(&body, 0), PutVarint32(&body, k.size()), PutVarint32(&body, 3);
    body += k + "xyz";
    size_t second = body.size();
    PutVarint32(&body, 0), PutVarint32(&body, k.size()), PutVarint32(&body, 50);
    body += k + "short";
    out.push_back({"truncated", true, {{Footer(body)}}, {kBad}, {static_cast<uint32_t>(second)}});
  }
  {
    std::string body = "\xff\xff\xff\xff\xff\xff";
    out.push_back({"bad_varint", true, {{Footer(body)}}, {kBad}, {0}});
  }
  {
    std::string body = "\x80";  // varint cut by the end of the entries
    out.push_back({"cut_varint", true, {{Footer(body)}}, {kBad}, {0}});
  }
  {
    std::string body;
    std::string k = InternalKey("abc", 1, 1);
    PutVarint32(&body, 5), PutVarint32(&body, k.size()), PutVarint32(&body, 0);
    body += k;
    out.push_back({"huge_shared", true, {{Footer(body)}}, {kBad}, {0}});
  }
  {
    BlockBuilder bb(16);
    bb.Add(InternalKey("a", 1, 1), "x");
    bb.Add(InternalKey(std::string(600, 'k'), 1, 1), "x");
    std::string first = InternalKey("a", 1, 1);
    out.push_back({"key_too_long",
                   true,
                   {{bb.Finish()}},
                   {abi::kBlockKeyTooLong},
                   {static_cast<uint32_t>(3 + first.size() + 1)}});
  }
  {
    std::string body;
    PutVarint32(&body, 0), PutVarint32(&body, 4), PutVarint32(&body, 0);
    body += "abcd";
    out.push_back({"key_shorter_than_trailer", true, {{Footer(body)}}, {kBad}, {0}});
  }
  out.push_back({"tiny_block", true, {{std::string("\x01\x00", 2)}}, {kBad}, {0}});
  {
    std::string b = GoodBlock(3);
    b.replace(b.size() - 4, 4, std::string("\xff\xff\x00\x00", 4));  // 65535 restarts
    out.push_back({"too_many_restarts", true, {{b}}, {kBad}, {0}});
  }
  {
    StagedBlock big{GoodBlock(3)};
    big.size_override = 40 << 10;  // > max_block_size of the scenario options
    out.push_back(
        {"block_too_large", true, {big, {GoodBlock(4)}}, {abi::kBlockTooLarge, kOk}, {0, 0}});
  }
  out.push_back({"empty_block", true, {{Footer("")}, {GoodBlock(2)}}, {kOk, kOk}, {0, 0}});
  out.push_back({"malformed_in_the_middle",
                 true,
                 {{GoodBlock(5)}, {Footer("\xff\xff\xff\xff\xff\xff")}, {GoodBlock(7, 1)}},
                 {kOk, kBad, kOk},
                 {0, 0, 0}});
  {
    // Long shared prefixes (restart interval 16), hash index present.
    BlockBuilder bb(16);
    std::string p(300, 'p');
    for (int i = 0; i < 40; ++i) bb.Add(InternalKey(p + std::to_string(1000 + i), 9, 1), "");
    out.push_back({"long_shared_prefix_hash_index", true, {{bb.Finish(true, 300)}}, {kOk}, {0}});
  }
  {
    // Same user key: the trailer itself is prefix-shared (type byte first in LE).
    BlockBuilder bb(16);
    for (int s = 0; s < 20; ++s) bb.Add(InternalKey("same", 1000 - s, s % 3 ? 1 : 0), "x");
    out.push_back({"shared_trailer", true, {{bb.Finish()}}, {kOk}, {0}});
  }
  {
    Scenario s{
        "output_full_records", true, {{GoodBlock(6)}, {GoodBlock(6)}, {GoodBlock(2)}}, {}, {}};
    s.statuses = {kOk, abi::kBlockOutputFull, abi::kBlockNotRun};
    s.error_offsets = {0, EntryOffset(GoodBlock(6), 4), 0};  // 6 + 4 records fill 10
    s.out_capacity = 10;
    out.push_back(s);
  }
  {
    Scenario s{"output_full_key_arena", true, {{GoodBlock(6)}, {GoodBlock(6)}}, {}, {}};
    s.statuses = {kOk, abi::kBlockOutputFull};
    s.max_key_size = 128;
    s.key_arena_size = 128;  // 9 keys of 14 bytes
    s.error_offsets = {0, EntryOffset(GoodBlock(6), 3)};
    out.push_back(s);
  }
  return out;
}

}  // namespace pushdown::bpfgen::testing
