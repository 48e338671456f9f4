#include "pushdown/scan/device_aggregation.h"

#include <algorithm>

namespace pushdown::exec {

void DeviceAggregation::Add(uint64_t rows, std::span<const bpfgen::abi::AggAccumulator> acc) {
  std::lock_guard<std::mutex> lock(mu_);
  rows_ += rows;
  if (partials_.empty()) partials_.resize(items_.size());
  const size_t n = std::min(acc.size(), items_.size());
  for (size_t i = 0; i < n; ++i) {
    const bpfgen::abi::AggAccumulator& a = acc[i];
    Partial& p = partials_[i];
    p.count += a.count;
    // (sum_hi:sum_lo) is a 128-bit two's complement value.
    const unsigned __int128 bits =
        (static_cast<unsigned __int128>(static_cast<uint64_t>(a.sum_hi)) << 64) | a.sum_lo;
    p.sum += static_cast<__int128>(bits);
    const bpfgen::AggregateOp op = items_[i];
    if ((op == bpfgen::AggregateOp::kMin || op == bpfgen::AggregateOp::kMax) && a.count > 0) {
      if (!p.best) {
        p.best = a.value;
      } else {
        p.best = op == bpfgen::AggregateOp::kMin ? std::min(*p.best, a.value)
                                                 : std::max(*p.best, a.value);
      }
    }
  }
}

void DeviceAggregation::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  rows_ = 0;
  partials_.clear();
}

uint64_t DeviceAggregation::rows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rows_;
}

std::vector<DeviceAggregation::Partial> DeviceAggregation::partials() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Partial> out = partials_;
  out.resize(items_.size());
  return out;
}

}  // namespace pushdown::exec
