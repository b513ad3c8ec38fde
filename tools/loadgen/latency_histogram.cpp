#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gamehost::loadgen {

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::bucket_of(std::uint64_t ns) {
  const int msb = static_cast<int>(std::bit_width(ns)) - 1;  // -1 for 0
  if (msb <= kSubBits) return static_cast<int>(ns);          // exact region: ns < 64
  // Keep the top kSubBits+1 bits: `top` is in [2^kSubBits, 2^(kSubBits+1)).
  const int shift = msb - kSubBits;
  const auto top = static_cast<int>(ns >> shift);
  return shift * kSubBuckets + top;
}

std::uint64_t LatencyHistogram::bucket_upper(int index) {
  if (index < 2 * kSubBuckets) return static_cast<std::uint64_t>(index);
  const int shift = index / kSubBuckets - 1;
  const auto top = static_cast<std::uint64_t>(index - shift * kSubBuckets);
  if (top + 1 == (std::uint64_t{1} << (kSubBits + 1)) && shift + kSubBits + 1 >= 64) {
    return UINT64_MAX;  // the very last bucket would overflow the shift below
  }
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(std::uint64_t ns) {
  ++counts_[bucket_of(ns)];
  ++count_;
  sum_ += ns;
  max_ = std::max(max_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucket_upper(i), max_);
  }
  return max_;
}

}  // namespace gamehost::loadgen
