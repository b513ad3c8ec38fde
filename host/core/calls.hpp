// Internal header: inter-plugin calls waiting for their reply.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/endpoint.hpp"

namespace gamehost::core {

// Thread-safe.
class Calls {
 public:
  struct Pending {
    std::weak_ptr<Endpoint> caller;
    std::uint64_t cookie = 0;
    std::uint64_t timer = 0;  // the timeout's timer id
  };

  std::uint64_t begin(std::weak_ptr<Endpoint> caller, std::uint64_t cookie) {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    pending_[id] = Pending{std::move(caller), cookie, 0};
    return id;
  }
  void set_timer(std::uint64_t id, std::uint64_t timer) {
    std::lock_guard lock(mutex_);
    const auto it = pending_.find(id);
    if (it != pending_.end()) it->second.timer = timer;
  }
  // Takes the call out (reply, timeout or failure); nullopt if it was already finished.
  std::optional<Pending> finish(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    const auto it = pending_.find(id);
    if (it == pending_.end()) return std::nullopt;
    auto out = std::move(it->second);
    pending_.erase(it);
    return out;
  }

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Pending> pending_;
};

}  // namespace gamehost::core
