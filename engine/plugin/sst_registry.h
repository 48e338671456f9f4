// The SST files of the DB that the pushdown file system has seen: created by
// a writer, or opened for random reads. The scan path (pushdown/scan) looks
// files up here by path; it reads them with its own descriptors, so the
// registry stores facts (size, whether complete, who has it open), not fds.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pushdown::engine {

// True for RocksDB table files ("....sst").
bool IsSstFile(std::string_view path);

// Collapses repeated '/' so "db//000012.sst" and "db/000012.sst" agree.
std::string NormalizePath(std::string_view path);

struct SstFileInfo {
  std::string path;           // normalized
  uint64_t size = 0;          // bytes; 0 while a writer has not closed it
  bool complete = false;      // a writer closed it, or it was opened for reading
  uint32_t open_readers = 0;  // random-access handles open through the plugin
  uint32_t open_writers = 0;  // writable handles open through the plugin
};

// Thread-safe. Every method takes mu_.
class SstRegistry {
 public:
  void OnCreated(std::string_view path);
  void OnWriterClosed(std::string_view path, uint64_t size);
  void OnOpenedForRead(std::string_view path, uint64_t size);
  void OnReaderClosed(std::string_view path);
  void OnDeleted(std::string_view path);
  void OnRenamed(std::string_view from, std::string_view to);

  std::optional<SstFileInfo> Find(std::string_view path) const;
  // All known files, sorted by path.
  std::vector<SstFileInfo> List() const;
  size_t size() const;

 private:
  SstFileInfo& EntryNoLock(std::string_view path);  // must hold mu_

  mutable std::mutex mu_;
  std::map<std::string, SstFileInfo, std::less<>> files_;  // guarded by mu_
};

}  // namespace pushdown::engine
