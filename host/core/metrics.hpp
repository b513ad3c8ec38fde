// Internal header: host-wide counters, cheap enough for the hot path (relaxed atomics).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace gamehost::core {

struct Metrics {
  static constexpr std::size_t kCodes = 32;  // host error codes; plugin codes count as 0

  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> connections_closed{0};
  std::atomic<std::uint64_t> frames_in{0};
  std::array<std::atomic<std::uint64_t>, kCodes> errors_by_code{};

  void count_error(std::uint32_t code) noexcept {
    errors_by_code[code < kCodes ? code : 0].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t errors(std::uint32_t code) const noexcept {
    return errors_by_code[code < kCodes ? code : 0].load(std::memory_order_relaxed);
  }
};

}  // namespace gamehost::core
