// Internal to the racemap plugin: the error codes clients see (README.md lists them), one
// per reason the engine refuses a pass (engine/race.hpp PassError) plus the plugin's.
#pragma once

#include <cstdint>

#include "engine/race.hpp"

namespace gh_racemap {

inline constexpr std::uint32_t kErrNotInRace = 3180;         // the sender races in no race
inline constexpr std::uint32_t kErrNotStarted = 3181;        // still counting down
inline constexpr std::uint32_t kErrFinished = 3182;          // the sender has finished already
inline constexpr std::uint32_t kErrBadPosition = 3183;       // NaN or infinite coordinates
inline constexpr std::uint32_t kErrNoSuchCheckpoint = 3184;  // index or lap beyond the track
inline constexpr std::uint32_t kErrSkipped = 3185;           // the next checkpoint was skipped
inline constexpr std::uint32_t kErrAlreadyPassed = 3186;     // a repeat, or one behind
inline constexpr std::uint32_t kErrOutsideRadius = 3187;     // too far from the checkpoint
inline constexpr std::uint32_t kErrTooFast = 3188;           // less time than the track allows
inline constexpr std::uint32_t kErrRetired = 3189;       // out: not back within the grace period
inline constexpr std::uint32_t kErrUnknownTrack = 3190;  // GetLeaderboard of no such track

// The wire code of a refused pass (PassError::kOk is not one).
inline std::uint32_t error_code(PassError e) {
  switch (e) {
    case PassError::kFinished:
      return kErrFinished;
    case PassError::kBadPosition:
      return kErrBadPosition;
    case PassError::kNoSuchCheckpoint:
      return kErrNoSuchCheckpoint;
    case PassError::kSkipped:
      return kErrSkipped;
    case PassError::kAlreadyPassed:
      return kErrAlreadyPassed;
    case PassError::kOutsideRadius:
      return kErrOutsideRadius;
    case PassError::kTooFast:
    default:
      return kErrTooFast;
  }
}

}  // namespace gh_racemap
