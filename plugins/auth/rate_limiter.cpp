#include "rate_limiter.hpp"

namespace gh_auth {

FailureLimiter::FailureLimiter(std::uint32_t max_failures, std::uint64_t window_ms)
    : max_failures_(max_failures), window_ms_(window_ms) {}

void FailureLimiter::expire(std::deque<std::uint64_t>& times, std::uint64_t now_ms) const {
  while (!times.empty() && times.front() + window_ms_ <= now_ms) times.pop_front();
}

bool FailureLimiter::blocked(const std::string& key, std::uint64_t now_ms) {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  expire(it->second, now_ms);
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return it->second.size() >= max_failures_;
}

void FailureLimiter::record_failure(const std::string& key, std::uint64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto& times = failures_[key];
  expire(times, now_ms);
  times.push_back(now_ms);
  // Only the newest max_failures_ matter to blocked(): older ones leave the window first.
  while (times.size() > max_failures_) times.pop_front();
}

void FailureLimiter::clear(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

void FailureLimiter::prune(std::uint64_t now_ms) {
  std::lock_guard lock(mutex_);
  for (auto it = failures_.begin(); it != failures_.end();) {
    expire(it->second, now_ms);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
}

std::size_t FailureLimiter::tracked_keys() {
  std::lock_guard lock(mutex_);
  return failures_.size();
}

}  // namespace gh_auth
