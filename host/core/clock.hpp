// Internal header: the host's wall clock, for components that need only the time.
#pragma once

#include <cstdint>

namespace gamehost::core {

// Wall clock, Unix milliseconds.
std::uint64_t now_ms() noexcept;

}  // namespace gamehost::core
