// Everything a load run is told on the command line (parsed in main.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gamehost::loadgen {

enum class TransportKind { kTcp, kWs };
enum class Scenario { kEcho, kShout, kCard };

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  TransportKind transport = TransportKind::kTcp;
  Scenario scenario = Scenario::kEcho;
  int connections = 10;
  // Closed loop: each connection keeps this many requests outstanding.
  int pipeline = 1;
  // Open loop when > 0: fixed total messages per second across all connections.
  double rate = 0;
  // Open loop: requests go out on a grid of this period (see LoadClient::send_at_rate).
  int tick_us = 1000;
  // Open loop: connections send at `phases` evenly spaced offsets of the grid instead of
  // all at its points (1 = every connection at once).
  int phases = 1;
  double duration_s = 10;
  double warmup_s = 2;
  std::size_t payload_bytes = 64;
  // Shout: connections are split into groups of this many members.
  int group_size = 10;
  // When > 0, the server's CPU and RSS are read from /proc/<pid>.
  int server_pid = 0;
  // Card: a bot waits this long after its turn starts before acting (0 = at once).
  int think_ms = 0;
  bool json = false;
  int threads = 1;
};

inline const char* to_string(TransportKind t) {
  return t == TransportKind::kTcp ? "tcp" : "ws";
}
inline const char* to_string(Scenario s) {
  switch (s) {
    case Scenario::kEcho:
      return "echo";
    case Scenario::kShout:
      return "shout";
    case Scenario::kCard:
      return "card";
  }
  return "?";
}

}  // namespace gamehost::loadgen
