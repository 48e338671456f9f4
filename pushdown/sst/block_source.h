// BlockSource: the I/O half of the block fast path. Yields the data blocks of
// a set of SST files, in order (file by file, block by block), read with large
// sequential reads of each file's data region through io_uring: files
// registered once (io_uring_register_files), fixed registered buffers
// (io_uring_register_buffers), `queue_depth` reads in flight while the
// consumer works on a filled buffer. Optionally O_DIRECT (aligned buffers and
// offsets). Where io_uring is unavailable, reads fall back to pread and
// backend_reason() says why.
//
//   PD_ASSIGN_OR_RETURN(auto src, BlockSource::Open(files, {}));
//   SourceBlock b;
//   bool done = false;
//   while (true) {
//     PD_RETURN_IF_ERROR(src->Next(&b, &done));
//     if (done) break;
//     ... b.contents (uncompressed, verified) ...
//   }
//
// All reads are planned and validated once at Open (offsets, lengths, buffer
// fit); no per-read re-validation beyond the completion's byte count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pushdown/sst/format.h"
#include "pushdown/sst/sst_file.h"
#include "util/status.h"

namespace pushdown::exec {

struct BlockSourceOptions {
  // Bytes per large read (each registered buffer holds one read).
  size_t read_size = 1u << 20;
  // Reads in flight; queue_depth + 1 buffers (the consumer holds one).
  unsigned queue_depth = 4;
  bool use_io_uring = true;
  // Open the files with O_DIRECT (page cache bypass). Open fails with
  // NotSupported when the filesystem rejects O_DIRECT.
  bool o_direct = false;
  // Buffered reads that hit the page cache complete inside io_uring_submit:
  // the page-cache copy would run on the scan's own thread. IOSQE_ASYNC hands
  // them to io_uring's kernel workers, so the copy of the next reads runs on
  // another core while the scan checksums and filters (Q6 at SF1, warm: ~30%
  // less wall time on 2 cores). Not applied to O_DIRECT reads.
  bool async_buffered_reads = true;
  // Warm files, zero-copy: map the file (read-only, shared with the page
  // cache) and hand out blocks where they lie in the mapping, checksummed
  // there; no read into a buffer, no io_uring worker copying pages. Backend
  // "mmap". Not with o_direct (cold reads keep io_uring/pread), and for one
  // file per source only (FileBlockReader opens one per file span); where the
  // mapping fails, io_uring/pread as usual and backend_reason() says why.
  bool use_mmap = false;
  // For a consumer that stages blocks in a device's local memory
  // (pushdown/scan DeviceFileStream), not for the source itself: read an
  // uncompressed file's blocks straight into the local memory, one read per
  // batch of consecutive blocks, checksummed there, instead of through a
  // source and a staging copy. Not with o_direct (local memory does not
  // meet O_DIRECT's alignment for every block span: such files go through
  // the source, which counts as a normal staged read).
  bool read_into_device_memory = false;
  bool verify_checksums = true;
  // Verify + decompress each block (contents); false yields raw bytes only.
  bool decode = true;
  // With decode: false verifies every block but leaves a compressed one to
  // the caller (SourceBlock::compressed, contents empty), who decompresses it
  // where it wants it (SstFile::DecodeBlockInto: a device's local memory)
  // instead of into the source's scratch buffer.
  bool decompress = true;
};

struct SourceBlock {
  size_t file_index = 0;   // into the files given to Open
  size_t block_index = 0;  // data block number within the file
  BlockHandle handle;
  // Stored bytes + 5-byte trailer; valid until the next Next().
  std::string_view raw;
  // Uncompressed, verified contents (when options.decode, and the block is
  // uncompressed or options.decompress); valid until the next Next().
  std::string_view contents;
  // Verified, stored compressed, and left in `raw` (options.decompress false).
  bool compressed = false;
};

struct BlockSourceStats {
  uint64_t bytes_read = 0;       // from storage, including alignment padding
  uint64_t reads = 0;            // large reads issued
  uint64_t blocks = 0;           // blocks yielded
  uint64_t fallback_preads = 0;  // short/retried reads completed with pread
};

class BlockSource {
 public:
  // REQUIRES: every file outlives the source and was opened from a path.
  static Result<std::unique_ptr<BlockSource>> Open(std::vector<const SstFile*> files,
                                                   const BlockSourceOptions& options = {});
  // Only data blocks [ranges[k].begin, ranges[k].end) of files[k]: the large
  // reads cover those blocks' region of the file and nothing past it (a key
  // range scan reads only the blocks that can hold its keys). REQUIRES:
  // ranges.size() == files.size(); InvalidArgument for a range past a file's
  // blocks.
  static Result<std::unique_ptr<BlockSource>> Open(std::vector<const SstFile*> files,
                                                   const BlockSourceOptions& options,
                                                   std::vector<BlockRange> ranges);
  virtual ~BlockSource();

  // Sets *done at the end; otherwise fills *block.
  virtual Status Next(SourceBlock* block, bool* done) = 0;

  // "mmap", "io_uring" or "pread".
  virtual const char* backend() const = 0;
  // Why the backend is not io_uring with registered files and buffers, and,
  // with use_mmap, why it is not mmap ("mmap: ...; "). Empty when it is what
  // was asked for.
  const std::string& backend_reason() const { return backend_reason_; }
  const BlockSourceStats& stats() const { return stats_; }

 protected:
  BlockSource() = default;
  void SetReason(std::string reason) { backend_reason_ = std::move(reason); }
  std::string backend_reason_;
  BlockSourceStats stats_;
};

}  // namespace pushdown::exec
