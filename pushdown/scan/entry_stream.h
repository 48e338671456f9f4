// The scan's unit of input: a per-file stream of filtered entries, in internal
// key order (user key ascending by bytes, then sequence number descending).
//
// A stream is what a device (or the host reference path) hands back for one
// SST file: every entry the LSM merge needs to stay exact, and values only for
// entries that passed the device predicate.
//   kMatched  a Value entry whose value passed the device predicate (value set)
//   kShadow   a Value entry that failed it: key only. It still hides every
//             older version of its user key.
//   kNotValue any other entry type (Deletion, SingleDeletion, ...): key only.
// A stream that omits shadows (see NeedsShadows in shadow_policy.h) must only
// do so when no omitted entry can hide anything.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/status.h"

namespace pushdown::exec {

// Same numbering as bpfgen::abi::EntryClass.
enum class EntryClass : uint8_t {
  kMatched = 1,
  kShadow = 2,
  kNotValue = 3,
};

// RocksDB value types found in data blocks (db/dbformat.h).
namespace value_type {
inline constexpr uint8_t kDeletion = 0x0;
inline constexpr uint8_t kValue = 0x1;
inline constexpr uint8_t kMerge = 0x2;
inline constexpr uint8_t kSingleDeletion = 0x7;
inline constexpr uint8_t kRangeDeletion = 0xF;
inline constexpr uint8_t kBlobIndex = 0x11;
inline constexpr uint8_t kDeletionWithTimestamp = 0x14;
inline constexpr uint8_t kWideColumnEntity = 0x16;
}  // namespace value_type

inline constexpr uint64_t kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

struct FilteredEntry {
  std::string_view user_key;
  uint64_t seq = 0;
  uint8_t type = value_type::kDeletion;
  EntryClass cls = EntryClass::kNotValue;
  std::string_view value;  // kMatched only; empty otherwise
};

// Splits an internal key (user key || fixed64 LE (seq << 8 | type)) into
// entry->user_key/seq/type. Returns false if it is shorter than 8 bytes.
bool DecodeFilteredKey(std::string_view internal_key, FilteredEntry* entry);

// Abstract sorted per-file stream, LevelDB-iterator style: it carries its
// error instead of returning it; after an error Valid() is false and status()
// says why.
class EntryStream {
 public:
  virtual ~EntryStream() = default;

  // Positions at the first entry (may do I/O).
  virtual void SeekToFirst() = 0;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid(). The views stay valid until the next Next()/SeekToFirst().
  virtual const FilteredEntry& entry() const = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // OK unless the stream stopped early on an error.
  virtual Status status() const = 0;
  // For error messages: usually the file path.
  virtual std::string_view name() const = 0;
};

}  // namespace pushdown::exec
