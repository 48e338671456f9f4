// Builds RocksDB-format data block contents (entries + restart array) in tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/coding.h"

namespace pushdown::exec::testing {

inline std::string InternalKey(std::string_view user_key, uint64_t seq, uint8_t type) {
  std::string k(user_key);
  PutFixed64(&k, (seq << 8) | type);
  return k;
}

class TestBlockBuilder {
 public:
  explicit TestBlockBuilder(int restart_interval = 16) : interval_(restart_interval) {}
  void Add(std::string_view internal_key, std::string_view value) {
    size_t shared = 0;
    if (count_ % interval_ == 0) {
      restarts_.push_back(static_cast<uint32_t>(buf_.size()));
    } else {
      while (shared < last_.size() && shared < internal_key.size() &&
             last_[shared] == internal_key[shared])
        ++shared;
    }
    PutVarint32(&buf_, static_cast<uint32_t>(shared));
    PutVarint32(&buf_, static_cast<uint32_t>(internal_key.size() - shared));
    PutVarint32(&buf_, static_cast<uint32_t>(value.size()));
    buf_.append(internal_key.substr(shared));
    buf_.append(value);
    last_.assign(internal_key);
    ++count_;
  }
  std::string Finish() {
    if (restarts_.empty()) restarts_.push_back(0);
    std::string out = buf_;
    for (uint32_t r : restarts_) PutFixed32(&out, r);
    PutFixed32(&out, static_cast<uint32_t>(restarts_.size()));
    return out;
  }
  size_t size_estimate() const { return buf_.size() + 4 * restarts_.size() + 4; }

 private:
  int interval_;
  int count_ = 0;
  std::string buf_, last_;
  std::vector<uint32_t> restarts_;
};

}  // namespace pushdown::exec::testing
