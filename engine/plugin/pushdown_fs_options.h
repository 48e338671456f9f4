// Options of the pushdown:// file system and the parsing of its URI.
//
// Two spellings reach the same options (see PushdownFileSystem):
//   FileSystem::CreateFromString(cfg, "id=pushdown;device=kernel;queue_depth=64", &fs)
//   --fs_uri=pushdown://device=kernel&io_uring=false      ('&' or ';' between options)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pushdown/device/device_request.h"
#include "util/status.h"

namespace pushdown::engine {

struct PushdownFsOptions {
  static const char* kName() { return "PushdownFsOptions"; }

  // The default device of scans on a DB opened with this file system: the
  // attach API (engine/api/attach.h) reads it through
  // PushdownFileSystem::options() when neither AttachOptions::device nor
  // ScanOptions::device is set. One typed value (exec::DeviceRequest), parsed
  // once from "auto" | "kernel" | "host" | "iterator".
  exec::DeviceRequest device = exec::DeviceRequest::kAuto;
  // Serve MultiRead/ReadAsync of *.sst files through io_uring. When false (or
  // when io_uring_queue_init fails) reads go to the wrapped file system.
  bool io_uring = true;
  // Upper bound on reads in flight per MultiRead and the size of each ring.
  // REQUIRES: 1 <= queue_depth <= kMaxQueueDepth.
  uint32_t queue_depth = 64;
  // Limits of the compiled-program cache of scans on a DB opened with this
  // file system (exec::ProgramCacheOptions; AttachOptions::program_cache, when
  // set to other than its defaults, takes precedence). 0 entries: no caching.
  uint64_t program_cache_entries = 64;
  uint64_t program_cache_bytes = uint64_t{256} << 20;

  static constexpr uint32_t kMaxQueueDepth = 4096;
};

// The scheme prefix of the URI form.
inline constexpr std::string_view kPushdownScheme = "pushdown://";
// The registered id (CreateFromString's "id=pushdown").
inline constexpr std::string_view kPushdownId = "pushdown";
// The class name (PushdownFileSystem::kClassName()), which is the id that
// Customizable::ToString() serializes ("id=PushdownFileSystem;device=auto;...").
// Registered as an id too, so that ToString() -> CreateFromString round-trips.
inline constexpr std::string_view kPushdownClassName = "PushdownFileSystem";

// Splits the part of a URI after "pushdown://" into key/value pairs. Options
// are separated by ';' or '&'; empty segments are skipped. A segment without
// '=' or with an empty key is InvalidArgument. Unknown keys are NOT rejected
// here (the option registry rejects them when they are applied).
// kPushdownId and kPushdownClassName by themselves are no options.
// Anything else is InvalidArgument.
Result<std::vector<std::pair<std::string, std::string>>> ParsePushdownUri(std::string_view uri);

// Renders pairs as a RocksDB options string: "k1=v1;k2=v2".
std::string ToOptionsString(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace pushdown::engine
