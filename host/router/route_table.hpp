// Internal header: which plugin build a client message goes to - the owner of its id, or,
// during a drain reload, the old build when the session plays in one of the old build's
// keys. The table is immutable once built and swapped whole, so a network thread holds the
// lock only to copy the pointer, and looks ids up in its copy while plugins load.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "session/session.hpp"

#include "exec/adaptive_mutex.hpp"

namespace gamehost::plugins {
class PluginInstance;
}

namespace gamehost::router {

class RouteTable {
 public:
  struct Route {
    std::uint32_t first;
    std::uint32_t last;
    std::shared_ptr<plugins::PluginInstance> plugin;
    // The build a drain reload replaced, while it finishes its keys; else null.
    std::shared_ptr<plugins::PluginInstance> draining = nullptr;
  };

  RouteTable() = default;
  // Ranges must not overlap (the loader guarantees it).
  explicit RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
    std::sort(routes_.begin(), routes_.end(),
              [](const Route& a, const Route& b) { return a.first < b.first; });
  }

  // The owner of `id`, or nullptr. A flat sorted array and a binary search.
  const std::shared_ptr<plugins::PluginInstance>* find(std::uint32_t id) const noexcept {
    const auto* r = route(id);
    return r != nullptr ? &r->plugin : nullptr;
  }
  // Where a message of `session` with `id` goes: the draining build when the session is
  // bound to one of its keys, else the owner; nullptr when no plugin owns the id.
  const std::shared_ptr<plugins::PluginInstance>* find(std::uint32_t id,
                                                       session::SessionId session) const;
  std::size_t size() const noexcept { return routes_.size(); }

 private:
  const Route* route(std::uint32_t id) const noexcept {
    auto it = std::upper_bound(routes_.begin(), routes_.end(), id,
                               [](std::uint32_t v, const Route& r) { return v < r.first; });
    if (it == routes_.begin()) return nullptr;
    --it;
    return id <= it->last ? &*it : nullptr;
  }

  std::vector<Route> routes_;
};

// Thread-safe holder of the current table. A lock around a shared_ptr copy rather than
// std::atomic<std::shared_ptr>: libstdc++ 12 implements that with a lock bit of its own
// whose reader side unlocks with relaxed order, which ThreadSanitizer rightly reports as a
// race with the next publish; this costs the same (one short critical section per
// lookup) and is plainly correct.
class Routes {
 public:
  Routes() : table_(std::make_shared<const RouteTable>()) {}
  std::shared_ptr<const RouteTable> current() const noexcept {
    std::lock_guard lock(mutex_);
    return table_;
  }
  void publish(std::shared_ptr<const RouteTable> table) noexcept {
    std::lock_guard lock(mutex_);
    table_.swap(table);
    // The old table, perhaps the last reference to an unloaded plugin, is now in `table`:
    // released when the call ends, after the lock.
  }

 private:
  mutable exec::AdaptiveMutex mutex_;
  std::shared_ptr<const RouteTable> table_;
};

}  // namespace gamehost::router
