// Internal header: a per-session message rate limit. Not thread-safe (one per connection,
// used on its strand).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace gamehost::net {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, double burst)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(Clock::now()) {}

  // Takes one token; false when the bucket is empty (the message is over the rate).
  bool try_take(Clock::time_point now = Clock::now()) noexcept {
    const std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace gamehost::net
