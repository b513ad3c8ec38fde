// Internal header: names the calling thread, so `top -H`, `perf` and gdb show which of the
// host's threads is which (network, worker, control...).
#pragma once

#include <string>

namespace gamehost::core {

// Linux keeps at most 15 characters; a longer name is cut. Never fails loudly: a thread
// without a name works the same.
void name_this_thread(const std::string& name) noexcept;

}  // namespace gamehost::core
