// DeviceFileStream: an SST file's data blocks, read with pushdown/sst
// (verified; a compressed block is decompressed straight into the program's
// local memory, on the thread that runs the stream, with no buffer in
// between), staged in batches through a device's loaded
// program (pushdown/device), yielding the program's OutRecords as entries.
//
// Memory: one batch (at most `batch_blocks` blocks and the records they
// produced) per stream. Records are copied out of local memory, so one
// LoadedProgram serves every stream of a scan (one run at a time).
// A block the program rejects (malformed, key too long, bad row) is
// Corruption naming the file and block offset; a block larger than the
// program accepts is filtered on the host with `host_filter` (the same device
// conjuncts) when given, else NotSupported.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pushdown/device/block_stager.h"
#include "pushdown/device/device.h"
#include "pushdown/scan/block_reader.h"
#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/scan_stats.h"
#include "pushdown/sst/sst_file.h"

namespace pushdown::exec {

class DeviceFileStream final : public EntryStream {
 public:
  // REQUIRES: device, program and stats outlive the stream; batch_blocks >= 1.
  // `source_options` set: blocks are read through the io_uring BlockSource.
  // Only the data blocks of `runs` are read and run (a key range's, see
  // SstFile::DataBlocksInRange, less the blocks a zone map rules out; see
  // FileBlockReader); the program filters them whole, so their entries
  // outside the range are yielded too and cut by the merge.
  DeviceFileStream(std::shared_ptr<const SstFile> file, std::vector<BlockRange> runs,
                   std::optional<BlockSourceOptions> source_options, Device* device,
                   LoadedProgram* program, bool emit_shadows, uint32_t batch_blocks,
                   RowFilter host_filter, ScanStats* stats);

  void SeekToFirst() override;
  bool Valid() const override { return valid_; }
  const FilteredEntry& entry() const override { return entry_; }
  void Next() override;
  Status status() const override { return status_; }
  std::string_view name() const override { return reader_.file().info().file_name; }

  size_t blocks_remaining() const { return reader_.blocks_remaining(); }
  const SstFile& file() const { return reader_.file(); }

  // Aggregation on the device (device_aggregation.h): the blocks whose
  // `blocks[index]` is 1 are staged with kAggregate; their partials add up in
  // the program's aggregate region (which the executor zeroes before the
  // scan and reads after it) and their entries are not yielded. A block the
  // program sends back (kBlockNeedsRecords) is run again as records.
  // REQUIRES: the program has aggregates; called before SeekToFirst. The
  // caller decides which blocks are exact to aggregate (scan_executor.cc,
  // AggregateOnDevice).
  void SetAggregateBlocks(std::vector<uint8_t> blocks) {
    aggregate_ = true;
    aggregate_blocks_ = std::move(blocks);
  }

 private:
  struct Rec {
    uint32_t key_offset;  // user key in arena_
    uint32_t key_size;
    uint32_t value_offset;
    uint32_t value_size;
    uint64_t seq;
    uint8_t type;
    EntryClass cls;
  };

  // Runs batches until one yields records; false at the end of the file or on error.
  bool Refill();
  // Stages up to batch_blocks blocks straight into the program's local memory
  // (one copy out of the reader, or none: StageInPlace), runs them once, and
  // adds their records.
  Status RunBatch();
  using FlagsFn = std::function<uint32_t(size_t block_index)>;
  // Blocks from the reader, each copied (or decompressed) into local memory.
  // Sets *n to the blocks staged; a block that can never fit becomes
  // *oversized (filtered on the host after the batch).
  Status StageFromReader(StagedBatch& staged, const FlagsFn& block_flags, size_t* n,
                         std::optional<ReadBlock>* oversized);
  // In-place reads (BlockSourceOptions::read_into_device_memory, an
  // uncompressed file): the consecutive blocks of the current run that fit
  // the staging area are read with one read straight into local memory and
  // checksummed where they lie; the descriptors point at them. Same outputs.
  Status StageInPlace(StagedBatch& staged, const FlagsFn& block_flags, size_t* n,
                      std::optional<ReadBlock>* oversized);
  // Remembers staged block n's handle, index and flags.
  void Track(size_t n, const BlockHandle& handle, size_t index, uint32_t flags);
  // Records of one finished block, or Corruption for a rejected one.
  // `aggregated`: it ran with kAggregate and ended OK (no records).
  Status TakeBlock(size_t i, const BlockResult& result, const BatchResult& batch,
                   bool aggregated = false);
  // `key`: the internal key, or the user key alone when user_key_only (its
  // trailer is then (sequence 0, kTypeValue): program_abi.h, "Keys").
  Status AddRecord(std::string_view key, bool user_key_only, EntryClass cls, std::string_view value,
                   uint64_t block_offset);
  Status FilterOnHost(size_t block_index, const BlockHandle& handle, std::string_view contents);
  // The size of b's contents, which for a compressed block is the size its
  // payload declares (it is then decompressed in place, into local memory).
  // A block whose compression declares no size is decompressed here instead.
  Result<size_t> ContentsSize(ReadBlock* b);
  // Decompresses a compressed b into decoded_ (a block filtered on the host,
  // or one whose compression declares no size). REQUIRES: at most one such
  // block is live at a time (the pending or the oversized one).
  Status Decompress(ReadBlock* b);
  void Load();
  void Fail(Status s);

  FileBlockReader reader_;
  Device* device_;
  LoadedProgram* program_;
  bool emit_shadows_;
  uint32_t batch_blocks_;
  RowFilter host_filter_;
  ScanStats* stats_;
  bool in_place_reads_ = false;  // see StageInPlace
  bool verify_checksums_ = true;

  bool file_done_ = false;
  // A block read but not staged (the batch was full): the reader's view stays
  // valid because the reader is not advanced until it is taken.
  std::optional<ReadBlock> pending_;
  std::vector<BlockHandle> handles_;
  std::vector<size_t> indices_;
  std::vector<uint32_t> flags_;  // per staged block of the batch
  bool aggregate_ = false;
  std::vector<uint8_t> aggregate_blocks_;  // per file block: 1 = aggregate on the device
  std::vector<std::string> rerun_;         // unfinished blocks read again (rare)
  std::string decoded_;                    // see Decompress
  std::string arena_;
  std::vector<Rec> recs_;
  size_t pos_ = 0;
  bool valid_ = false;
  Status status_;
  FilteredEntry entry_;
};

}  // namespace pushdown::exec
