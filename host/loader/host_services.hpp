// Internal header: the host services plugins look up by name (abi.h), as C functions.
#pragma once

#include <string_view>

namespace gamehost::plugins {

// gh_host_api.get_proc: the service called `name`, or nullptr. Thread-safe.
void* host_get_proc(const char* name) noexcept;

}  // namespace gamehost::plugins
