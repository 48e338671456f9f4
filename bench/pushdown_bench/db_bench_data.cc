#include "bench/pushdown_bench/db_bench_data.h"

#include <algorithm>

namespace pushdown::bench {

std::string DbBenchKey(uint64_t k, int key_size) {
  std::string key(static_cast<size_t>(key_size), '0');
  const int bytes = std::min(key_size, 8);
  for (int i = 0; i < bytes; ++i) {
    key[static_cast<size_t>(i)] = static_cast<char>((k >> (8 * (bytes - 1 - i))) & 0xff);
  }
  return key;
}

ValueGenerator::ValueGenerator(double compression_ratio, uint64_t seed) {
  std::mt19937_64 rng(seed);
  constexpr size_t kBuffer = 1048576;
  constexpr size_t kPiece = 100;
  size_t raw = static_cast<size_t>(compression_ratio * kPiece);
  raw = std::clamp<size_t>(raw, 1, kPiece);
  while (data_.size() < kBuffer) {
    std::string piece;
    for (size_t i = 0; i < raw; ++i) piece.push_back(static_cast<char>(' ' + rng() % 95));
    std::string out;
    while (out.size() < kPiece) out.append(piece);
    out.resize(kPiece);
    data_.append(out);
  }
}

std::string_view ValueGenerator::Generate(size_t len) {
  if (pos_ + len > data_.size()) pos_ = 0;
  pos_ += len;
  return std::string_view(data_).substr(pos_ - len, len);
}

}  // namespace pushdown::bench
