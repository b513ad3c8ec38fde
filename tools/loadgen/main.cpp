// gamehost-loadgen: drives a gamehost server (or the bench/ baseline) with echo or group-shout
// traffic over TCP or WebSocket and reports throughput, latency and the server's CPU and RSS.
//
// Exit status: 0 when replies were measured, 1 bad flags, 2 nothing could connect,
// 3 connected but nothing was received inside the measurement window.
#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "load_run.hpp"
#include "options.hpp"
#include "report.hpp"

namespace {

using gamehost::loadgen::Options;
using gamehost::loadgen::Scenario;
using gamehost::loadgen::TransportKind;

void add_flags(CLI::App& app, Options& o) {
  app.add_option("--host", o.host, "Server address (the only host ever contacted)")
      ->capture_default_str();
  app.add_option("--port", o.port, "Server port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--transport", o.transport, "tcp or ws")
      ->transform(
          CLI::CheckedTransformer(std::map<std::string, TransportKind>{{"tcp", TransportKind::kTcp},
                                                                       {"ws", TransportKind::kWs}},
                                  CLI::ignore_case))
      ->default_str("tcp");
  app.add_option(
         "--scenario", o.scenario,
         "echo: request/reply; shout: group broadcast; card: Dou Dizhu bots (auth, room, card)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Scenario>{
              {"echo", Scenario::kEcho}, {"shout", Scenario::kShout}, {"card", Scenario::kCard}},
          CLI::ignore_case))
      ->default_str("echo");
  app.add_option("--connections", o.connections, "Concurrent connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 20000));
  app.add_option("--pipeline", o.pipeline, "Outstanding requests per connection (closed loop)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--rate", o.rate,
                 "Fixed total requests/s across all connections (open loop); 0 = closed loop")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e8));
  app.add_option("--tick-us", o.tick_us,
                 "With --rate: send on a grid of this many microseconds (fewer wake-ups)")
      ->capture_default_str()
      ->check(CLI::Range(10, 100000));
  app.add_option("--phases", o.phases,
                 "With --rate: spread connections over this many offsets of the grid, so their "
                 "writes do not all leave at the same instant (1 = all at each grid point)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--duration", o.duration_s, "Measurement window, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup_s, "Load before measuring, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--payload", o.payload_bytes, "Request data bytes (>= 16: a stamp rides in it)")
      ->capture_default_str()
      ->check(CLI::Range(16, 1 << 20));
  app.add_option("--group-size", o.group_size, "Shout: members per group")
      ->capture_default_str()
      ->check(CLI::Range(1, 20000));
  app.add_option("--server-pid", o.server_pid, "Also report this process's CPU % and RSS")
      ->check(CLI::PositiveNumber);
  app.add_option("--think-ms", o.think_ms,
                 "Card: a bot waits this long on its turn before acting (1000: ~1 action/s/table)")
      ->capture_default_str()
      ->check(CLI::Range(0, 60000));
  app.add_flag("--json", o.json, "Print one JSON line instead of text");
  app.add_option("--threads", o.threads, "Load generator threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gamehost load generator"};
  Options options;
  add_flags(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError too; app.exit prints either and says which it was.
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (options.threads > options.connections) options.threads = options.connections;

  gamehost::loadgen::RunResult result;
  try {
    result = gamehost::loadgen::run_load(options);
  } catch (const gamehost::loadgen::RunError& e) {
    std::cerr << "gamehost-loadgen: " << e.what() << "\n";
    return 2;
  }
  if (options.json) {
    gamehost::loadgen::print_json(std::cout, options, result);
  } else {
    gamehost::loadgen::print_text(std::cout, options, result);
  }
  if (result.connections_ready == 0) return 2;
  if (result.stats.received == 0) return 3;
  return 0;
}
