// Internal to the auth plugin: counts failed logins per key (an account or an address) in
// a sliding window of the host clock. Used only on the plugin's queue: no lock.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gh_auth {

class FailureLimiter {
 public:
  // At most `max_failures` failures per key within `window_ms`; the next attempt is refused.
  // At most `max_keys` keys are tracked: a new key beyond that first drops the keys whose
  // window has passed, then the key whose latest failure is oldest (memory stays bounded
  // under a flood of distinct keys, at the price of forgetting the stalest one).
  FailureLimiter(std::uint32_t max_failures, std::uint64_t window_ms,
                 std::size_t max_keys = kDefaultMaxKeys);
  static constexpr std::size_t kDefaultMaxKeys = 100'000;

  // An attempt whose outcome is not known yet (its password check runs off the plugin's
  // queue). blocked() counts it as a failure until the token is destroyed, so attempts in
  // flight from many sessions at once cannot go past the limit. Move-only; the limiter
  // must outlive it.
  class Pending {
   public:
    Pending(FailureLimiter& limiter, std::string key);
    Pending(Pending&& other) noexcept;
    Pending& operator=(Pending&&) = delete;
    Pending(const Pending&) = delete;
    Pending& operator=(const Pending&) = delete;
    ~Pending();

   private:
    FailureLimiter* limiter_;
    std::string key_;
  };

  // True when `key` has max_failures failures (pending attempts included) in the window
  // ending at now_ms.
  bool blocked(const std::string& key, std::uint64_t now_ms);
  [[nodiscard]] Pending begin_attempt(const std::string& key) { return Pending(*this, key); }
  void record_failure(const std::string& key, std::uint64_t now_ms);
  // A success forgives the key's failures.
  void clear(const std::string& key);
  // Forgets keys whose failures all left the window (called from a timer; bounds memory).
  void prune(std::uint64_t now_ms);
  std::size_t tracked_keys();

 private:
  // Drops the failures that left the window. A key holds at most max_failures_ times, oldest
  // first, in a vector: a few bytes per key where a deque took a 512-byte block (one key
  // per session for the guest-login limit: memory of every idle session).
  void expire(std::vector<std::uint64_t>& times, std::uint64_t now_ms) const;

  // Makes room for one more key (see the constructor).
  void make_room(std::uint64_t now_ms);

  const std::uint32_t max_failures_;
  const std::uint64_t window_ms_;
  const std::size_t max_keys_;
  std::unordered_map<std::string, std::vector<std::uint64_t>> failures_;
  std::unordered_map<std::string, std::uint32_t> pending_;  // attempts in flight per key
};

}  // namespace gh_auth
