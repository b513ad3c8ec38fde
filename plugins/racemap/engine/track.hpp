// Internal to the racemap plugin: a track (ordered checkpoints, laps, countdown, time limit)
// and its compact text form, the one [plugins.racemap.settings] tracks uses (README.md).
// Pure C++: no host, no protobuf, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh_racemap {

struct Vec3 {
  double x = 0;
  double y = 0;
  double z = 0;
};

double distance(const Vec3& a, const Vec3& b);
bool finite(const Vec3& v);

struct Checkpoint {
  Vec3 at;
  double radius = 0;         // a pass must be reported within this distance of `at`
  std::uint64_t min_ms = 0;  // least time from the previous pass (or the start); 0 = the track's
};

struct Track {
  std::string name;
  std::vector<Checkpoint> checkpoints;  // in order; each lap passes all of them
  std::uint32_t laps = 1;
  std::uint64_t countdown_ms = 3'000;     // GameStart -> go
  std::uint64_t min_gap_ms = 1'000;       // least time between two passes (default per checkpoint)
  std::uint64_t time_limit_ms = 300'000;  // go -> the race ends for everyone
  double max_speed = 0;                   // units per second between checkpoints; 0 = no check

  std::uint32_t checkpoint_count() const { return static_cast<std::uint32_t>(checkpoints.size()); }
  // Passes that finish the race: laps x checkpoints.
  std::uint32_t passes_to_finish() const { return laps * checkpoint_count(); }
  // The least plausible time for the pass of checkpoint `index` after the previous one
  // (after the start for the first pass of the race; `first` says which).
  std::uint64_t min_ms_to(std::uint32_t index, bool first) const;
};

// A track list as in the setting: tracks separated by ';', each "NAME key=value ...":
//   laps=N countdown_ms=N min_gap_ms=N limit_ms=N max_speed=X
//   cp=X,Y,R | cp=X,Y,Z,R, optionally @MIN_MS (that checkpoint's own least time), in order.
// e.g. "oval laps=3 limit_ms=240000 cp=0,0,8 100,0,8 ... ; sprint cp=0,0,5 cp=50,0,5@4000".
// A cp= token may be followed by more points without the prefix ("cp=0,0,8 100,0,8").
struct ParsedTracks {
  std::vector<Track> tracks;
  std::string error;  // "" when every track parsed; else what and where
  bool ok() const { return error.empty(); }
};
ParsedTracks parse_tracks(std::string_view text);

// One track back in the same form (parse_tracks(format_track(t)) gives t again).
std::string format_track(const Track& track);

// Names are 1-64 characters of a-z A-Z 0-9 _ - .
bool valid_track_name(std::string_view name);

}  // namespace gh_racemap
