#include "storage/snowflake.hpp"

namespace gamehost::storage {

Snowflake::Snowflake(std::uint32_t node_id, std::uint64_t max_step_back_ms, Clock clock,
                     Sleep sleep, OnStepBack on_step_back)
    : node_(node_id & kMaxNode),
      max_step_back_ms_(max_step_back_ms),
      clock_(std::move(clock)),
      sleep_(std::move(sleep)),
      on_step_back_(std::move(on_step_back)) {}

void Snowflake::resume_after(std::uint64_t ms) {
  std::lock_guard lock(mutex_);
  if (ms < last_ms_) return;
  last_ms_ = ms;
  sequence_ = 0xfff;  // that millisecond counts as used up
}

std::uint64_t Snowflake::last_ms() const {
  std::lock_guard lock(mutex_);
  return last_ms_;
}

std::optional<std::uint64_t> Snowflake::next() {
  std::lock_guard lock(mutex_);
  auto now = clock_();
  if (now < last_ms_) {
    // The wall clock stepped backwards (NTP, an operator): an id from "earlier" could
    // repeat one already given. Wait a small step out; refuse a large one.
    const auto back = last_ms_ - now;
    if (back > max_step_back_ms_) {
      on_step_back_(back, false);
      return std::nullopt;
    }
    on_step_back_(back, true);
    while (now < last_ms_) {
      sleep_(last_ms_ - now);
      now = clock_();
    }
  }
  if (now == last_ms_) {
    sequence_ = (sequence_ + 1) & 0xfff;
    if (sequence_ == 0) {
      // 4096 ids in this millisecond already: take the next one.
      while (now <= last_ms_) {
        sleep_(0);
        now = clock_();
      }
    }
  } else {
    sequence_ = 0;
  }
  last_ms_ = now;
  return (now - kEpochMs) << 22 | node_ << 12 | sequence_;
}

}  // namespace gamehost::storage
