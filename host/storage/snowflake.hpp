// Internal header: snowflake ids - 41 bits of milliseconds since 2020-01-01 UTC, 10 bits of
// node id, 12 bits of sequence - unique across the nodes of one deployment as long as each
// node has its own [server] node_id. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace gamehost::storage {

class Snowflake {
 public:
  static constexpr std::uint64_t kEpochMs = 1'577'836'800'000;  // 2020-01-01T00:00:00Z
  static constexpr std::uint32_t kMaxNode = 1023;

  using Clock = std::function<std::uint64_t()>;  // Unix ms
  using Sleep = std::function<void(std::uint64_t ms)>;
  // What happened when the clock stepped back (for the log): how far, and whether waited.
  using OnStepBack = std::function<void(std::uint64_t back_ms, bool waited)>;

  Snowflake(std::uint32_t node_id, std::uint64_t max_step_back_ms, Clock clock, Sleep sleep,
            OnStepBack on_step_back);

  // A new id; nothing when the clock went back further than max_step_back_ms (refused).
  std::optional<std::uint64_t> next();
  // No id at or before `ms` will be given (a restart resuming where the last run stopped:
  // a clock that is now behind it counts as a step back).
  void resume_after(std::uint64_t ms);
  // The millisecond of the newest id given (0: none yet).
  std::uint64_t last_ms() const;

  static std::uint64_t time_of(std::uint64_t id) noexcept { return (id >> 22) + kEpochMs; }
  static std::uint32_t node_of(std::uint64_t id) noexcept { return (id >> 12) & kMaxNode; }

 private:
  const std::uint64_t node_;
  const std::uint64_t max_step_back_ms_;
  Clock clock_;
  Sleep sleep_;
  OnStepBack on_step_back_;
  mutable std::mutex mutex_;
  std::uint64_t last_ms_ = 0;   // guarded by mutex_
  std::uint64_t sequence_ = 0;  // guarded by mutex_
};

}  // namespace gamehost::storage
