// Internal header: which plugin owns a message id. The table is immutable once built and
// swapped atomically, so network threads look ids up without locks while plugins load.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

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
  };

  RouteTable() = default;
  // Ranges must not overlap (the loader guarantees it).
  explicit RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
    std::sort(routes_.begin(), routes_.end(),
              [](const Route& a, const Route& b) { return a.first < b.first; });
  }

  // The owner of `id`, or nullptr. A flat sorted array and a binary search.
  const std::shared_ptr<plugins::PluginInstance>* find(std::uint32_t id) const noexcept {
    auto it = std::upper_bound(routes_.begin(), routes_.end(), id,
                               [](std::uint32_t v, const Route& r) { return v < r.first; });
    if (it == routes_.begin()) return nullptr;
    --it;
    return id <= it->last ? &it->plugin : nullptr;
  }
  std::size_t size() const noexcept { return routes_.size(); }

 private:
  std::vector<Route> routes_;
};

// Thread-safe holder of the current table.
class Routes {
 public:
  Routes() : table_(std::make_shared<const RouteTable>()) {}
  std::shared_ptr<const RouteTable> current() const noexcept {
    return table_.load(std::memory_order_acquire);
  }
  void publish(std::shared_ptr<const RouteTable> table) noexcept {
    table_.store(std::move(table), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const RouteTable>> table_;
};

}  // namespace gamehost::router
