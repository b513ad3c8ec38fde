// What a load run asks of each of its connections, whatever the scenario: set up in the
// background (reporting to SetupProgress), start together at the window, stop.
#pragma once

#include <atomic>
#include <chrono>

namespace gamehost::loadgen {

using Clock = std::chrono::steady_clock;

// Shared by every client of a run; the measurement window is [measure_start, measure_end).
struct RunWindow {
  Clock::time_point load_start;
  Clock::time_point measure_start;
  Clock::time_point measure_end;
};

// How many clients have finished setting up, either way; read by the main thread.
struct SetupProgress {
  std::atomic<int> ready{0};
  std::atomic<int> failed{0};
};

class RunClient {
 public:
  virtual ~RunClient() = default;
  // Starts connecting in the background; reports the outcome in SetupProgress.
  virtual void launch() = 0;
  // Starts the measured load at window.load_start; it ends by itself at window.measure_end.
  virtual void start(const RunWindow& window) = 0;
  // Ends the connection now, whatever state it is in.
  virtual void stop() = 0;
};

}  // namespace gamehost::loadgen
