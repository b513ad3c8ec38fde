// Internal to the battlemap plugin: its [plugins.battlemap.settings], read once when it is
// created. README.md documents every key.
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aoi/grid.hpp"
#include "aoi/movement.hpp"

namespace gh_battlemap {

struct SpawnArea {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// One map, as `maps` describes it:
//   NAME:WIDTHxHEIGHT[:cell=C][:spawn=X0,Y0,X1,Y1][:speed=S][:tick=HZ][:margin=M]
//                    [:players=N][:teleport=D]
struct MapSpec {
  std::string name;
  float width = 0, height = 0;
  float cell = 50;
  float margin = -1;  // -1: the aoi_margin setting
  SpawnArea spawn;    // default: the whole map
  float speed = 10;   // units per second
  std::uint32_t tick_hz = 10;
  std::uint32_t max_players = 0;  // per instance; 0: the max_players setting
  float teleport = 0;             // 0: derived from speed (movement.hpp)

  std::uint32_t tick_ms() const { return 1000 / tick_hz; }
  aoi::Grid grid() const { return aoi::Grid(width, height, cell, margin); }
};

struct Settings {
  std::vector<MapSpec> maps;                  // at least one; Enter{map = ""} takes the first
  std::uint32_t max_players = 500;            // avatars per instance (disconnected ones count)
  std::uint32_t max_instances = 1'000;        // of all maps together
  double speed_tolerance = 0.2;               // fraction above a map's speed still accepted
  double aoi_margin = 0;                      // hysteresis, map units (at most half a cell)
  std::uint64_t max_credit_ms = 1'000;        // the most time one move is credited with
  std::uint64_t reconnect_grace_ms = 30'000;  // a dropped avatar stays this long
  std::uint32_t chat_max_length = 200;        // bytes of one Say or WorldSay
  std::uint32_t chat_burst = 5;               // Say lines at once...
  std::uint32_t chat_per_minute = 60;         // ...then this many per minute
  std::uint32_t world_chat_burst = 2;         // the same for WorldSay
  std::uint32_t world_chat_per_minute = 6;
  std::uint64_t sweep_ms = 250;  // how often grace deadlines are checked

  const MapSpec* find_map(std::string_view name) const;
  aoi::MoveRules rules(const MapSpec& map) const;

  // Throws ConfigError / std::invalid_argument naming the setting.
  static Settings read(gamehost::Host& host);
};

// "field:1000x1000:cell=50; arena:300x300" -> the maps (margin and max_players still -1 / 0
// where not given); throws std::invalid_argument saying which part is wrong.
std::vector<MapSpec> parse_maps(std::string_view text);

}  // namespace gh_battlemap
