// The battlemap engine's tick cost, in process (no sockets, no host): players walk at
// their map's speed limit and send one Move each per tick; a tick judges every move, places
// the avatars, flushes the AOI batches and encodes each player's ViewUpdate exactly as the
// plugin does (plugins/battlemap/instance.cpp). Measured per tick: CPU time, the wall
// time's p50/p99/max, the bytes sent per player per second (frame header included), and the
// same scene with a naive broadcast of every position to every player.
//
//   build/bin/gamehost_battlemap_aoi_bench [--ticks N] [--threads N]
//
// Scenes: 5,000 players on one map (1000x1000 and 4000x4000, cells of 50, 10 Hz, speed 10
// units/s), and 20 instances of 500 players (1000x1000) ticked one after the other on one
// thread (or spread over --threads, as the host's lanes would).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "aoi/movement.hpp"
#include "aoi/world.hpp"
#include "view_update.hpp"

namespace {

using namespace gh_battlemap::aoi;
using gh_battlemap::encode_view_update;

constexpr std::uint64_t kTickMs = 100;   // 10 Hz
constexpr std::size_t kFrameHeader = 8;  // u32 length | u32 id

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Walker {
  Vec2 pos;
  float heading = 0;
  Motion motion;
};

// One map instance with its players, as the plugin runs it on one lane.
class Scene {
 public:
  Scene(std::uint32_t players, float size, std::uint32_t seed)
      : grid_(size, size, 50, 0), world_(grid_), rng_(seed) {
    rules_.max_speed = 10;
    std::uniform_real_distribution<float> at(0, size), turn(0, 6.2831853f);
    for (std::uint32_t i = 0; i < players; ++i) {
      Walker w{{at(rng_), at(rng_)}, turn(rng_), Motion::start(0)};
      world_.enter(i + 1, w.pos, w.heading);
      walkers_.push_back(w);
    }
    world_.flush([](const Batch&) {});  // everyone has been told of everyone at the start
  }

  // The clients' side, not timed: every player picks its next position.
  void prepare(std::uint64_t now_ms) {
    std::normal_distribution<float> wobble(0, 0.3f);
    const float step = rules_.max_speed * 0.9f * static_cast<float>(kTickMs) / 1000.0f;
    moves_.resize(walkers_.size());
    for (std::uint32_t i = 0; i < walkers_.size(); ++i) {
      Walker& w = walkers_[i];
      w.heading += wobble(rng_);
      Vec2 to{w.pos.x + step * std::cos(w.heading), w.pos.y + step * std::sin(w.heading)};
      if (to.x < 0 || to.x > grid_.width()) w.heading = 3.14159265f - w.heading, to.x = w.pos.x;
      if (to.y < 0 || to.y > grid_.height()) w.heading = -w.heading, to.y = w.pos.y;
      moves_[i] = MoveRequest{to, w.heading, now_ms};
    }
  }

  // The server's side of one tick at now_ms: every move judged and placed, then the AOI
  // flush with each player's ViewUpdate encoded (aoi) or one ViewUpdate with everyone in
  // it, encoded once and sent to every player (naive). Returns the bytes sent.
  std::size_t tick(std::uint64_t now_ms, std::size_t& messages, bool naive) {
    for (std::uint32_t i = 0; i < walkers_.size(); ++i) {
      Walker& w = walkers_[i];
      if (judge(rules_, grid_, w.motion, w.pos, moves_[i], now_ms) == Verdict::kAccepted) {
        w.pos = moves_[i].to;
        if (!naive) world_.place(i + 1, w.pos, moves_[i].dir);
      } else {
        ++refused_;
      }
    }
    if (naive) return broadcast(now_ms, messages);
    std::size_t bytes = 0;
    world_.flush([&](const Batch& b) {
      // Snowflake-sized user ids, as auth hands out.
      encode_view_update(
          now_ms / kTickMs, b, [](EntityId id) { return 1'000'000'000'000'000'000ULL + id; },
          wire_);
      bytes += wire_.size() + kFrameHeader;  // what host().send_bytes frames
      ++messages;
    });
    return bytes;
  }

  std::size_t broadcast(std::uint64_t now_ms, std::size_t& messages) {
    everyone_.clear();
    for (std::uint32_t i = 0; i < walkers_.size(); ++i) {
      everyone_.moved.push_back({i + 1, walkers_[i].pos, walkers_[i].heading});
    }
    encode_view_update(
        now_ms / kTickMs, everyone_, [](EntityId) { return 0; }, wire_);
    messages += walkers_.size();
    return (wire_.size() + kFrameHeader) * walkers_.size();
  }

  std::size_t players() const { return walkers_.size(); }
  std::size_t refused() const { return refused_; }
  double mean_in_view() const {
    std::size_t n = 0;
    for (std::uint32_t i = 0; i < walkers_.size(); i += 50) n += world_.in_view(i + 1).size();
    return static_cast<double>(n) / static_cast<double>((walkers_.size() + 49) / 50);
  }

 private:
  Grid grid_;
  World world_;
  MoveRules rules_;
  std::mt19937 rng_;
  std::vector<Walker> walkers_;
  std::vector<MoveRequest> moves_;
  Batch everyone_;
  std::string wire_;
  std::size_t refused_ = 0;
};

struct Figures {
  double cpu_ms_per_tick = 0;
  double cpu_p99 = 0;  // the CPU time of a tick, all threads, 99th percentile
  double p50 = 0, p99 = 0, max = 0;
  double bytes_per_player_s = 0;
  double messages_per_player_s = 0;
};

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// Runs `ticks` ticks of all scenes (spread over `threads`), after 10 to warm up.
template <class TickFn>
Figures run(std::vector<Scene>& scenes, int ticks, int threads, TickFn&& tick_fn) {
  std::vector<double> wall, cpus;
  double cpu = 0;
  std::size_t bytes = 0, messages = 0, players = 0;
  for (const auto& s : scenes) players += s.players();
  for (int t = -10; t < ticks; ++t) {
    const std::uint64_t now = static_cast<std::uint64_t>(t + 11) * kTickMs;
    std::vector<std::size_t> b(threads, 0), m(threads, 0);
    std::vector<double> c(threads, 0);
    for (auto& s : scenes) s.prepare(now);
    const auto start = std::chrono::steady_clock::now();
    auto work = [&](int k) {
      const double c0 = thread_cpu_ms();
      for (std::size_t i = k; i < scenes.size(); i += threads)
        b[k] += tick_fn(scenes[i], now, m[k]);
      c[k] = thread_cpu_ms() - c0;
    };
    if (threads == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int k = 0; k < threads; ++k) pool.emplace_back(work, k);
      for (auto& th : pool) th.join();
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (t < 0) continue;
    wall.push_back(ms);
    double tick_cpu = 0;
    for (int k = 0; k < threads; ++k) tick_cpu += c[k], bytes += b[k], messages += m[k];
    cpu += tick_cpu;
    cpus.push_back(tick_cpu);
  }
  Figures f;
  f.cpu_ms_per_tick = cpu / ticks;
  f.cpu_p99 = percentile(cpus, 0.99);
  f.p50 = percentile(wall, 0.50);
  f.p99 = percentile(wall, 0.99);
  f.max = percentile(wall, 1.0);
  const double seconds = ticks * static_cast<double>(kTickMs) / 1000.0;
  f.bytes_per_player_s = static_cast<double>(bytes) / static_cast<double>(players) / seconds;
  f.messages_per_player_s = static_cast<double>(messages) / static_cast<double>(players) / seconds;
  return f;
}

void print(const char* scene, const char* mode, const Figures& f) {
  std::printf("%-38s %-9s %7.2f %7.2f %7.2f %7.2f %7.2f %11.0f %7.1f\n", scene, mode,
              f.cpu_ms_per_tick, f.cpu_p99, f.p50, f.p99, f.max, f.bytes_per_player_s,
              f.messages_per_player_s);
}

}  // namespace

int main(int argc, char** argv) {
  int ticks = 300, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--ticks") == 0) ticks = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[i + 1]));
  }
  std::printf(
      "%d ticks at 10 Hz, %d thread(s); per tick in ms: cpu (mean), cpu p99, wall p50/p99/max\n",
      ticks, threads);
  std::printf("%-38s %-9s %7s %7s %7s %7s %7s %11s %7s\n", "scene", "mode", "cpu", "cpu p99", "p50",
              "p99", "max", "B/player/s", "msg/p/s");
  const auto aoi = [](Scene& s, std::uint64_t now, std::size_t& m) {
    return s.tick(now, m, false);
  };
  const auto naive = [](Scene& s, std::uint64_t now, std::size_t& m) {
    return s.tick(now, m, true);
  };
  for (const float size : {1000.0f, 4000.0f}) {
    std::vector<Scene> one;
    one.emplace_back(5000, size, 7);
    char name[64];
    std::snprintf(name, sizeof name, "5000 players, %.0fx%.0f (%.0f in view)", size, size,
                  one.front().mean_in_view());
    print(name, "aoi", run(one, ticks, 1, aoi));
    std::vector<Scene> again;
    again.emplace_back(5000, size, 7);
    print(name, "broadcast", run(again, ticks / 3 + 1, 1, naive));
    if (one.front().refused() != 0) std::printf("  (%zu moves refused)\n", one.front().refused());
  }
  std::vector<Scene> twenty;
  for (std::uint32_t i = 0; i < 20; ++i) twenty.emplace_back(500, 1000, 100 + i);
  char name[64];
  std::snprintf(name, sizeof name, "20 x 500 players, 1000x1000 (%.0f in view)",
                twenty.front().mean_in_view());
  print(name, "aoi", run(twenty, ticks, threads, aoi));
  return 0;
}
