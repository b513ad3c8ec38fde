// A fixed-size log-linear latency histogram (the HdrHistogram idea, written small).
//
// Why a histogram and not sorted samples: a saturated run records tens of millions of
// latencies; a histogram records each in O(1) into ~15 KB, merges across worker threads by
// adding counts, and never allocates on the hot path.
//
// Layout: values below 2^(kSubBits+1) ns get one bucket each (exact). Above that, every
// power of two is split into 2^kSubBits equal buckets, so any reported percentile is within
// 1/2^kSubBits (about 3%) of the true value. Percentiles report a bucket's upper bound
// (never optimistic), clamped to the exact maximum seen.
#pragma once

#include <cstdint>
#include <vector>

namespace gamehost::loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void record(std::uint64_t ns);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
  }
  // q in [0, 1]; 0 when nothing was recorded.
  std::uint64_t percentile(double q) const;

 private:
  static constexpr int kSubBits = 5;
  static constexpr int kSubBuckets = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits + 1) * kSubBuckets;

  static int bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_upper(int index);

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  // Sum of all samples for the mean; 2^64 ns is 584 years of summed latency.
  std::uint64_t sum_ = 0;
};

}  // namespace gamehost::loadgen
