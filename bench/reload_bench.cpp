// How long a live reload holds a plugin's messages, against the size of the state it hands
// over (in process, no sockets): load the counter test plugin with N bytes of state
// ballast, then reload it back and forth and report the pause of each swap.
#include <benchmark/benchmark.h>

#include "loader/plugin_manager.hpp"
#include "support/in_process_host.hpp"

namespace {

using gamehost::testing::InProcessHost;
using gamehost::testing::TempDir;

std::string counter(const char* build) {
  return std::string(GAMEHOST_TEST_PLUGIN_DIR) + "/counter_" + build + ".so";
}

void BM_ReloadPauseByStateSize(benchmark::State& state) {
  TempDir dir;
  InProcessHost host(dir.str());
  auto pc = InProcessHost::plugin("counter", counter("v1"));
  pc.settings.insert("state_padding_bytes", static_cast<std::int64_t>(state.range(0)));
  host.plugins().load(pc);
  double total_pause_us = 0;
  double max_pause_us = 0;
  int i = 0;
  for (auto _ : state) {
    const auto r = host.plugins().reload("counter", counter(i++ % 2 == 0 ? "v2" : "v1"));
    const auto us = static_cast<double>(r.pause.count());
    total_pause_us += us;
    max_pause_us = std::max(max_pause_us, us);
  }
  state.counters["pause_us_mean"] = total_pause_us / static_cast<double>(state.iterations());
  state.counters["pause_us_max"] = max_pause_us;
  state.counters["state_bytes"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ReloadPauseByStateSize)
    ->Arg(0)
    ->Arg(64 << 10)
    ->Arg(1 << 20)
    ->Arg(16 << 20)
    ->Iterations(40)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
