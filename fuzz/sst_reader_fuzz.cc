// Arbitrary bytes as an SST file image: open, read every data block, decode
// every entry, with and without checksum verification. Must never crash; any
// failure must be a Status.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pushdown/sst/block.h"
#include "pushdown/sst/sst_file.h"

namespace {

void Run(const uint8_t* data, size_t size, bool verify) {
  using namespace pushdown::exec;
  SstOpenOptions options;
  options.verify_checksums = verify;
  options.max_block_size = 1u << 20;
  options.scan_entry_types = !verify;
  auto sst = SstFile::OpenFromMemory(
      "fuzz.sst", std::string(reinterpret_cast<const char*>(data), size), options);
  if (!sst.ok()) return;
  size_t entries = 0;
  for (size_t i = 0; i < (*sst)->num_data_blocks(); ++i) {
    auto block = (*sst)->ReadDataBlock(i, verify);
    if (!block.ok()) continue;
    DataBlockIter it(block->data, (*sst)->block_context(i), (*sst)->info().global_seqno);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      entries += it.key().size() + it.value().size() + it.parsed().type;
    }
    (void)it.status();
  }
  std::vector<RangeTombstone> tombstones;
  if ((*sst)->ReadRangeTombstones(&tombstones).ok()) {
    for (const RangeTombstone& t : tombstones) entries += t.start.size() + t.end.size() + t.seq;
  }
  // Also decode the raw bytes as a block of each kind.
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  DataBlockIter it(raw);
  for (it.SeekToFirst(); it.Valid(); it.Next()) ++entries;
  std::vector<IndexEntry> index;
  (void)DecodeIndexBlock(raw, IndexBlockFormat{true, true}, {}, &index);
  (void)DecodeIndexBlock(raw, IndexBlockFormat{false, false}, {}, &index);
  if (entries == 0xdeadbeef) __builtin_trap();  // keep the work observable
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Run(data, size, /*verify=*/true);
  Run(data, size, /*verify=*/false);
  return 0;
}
