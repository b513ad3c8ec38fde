// Reads a process's CPU time and resident memory from /proc (Linux only).
#pragma once

#include <cstdint>
#include <optional>

namespace gamehost::loadgen {

// User + system CPU time in clock ticks (/proc/PID/stat fields 14 and 15); pid 0 = this process.
std::optional<std::uint64_t> read_cpu_ticks(int pid);
// VmRSS from /proc/PID/status, in KiB; pid 0 = this process.
std::optional<std::uint64_t> read_rss_kib(int pid);
// Percent of one core used between two tick readings over `seconds` (200% = two cores busy).
double cpu_percent(std::uint64_t ticks_before, std::uint64_t ticks_after, double seconds);

}  // namespace gamehost::loadgen
