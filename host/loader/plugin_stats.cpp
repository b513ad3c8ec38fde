#include "loader/plugin_stats.hpp"

namespace gamehost::plugins {

void PluginStats::record_handler_time(std::chrono::steady_clock::duration took) noexcept {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
  handler_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
  const double seconds = static_cast<double>(ns) / 1e9;
  std::size_t i = 0;
  while (i < kHandlerBucketsSeconds.size() && seconds > kHandlerBucketsSeconds[i]) ++i;
  handler_buckets_[i].fetch_add(1, std::memory_order_relaxed);
}

PluginStats::Histogram PluginStats::handler_histogram() const {
  Histogram out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    running += handler_buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

PluginStats::ReloadRecord PluginStats::last_reload() const {
  std::lock_guard lock(record_mutex_);
  return last_reload_;
}

void PluginStats::record_reload(ReloadRecord record) {
  std::lock_guard lock(record_mutex_);
  last_reload_ = std::move(record);
}

}  // namespace gamehost::plugins
