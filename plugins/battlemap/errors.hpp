// Internal to the battlemap plugin: the error codes clients see (README.md lists them).
#pragma once

#include <cstdint>

#include "aoi/movement.hpp"

namespace gh_battlemap {

inline constexpr std::uint32_t kErrNotOnMap = 3080;      // Move, Say, Leave... off any map
inline constexpr std::uint32_t kErrUnknownMap = 3081;    // Enter names no configured map
inline constexpr std::uint32_t kErrAlreadyOnMap = 3082;  // Enter while on a map: Leave first
inline constexpr std::uint32_t kErrTooFast = 3083;       // faster than max speed (+ tolerance)
inline constexpr std::uint32_t kErrTeleport = 3084;      // a jump no move can make
inline constexpr std::uint32_t kErrOutOfBounds = 3085;   // off the map, or not finite
inline constexpr std::uint32_t kErrBadTime = 3086;       // client time did not increase
inline constexpr std::uint32_t kErrBadDirection = 3087;  // dir is not finite
inline constexpr std::uint32_t kErrBadChat = 3088;       // empty, or longer than the limit
inline constexpr std::uint32_t kErrChatRateLimited = 3089;
inline constexpr std::uint32_t kErrMapFull = 3090;  // every instance full, no new one allowed

// The wire code of a refused move (Verdict::kAccepted is not one).
inline std::uint32_t error_code(aoi::Verdict v) {
  switch (v) {
    case aoi::Verdict::kTooFast:
      return kErrTooFast;
    case aoi::Verdict::kTeleport:
      return kErrTeleport;
    case aoi::Verdict::kOutOfBounds:
      return kErrOutOfBounds;
    case aoi::Verdict::kBadTime:
      return kErrBadTime;
    default:
      return kErrBadDirection;
  }
}

}  // namespace gh_battlemap
