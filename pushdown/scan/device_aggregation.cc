#include "pushdown/scan/device_aggregation.h"

#include <algorithm>

namespace pushdown::exec {

void DeviceAggregation::AddTo(std::span<const bpfgen::abi::AggAccumulator> acc,
                              std::vector<Partial>* out) const {
  if (out->empty()) out->resize(items_.size());
  const size_t n = std::min(acc.size(), items_.size());
  for (size_t i = 0; i < n; ++i) {
    const bpfgen::abi::AggAccumulator& a = acc[i];
    Partial& p = (*out)[i];
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

void DeviceAggregation::Add(uint64_t rows, std::span<const bpfgen::abi::AggAccumulator> acc) {
  std::lock_guard<std::mutex> lock(mu_);
  rows_ += rows;
  AddTo(acc, &partials_);
}

void DeviceAggregation::AddGroup(uint64_t null_mask, std::span<const uint64_t> keys,
                                 std::span<const bpfgen::abi::AggAccumulator> acc) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(null_mask, std::vector<uint64_t>(keys.begin(), keys.end()));
  auto [it, added] = group_index_.emplace(key, groups_.size());
  if (added) groups_.push_back(Group{null_mask, key.second, {}});
  AddTo(acc, &groups_[it->second].partials);
}

void DeviceAggregation::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  rows_ = 0;
  partials_.clear();
  groups_.clear();
  group_index_.clear();
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

namespace pushdown::exec {

std::vector<DeviceAggregation::Group> DeviceAggregation::groups() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Group> out = groups_;
  for (Group& g : out) g.partials.resize(items_.size());
  return out;
}

}  // namespace pushdown::exec
