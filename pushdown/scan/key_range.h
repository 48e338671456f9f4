// KeyRange: the user-key bounds of a scan, with the semantics of RocksDB's
// ReadOptions::iterate_lower_bound (inclusive) and iterate_upper_bound
// (exclusive), compared bytewise (the scan path only reads files written with
// leveldb.BytewiseComparator; others are NotSupported before any bound is
// looked at).
//
//   lower  unset = unbounded below; set = keys >= *lower
//   upper  unset = unbounded above; set = keys <  *upper
//   lower >= upper: the range is empty (the scan yields nothing and opens no
//   file), as a RocksDB iterator with those bounds yields nothing.
//
// A key prefix P is the range [P, PrefixSuccessor(P)): every key starting with
// P and no other. PrefixSuccessor of "" or of an all-0xff prefix has no
// successor: the range is then unbounded above.
//
// Where the bounds are applied (see ScanExecutor):
//   - files whose known user-key range lies outside are not opened;
//   - inside a file, the index selects the data blocks that can hold keys in
//     the range (SstFile::DataBlocksInRange) and no other block is read;
//   - entries outside the range inside those blocks (the first and last block
//     of a file, which the device filters whole) are cut by the merge
//     (LsmMergeCursor), so they never become rows and never hide anything
//     inside the range.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pushdown::exec {

struct KeyRange {
  std::optional<std::string> lower;  // inclusive
  std::optional<std::string> upper;  // exclusive

  bool unbounded() const { return !lower && !upper; }
  bool empty() const { return lower && upper && *lower >= *upper; }
  bool BelowLower(std::string_view key) const { return lower && key < *lower; }
  bool AtOrAboveUpper(std::string_view key) const { return upper && key >= *upper; }
  bool Contains(std::string_view key) const { return !BelowLower(key) && !AtOrAboveUpper(key); }
  // True when no key of [smallest, largest] is in the range (REQUIRES:
  // smallest <= largest; an empty range excludes everything).
  bool Excludes(std::string_view smallest, std::string_view largest) const {
    return empty() || BelowLower(largest) || AtOrAboveUpper(smallest);
  }
};

// The smallest key greater than every key that starts with `prefix`: the
// prefix with its trailing 0xff bytes dropped and its last byte incremented.
// nullopt for "" and for all-0xff prefixes (nothing is greater; unbounded).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

// [prefix, PrefixSuccessor(prefix)).
KeyRange PrefixRange(std::string_view prefix);

}  // namespace pushdown::exec
