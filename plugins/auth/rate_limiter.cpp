#include "rate_limiter.hpp"

#include <algorithm>
#include <utility>

namespace gh_auth {

FailureLimiter::FailureLimiter(std::uint32_t max_failures, std::uint64_t window_ms,
                               std::size_t max_keys)
    : max_failures_(max_failures),
      window_ms_(window_ms),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

void FailureLimiter::make_room(std::uint64_t now_ms) {
  if (failures_.size() < max_keys_) return;
  prune(now_ms);
  if (failures_.size() < max_keys_) return;
  auto stalest = failures_.begin();
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (it->second.back() < stalest->second.back()) stalest = it;
  }
  failures_.erase(stalest);
}

void FailureLimiter::expire(std::vector<std::uint64_t>& times, std::uint64_t now_ms) const {
  const auto live = std::find_if(times.begin(), times.end(),
                                 [&](std::uint64_t t) { return t + window_ms_ > now_ms; });
  times.erase(times.begin(), live);
}

FailureLimiter::Pending::Pending(FailureLimiter& limiter, std::string key)
    : limiter_(&limiter), key_(std::move(key)) {
  ++limiter_->pending_[key_];
}

FailureLimiter::Pending::Pending(Pending&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), key_(std::move(other.key_)) {}

FailureLimiter::Pending::~Pending() {
  if (limiter_ == nullptr) return;
  const auto it = limiter_->pending_.find(key_);
  if (it != limiter_->pending_.end() && --it->second == 0) limiter_->pending_.erase(it);
}

bool FailureLimiter::blocked(const std::string& key, std::uint64_t now_ms) {
  std::size_t count = 0;
  if (const auto pending = pending_.find(key); pending != pending_.end()) count = pending->second;
  const auto it = failures_.find(key);
  if (it != failures_.end()) {
    expire(it->second, now_ms);
    if (it->second.empty()) {
      failures_.erase(it);
    } else {
      count += it->second.size();
    }
  }
  return count >= max_failures_;
}

void FailureLimiter::record_failure(const std::string& key, std::uint64_t now_ms) {
  if (!failures_.contains(key)) make_room(now_ms);
  auto& times = failures_[key];
  expire(times, now_ms);
  times.push_back(now_ms);
  // Only the newest max_failures_ matter to blocked(): older ones leave the window first.
  if (times.size() > max_failures_) times.erase(times.begin(), times.end() - max_failures_);
}

void FailureLimiter::clear(const std::string& key) {
  failures_.erase(key);
}

void FailureLimiter::prune(std::uint64_t now_ms) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    expire(it->second, now_ms);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
}

std::size_t FailureLimiter::tracked_keys() {
  return failures_.size();
}

}  // namespace gh_auth
