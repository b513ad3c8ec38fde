// Internal header: fitting the process's open-file limit to the connections it admits.
#pragma once

#include <cstdint>

namespace gamehost::core {

// File descriptors the host keeps besides its connections: listeners, epoll and event fds,
// the database, the log, plugin files, the admin API's connections.
inline constexpr std::uint64_t kReservedFiles = 1024;

// At start: raises the soft open-file limit to the hard one (each connection is one file
// descriptor, and the default soft limit, often 1024, would refuse connections long before
// max_connections), then warns when max_connections + kReservedFiles is still above it.
// Logs what it did; never fails the start.
void fit_open_file_limit(std::uint64_t max_connections) noexcept;

}  // namespace gamehost::core
