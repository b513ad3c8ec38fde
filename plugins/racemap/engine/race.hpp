// Internal to the racemap plugin: one racer's progress on a track, the rules a reported
// checkpoint pass must meet, and the live ranking. Pure C++: times are milliseconds of
// race time (since the go) given by the caller; nothing here reads a clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/track.hpp"

namespace gh_racemap {

// Why a pass is refused; a refused pass changes nothing.
enum class PassError {
  kOk,
  kFinished,          // the racer has finished the race already
  kBadPosition,       // a coordinate is NaN or infinite
  kNoSuchCheckpoint,  // checkpoint index beyond the track, or lap beyond the race's laps
  kSkipped,           // a checkpoint after the next one: the next one was skipped
  kAlreadyPassed,     // a checkpoint passed already (a repeat, or one behind)
  kOutsideRadius,     // the reported position is farther from the checkpoint than its radius
  kTooFast,           // less time since the previous pass than the track allows
};
std::string_view to_string(PassError e);

// A client's report: "I passed checkpoint C (of lap L) at this position". lap is 1-based;
// 0 means the racer's current lap.
struct PassReport {
  std::uint32_t lap = 0;
  std::uint32_t checkpoint = 0;
  Vec3 position;
  std::uint64_t at_ms = 0;  // race time the server received it
};

struct Progress {
  std::uint32_t passes = 0;        // accepted passes in total; passes_to_finish() = finished
  std::uint64_t last_pass_ms = 0;  // race time of the last accepted pass (0: the start)
  std::optional<Vec3> position;    // the last reported position, if any
  std::optional<std::uint64_t> finish_ms;  // race time of the last pass, once finished

  bool finished() const { return finish_ms.has_value(); }
  // The lap being driven, 1-based (the last lap once finished).
  std::uint32_t lap(const Track& t) const;
  // Checkpoints passed in the current lap (0..count-1; count once finished).
  std::uint32_t checkpoint_in_lap(const Track& t) const;
  // The index of the checkpoint to pass next (meaningless once finished).
  std::uint32_t next_checkpoint(const Track& t) const { return passes % t.checkpoint_count(); }
};

// What pass() would answer, without changing anything.
PassError check_pass(const Track& t, const Progress& p, const PassReport& r);
// Checks the report and, when it is accepted, records it (the last pass of the last lap
// finishes the racer at r.at_ms).
PassError pass(const Track& t, Progress& p, const PassReport& r);

// Distance from the last reported position to the next checkpoint's centre; +infinity
// when no position was reported or the racer has finished.
double distance_to_next(const Track& t, const Progress& p);

// ---- Ranking ------------------------------------------------------------------------------
enum class Presence {
  kConnected,
  kDisconnected,  // dropped, within the grace period: ranked after every connected racer
  kRetired,       // not back within the grace period: out, ranked last
};

struct Entrant {
  std::uint64_t user = 0;  // only orders racers who tie (same place)
  Progress progress;
  Presence presence = Presence::kConnected;
};

struct Standing {
  std::size_t entrant = 0;  // index into the entrants given
  std::uint32_t place = 1;  // 1-based; racers who tie share a place ("1, 2, 2, 4")
  double distance = 0;      // distance_to_next
};

// Finished racers first, by finish time; then connected racers, then disconnected ones,
// then retired ones, each by progress: passes (more first), distance to the next
// checkpoint (less first), time of the last pass (earlier first). Equal on all of these
// is a tie. Finished racers stay ranked by their time whatever their connection.
std::vector<Standing> rank(const Track& t, const std::vector<Entrant>& entrants);

}  // namespace gh_racemap
