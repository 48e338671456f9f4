// sst_read_bench: read + checksum + decompress throughput of an SST set via
// BlockSource (io_uring, pread, optionally O_DIRECT) and via per-block
// SstFile::ReadDataBlock. Not a test: prints numbers, asserts nothing.
//
//   sst_read_bench [--dir=/tmp/sst_bench] [--mb=100] [--files=4]
//                  [--compression=snappy|none|zstd|lz4] [--iters=5]
//                  [--read_kb=1024] [--qd=4] [--existing=DIR]
// Files are generated on first use (db_bench-like values, ratio 0.5) and kept.
// --existing=DIR reads the *.sst files already in DIR instead (e.g. a RocksDB
// database's files: the same files a scan reads); it only opens them read-only.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pushdown/sst/block_source.h"
#include "pushdown/sst/sst_file.h"
#include "tests/support/sst_builder.h"

namespace {

namespace pt = pushdown::testing;
using pushdown::Status;
using namespace pushdown::exec;

std::string Flag(int argc, char** argv, const char* name, const char* def) {
  const std::string prefix = std::string("--") + name + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) == 0) return argv[i] + prefix.size();
  }
  return def;
}

bool Exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

Status Generate(const std::string& path, pt::Compression z, size_t bytes, int file_no) {
  std::mt19937_64 rng(file_no);
  std::vector<pt::KeyValueOp> ops;
  const size_t n = bytes / 116;
  ops.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    char key[17];
    std::snprintf(key, sizeof(key), "%08d%08zu", file_no, i);
    std::string v(100, '\0');
    for (int j = 0; j < 50; ++j) v[j] = static_cast<char>(' ' + rng() % 95);
    std::memcpy(v.data() + 50, v.data(), 50);  // compressible half
    ops.push_back({key, std::move(v), pt::EntryKind::kPut});
  }
  pt::SstSpec spec;
  spec.compression = z;
  return pt::WriteSstWithWriter(path, spec, ops);
}

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = Flag(argc, argv, "dir", "/tmp/sst_bench");
  const size_t mb = std::stoul(Flag(argc, argv, "mb", "100"));
  const int nfiles = std::stoi(Flag(argc, argv, "files", "4"));
  const std::string comp = Flag(argc, argv, "compression", "snappy");
  const int iters = std::stoi(Flag(argc, argv, "iters", "5"));
  const size_t read_kb = std::stoul(Flag(argc, argv, "read_kb", "1024"));
  const unsigned qd = static_cast<unsigned>(std::stoul(Flag(argc, argv, "qd", "4")));
  pt::Compression z = pt::Compression::kSnappy;
  if (comp == "none") z = pt::Compression::kNone;
  if (comp == "zstd") z = pt::Compression::kZstd;
  if (comp == "lz4") z = pt::Compression::kLz4;

  const std::string existing = Flag(argc, argv, "existing", "");
  std::vector<std::string> paths;
  if (!existing.empty()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(existing, ec)) {
      if (e.path().extension() == ".sst") paths.push_back(e.path().string());
    }
    std::sort(paths.begin(), paths.end());
    if (ec || paths.empty()) {
      std::fprintf(stderr, "no .sst files in %s\n", existing.c_str());
      return 1;
    }
  } else {
    mkdir(dir.c_str(), 0755);
    for (int i = 0; i < nfiles; ++i) {
      const std::string path =
          dir + "/" + comp + "_" + std::to_string(mb) + "mb_" + std::to_string(i) + ".sst";
      if (!Exists(path)) {
        Status s = Generate(path, z, mb * (1u << 20) / nfiles, i);
        if (!s.ok()) {
          std::fprintf(stderr, "generate: %s\n", s.ToString().c_str());
          return 1;
        }
      }
      paths.push_back(path);
    }
  }
  std::vector<std::unique_ptr<SstFile>> files;
  uint64_t stored = 0, uncompressed = 0;
  for (const std::string& path : paths) {
    auto f = SstFile::Open(path);
    if (!f.ok()) {
      std::fprintf(stderr, "open: %s\n", f.status().ToString().c_str());
      return 1;
    }
    stored += (*f)->info().data_end - (*f)->info().data_begin;
    uncompressed += (*f)->info().properties.raw_key_size + (*f)->info().properties.raw_value_size;
    files.push_back(std::move(*f));
  }
  std::vector<const SstFile*> ptrs;
  for (auto& f : files) ptrs.push_back(f.get());
  std::printf(
      "files=%zu compression=%s data_region=%.1f MB raw_kv=%.1f MB read_size=%zu KiB qd=%u\n",
      files.size(), existing.empty() ? comp.c_str() : ("as stored in " + existing).c_str(),
      stored / 1e6, uncompressed / 1e6, read_kb, qd);

  struct Mode {
    const char* name;
    bool source;  // BlockSource, else per-block ReadDataBlock
    bool uring;
    bool direct;
    bool decode = true;
    bool entries = false;  // also walk every entry with DataBlockIter
  };
  const Mode modes[] = {{"io_uring", true, true, false},
                        {"pread(BlockSource)", true, false, false},
                        {"io_uring+O_DIRECT", true, true, true},
                        {"pread+O_DIRECT", true, false, true},
                        {"ReadDataBlock(per-block pread)", false, false, false},
                        {"io_uring + DataBlockIter entries", true, true, false, true, true},
                        {"io_uring read only (no verify)", true, true, false, false},
                        {"pread read only (no verify)", true, false, false, false}};
  for (const Mode& m : modes) {
    std::vector<double> times;
    uint64_t blocks = 0, out_bytes = 0, entries = 0;
    std::string backend = "pread";
    for (int it = 0; it < iters + 1; ++it) {  // first iteration warms the cache
      blocks = out_bytes = entries = 0;
      auto t0 = std::chrono::steady_clock::now();
      if (m.source) {
        BlockSourceOptions o;
        o.use_io_uring = m.uring;
        o.o_direct = m.direct;
        o.read_size = read_kb << 10;
        o.queue_depth = qd;
        o.decode = m.decode;
        auto src = BlockSource::Open(ptrs, o);
        if (!src.ok()) {
          std::printf("%-32s skipped: %s\n", m.name, src.status().ToString().c_str());
          break;
        }
        backend = (*src)->backend();
        SourceBlock b;
        bool done = false;
        while (true) {
          Status s = (*src)->Next(&b, &done);
          if (!s.ok()) {
            std::fprintf(stderr, "%s\n", s.ToString().c_str());
            return 1;
          }
          if (done) break;
          ++blocks;
          out_bytes += m.decode ? b.contents.size() : b.raw.size();
          if (m.entries) {
            DataBlockIter it(b.contents, ptrs[b.file_index]->block_context(b.block_index));
            for (it.SeekToFirst(); it.Valid(); it.Next()) ++entries;
            if (!it.status().ok()) {
              std::fprintf(stderr, "%s\n", it.status().ToString().c_str());
              return 1;
            }
          }
        }
      } else {
        for (const SstFile* f : ptrs) {
          for (size_t i = 0; i < f->num_data_blocks(); ++i) {
            auto b = f->ReadDataBlock(i);
            if (!b.ok()) {
              std::fprintf(stderr, "%s\n", b.status().ToString().c_str());
              return 1;
            }
            ++blocks;
            out_bytes += b->data.size();
          }
        }
      }
      if (it > 0) times.push_back(Seconds(t0));
    }
    if (times.empty()) continue;
    std::sort(times.begin(), times.end());
    const double med = times[times.size() / 2];
    std::printf(
        "%-32s backend=%-8s blocks=%lu median=%.3fs  stored %.0f MB/s  uncompressed %.0f MB/s  "
        "(min %.3fs max %.3fs)\n",
        m.name, backend.c_str(), static_cast<unsigned long>(blocks), med, stored / 1e6 / med,
        out_bytes / 1e6 / med, times.front(), times.back());
    if (entries > 0) {
      std::printf("%-32s entries=%lu  %.1f M entries/s\n", "", static_cast<unsigned long>(entries),
                  entries / 1e6 / med);
    }
  }
  return 0;
}
