#include "engine/plugin/sst_registry.h"

namespace pushdown::engine {

bool IsSstFile(std::string_view path) {
  constexpr std::string_view kSuffix = ".sst";
  return path.size() > kSuffix.size() && path.substr(path.size() - kSuffix.size()) == kSuffix;
}

std::string NormalizePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

SstFileInfo& SstRegistry::EntryNoLock(std::string_view path) {
  std::string key = NormalizePath(path);
  auto it = files_.find(key);
  if (it == files_.end()) {
    it = files_.emplace(key, SstFileInfo{}).first;
    it->second.path = key;
  }
  return it->second;
}

void SstRegistry::OnCreated(std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  SstFileInfo& info = EntryNoLock(path);
  info.size = 0;
  info.complete = false;
  ++info.open_writers;
}

void SstRegistry::OnWriterClosed(std::string_view path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  SstFileInfo& info = EntryNoLock(path);
  info.size = size;
  info.complete = true;
  if (info.open_writers > 0) {
    --info.open_writers;
  }
}

void SstRegistry::OnOpenedForRead(std::string_view path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  SstFileInfo& info = EntryNoLock(path);
  info.size = size;
  info.complete = true;
  ++info.open_readers;
}

void SstRegistry::OnReaderClosed(std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(NormalizePath(path));
  if (it != files_.end() && it->second.open_readers > 0) {
    --it->second.open_readers;
  }
}

void SstRegistry::OnDeleted(std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(NormalizePath(path));
}

void SstRegistry::OnRenamed(std::string_view from, std::string_view to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(NormalizePath(from));
  if (it == files_.end()) {
    return;
  }
  SstFileInfo info = it->second;
  files_.erase(it);
  info.path = NormalizePath(to);
  files_[info.path] = info;
}

std::optional<SstFileInfo> SstRegistry::Find(std::string_view path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(NormalizePath(path));
  if (it == files_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<SstFileInfo> SstRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SstFileInfo> out;
  out.reserve(files_.size());
  for (const auto& [path, info] : files_) {
    out.push_back(info);
  }
  return out;
}

size_t SstRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.size();
}

}  // namespace pushdown::engine
