// One whole load run: spread connections over worker threads, set them all up, start them
// together, measure over the window, stop, and merge what each worker saw.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "options.hpp"
#include "run_stats.hpp"

namespace gamehost::loadgen {

struct RunResult {
  RunStats stats;
  int connections_ready = 0;
  double measured_seconds = 0;  // the wall time of the measurement window as observed
  std::optional<double> server_cpu_percent;
  std::optional<std::uint64_t> server_rss_kib;
  std::optional<double> loadgen_cpu_percent;
};

// Thrown when the run cannot begin at all (the host does not resolve).
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bounded: returns within roughly warmup + duration + 15 s whatever the server does.
RunResult run_load(const Options& options);

}  // namespace gamehost::loadgen
