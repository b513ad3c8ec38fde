// Internal to the racemap plugin: its [plugins.racemap.settings], read once when it is
// created (README.md lists them).
#pragma once

#include <gamehost/plugin.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/track.hpp"

namespace gh_racemap {

// Used when the setting `tracks` is absent: one small circuit, so a development host
// races out of the box.
inline constexpr const char* kDefaultTracks =
    "oval laps=3 countdown_ms=3000 min_gap_ms=1000 limit_ms=300000 "
    "cp=100,0,12 100,100,12 -100,100,12 -100,0,12 0,0,12";

struct Settings {
  std::string game_type = "race";             // the room game type this plugin races
  std::vector<Track> tracks;                  // `tracks`, in the compact form (engine/track.hpp)
  std::size_t default_track = 0;              // `default_track` (a name), else the first track
  std::uint64_t tick_ms = 500;                // the live ranking is pushed this often
  std::uint64_t reconnect_grace_ms = 15'000;  // a dropped racer is retired after this
  std::uint32_t leaderboard_max = 100;        // GetLeaderboard.limit is capped at this
  std::uint32_t leaderboard_default = 10;     // ... and 0 means this

  const Track& track() const { return tracks[default_track]; }
  const Track* find(std::string_view name) const {
    for (const auto& t : tracks) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }

  static Settings read(gamehost::Host& host) {
    Settings s;
    s.game_type = host.setting<std::string>("game_type").value_or(s.game_type);
    const auto text = host.setting<std::string>("tracks").value_or(kDefaultTracks);
    auto parsed = parse_tracks(text);
    if (!parsed.ok()) {
      throw std::invalid_argument("[plugins.racemap.settings] tracks: " + parsed.error);
    }
    s.tracks = std::move(parsed.tracks);
    const auto name = host.setting<std::string>("default_track").value_or("");
    if (!name.empty()) {
      const auto* t = s.find(name);
      if (t == nullptr) {
        throw std::invalid_argument("[plugins.racemap.settings] default_track: no track named " +
                                    name + " in tracks");
      }
      s.default_track = static_cast<std::size_t>(t - s.tracks.data());
    }
    s.tick_ms = host.setting<std::uint64_t>("tick_ms").value_or(s.tick_ms);
    s.reconnect_grace_ms =
        host.setting<std::uint64_t>("reconnect_grace_ms").value_or(s.reconnect_grace_ms);
    s.leaderboard_max = host.setting<std::uint32_t>("leaderboard_max").value_or(s.leaderboard_max);
    require(s.tick_ms >= 50 && s.tick_ms <= 10'000, "tick_ms", "between 50 and 10000");
    require(s.reconnect_grace_ms <= 600'000, "reconnect_grace_ms", "at most 600000");
    require(s.leaderboard_max >= 1 && s.leaderboard_max <= 1000, "leaderboard_max",
            "between 1 and 1000");
    s.leaderboard_default = std::min(s.leaderboard_default, s.leaderboard_max);
    return s;
  }

 private:
  static void require(bool ok, const char* key, const char* rule) {
    if (!ok) {
      throw std::invalid_argument(
          gamehost::concat("[plugins.racemap.settings] ", key, ": must be ", rule));
    }
  }
};

}  // namespace gh_racemap
