// Internal to the battlemap plugin: server-authoritative movement. A client says where its
// avatar is now (position, direction, its own clock); the server accepts it or refuses it
// and keeps the last valid position. Pure C++: the caller passes the server time.
//
// Time credit: a move may cover at most max_speed * (1 + tolerance) per second of time it
// is credited with. Credit accrues with the server's clock, up to max_credit_ms (so standing
// still for a minute does not buy a jump across the map), and each accepted move spends
// what its client clock says has passed since the previous accepted move (all of the
// credit when the client clock is not known yet). Moves that arrive bunched up by the
// network are fine (the credit covers them); a client whose clock runs fast runs out of
// credit within max_credit_ms.
#pragma once

#include <cstdint>

#include "aoi/grid.hpp"

namespace gh_battlemap::aoi {

struct MoveRules {
  float max_speed = 10;                // map units per second
  float tolerance = 0.2f;              // fraction above max_speed still accepted
  std::uint64_t max_credit_ms = 1000;  // the most time one move can be credited with
  // A jump longer than this is a teleport whatever the time; 0: the farthest a move can
  // legally go, max_speed * (1 + tolerance) * max_credit_ms.
  float teleport_distance = 0;

  float teleport_limit() const;
};

enum class Verdict {
  kAccepted,
  kOutOfBounds,   // off the map, or not a finite position
  kTooFast,       // farther than the credited time allows
  kTeleport,      // farther than teleport_limit()
  kBadTime,       // the client clock did not move forward since the last accepted move
  kBadDirection,  // not a finite number
};

const char* to_string(Verdict v);

// One avatar's movement bookkeeping (besides its position, which the World keeps).
struct Motion {
  std::uint64_t credit_ms = 0;
  std::uint64_t credited_at_ms = 0;  // server time the credit was last brought up to date
  std::uint64_t last_client_ms = 0;  // client time of the last accepted move
  bool client_clock_known = false;

  // A fresh start at server time now (enter, reconnect): no credit, client clock unknown.
  static Motion start(std::uint64_t now_ms) { return Motion{0, now_ms, 0, false}; }
};

struct MoveRequest {
  Vec2 to;
  float dir = 0;
  std::uint64_t client_ms = 0;
};

// Judges a move from `from` (the last valid position). On kAccepted the motion spends its
// credit; on a refusal the position stays `from` and only the credit accrues (a kBadTime
// also forgets the client clock, so a client that restarted its clock recovers).
Verdict judge(const MoveRules& rules, const Grid& grid, Motion& motion, Vec2 from,
              const MoveRequest& move, std::uint64_t now_ms);

}  // namespace gh_battlemap::aoi
