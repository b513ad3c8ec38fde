// Internal header: what a plugin slot counts for operators (admin API, /metrics). Lives as
// long as the slot, across live reloads. Thread-safe: every counter is an atomic.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace gamehost::plugins {

class PluginStats {
 public:
  std::uint64_t messages_handled() const noexcept {
    return handled_.load(std::memory_order_relaxed);
  }
  void count_handled() noexcept { handled_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t handler_failures() const noexcept {
    return failures_.load(std::memory_order_relaxed);
  }
  void count_failure() noexcept { failures_.fetch_add(1, std::memory_order_relaxed); }
  // Frames the plugin sent to clients (a broadcast counts once per recipient).
  std::uint64_t messages_out() const noexcept { return sent_.load(std::memory_order_relaxed); }
  void count_sent(std::uint64_t n) noexcept { sent_.fetch_add(n, std::memory_order_relaxed); }
  // Events not delivered because the plugin's queue was full.
  std::uint64_t events_dropped() const noexcept {
    return events_dropped_.load(std::memory_order_relaxed);
  }
  void count_event_dropped() noexcept { events_dropped_.fetch_add(1, std::memory_order_relaxed); }

  // Message handler time: cumulative counts per upper bound (Prometheus histogram buckets).
  static constexpr std::array<double, 10> kHandlerBucketsSeconds = {1e-5, 5e-5, 1e-4, 5e-4, 1e-3,
                                                                    5e-3, 1e-2, 5e-2, 1e-1, 1.0};
  using Histogram = std::array<std::uint64_t, kHandlerBucketsSeconds.size() + 1>;
  Histogram handler_histogram() const;
  double handler_seconds_total() const noexcept {
    return static_cast<double>(handler_ns_.load(std::memory_order_relaxed)) / 1e9;
  }
  void record_handler_time(std::chrono::steady_clock::duration took) noexcept;

  // Storage statements the plugin ran, how many failed, and their time.
  struct DbCounters {
    std::atomic<std::uint64_t> statements{0};
    std::atomic<std::uint64_t> failures{0};
    std::atomic<std::uint64_t> nanoseconds{0};
  };
  DbCounters& db() noexcept { return db_; }
  const DbCounters& db() const noexcept { return db_; }

  // The outcome of the last reload attempt.
  struct ReloadRecord {
    bool attempted = false;
    bool ok = false;
    std::string detail;  // "1.0.0 -> 2.0.0" or the refusal reason
    std::uint64_t pause_us = 0;
    std::uint64_t at_ms = 0;
  };
  ReloadRecord last_reload() const;
  void record_reload(ReloadRecord record);

 private:
  std::atomic<std::uint64_t> handled_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> events_dropped_{0};
  std::atomic<std::uint64_t> handler_ns_{0};
  std::array<std::atomic<std::uint64_t>, kHandlerBucketsSeconds.size() + 1>
      handler_buckets_{};  // not cumulative
  DbCounters db_;
  mutable std::mutex record_mutex_;
  ReloadRecord last_reload_;  // guarded by record_mutex_
};

}  // namespace gamehost::plugins
