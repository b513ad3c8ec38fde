// Internal to the auth plugin: counts failed logins per key (an account or an address) in
// a sliding window of the host clock. Thread-safe: login handlers run on keyed lanes in
// parallel, so every method takes the limiter's own mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gh_auth {

class FailureLimiter {
 public:
  // At most `max_failures` failures per key within `window_ms`; the next attempt is refused.
  FailureLimiter(std::uint32_t max_failures, std::uint64_t window_ms);

  // True when `key` has max_failures failures in the window ending at now_ms.
  bool blocked(const std::string& key, std::uint64_t now_ms);
  void record_failure(const std::string& key, std::uint64_t now_ms);
  // A success forgives the key's failures.
  void clear(const std::string& key);
  // Forgets keys whose failures all left the window (called from a timer; bounds memory).
  void prune(std::uint64_t now_ms);
  std::size_t tracked_keys();

 private:
  // Drops the failures that left the window; the deque holds at most max_failures_ times.
  void expire(std::deque<std::uint64_t>& times, std::uint64_t now_ms) const;

  const std::uint32_t max_failures_;
  const std::uint64_t window_ms_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::uint64_t>> failures_;
};

}  // namespace gh_auth
