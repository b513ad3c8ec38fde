// What one worker thread counts. Each worker owns its own copy (no atomics on the hot path);
// the run merges them after the workers have stopped.
#pragma once

#include <cstdint>
#include <string>

#include "latency_histogram.hpp"

namespace gamehost::loadgen {

struct RunStats {
  // Inside the measurement window only.
  std::uint64_t sent = 0;
  std::uint64_t received = 0;  // echo replies, or shout deliveries (one per receiving member)
  LatencyHistogram latency;    // nanoseconds, one sample per counted receive
  std::uint64_t games = 0;     // card: games finished (counted once per game)

  // Over the whole run, warm-up included: these should all be zero.
  std::uint64_t error_replies = 0;   // id 2 frames
  std::uint64_t bad_replies = 0;     // a reply whose data is not what was sent
  std::uint64_t other_frames = 0;    // ids the scenario does not expect (ignored)
  std::uint64_t disconnects = 0;     // connections lost before the run ended
  std::uint64_t setup_failures = 0;  // connect, Hello or join that failed or timed out
  std::string first_error;           // the first problem seen, to make the report actionable

  void note_error(std::string text) {
    if (first_error.empty()) first_error = std::move(text);
  }

  void merge(const RunStats& other) {
    sent += other.sent;
    received += other.received;
    latency.merge(other.latency);
    games += other.games;
    error_replies += other.error_replies;
    bad_replies += other.bad_replies;
    other_frames += other.other_frames;
    disconnects += other.disconnects;
    setup_failures += other.setup_failures;
    if (first_error.empty()) first_error = other.first_error;
  }
};

}  // namespace gamehost::loadgen
