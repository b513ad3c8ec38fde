#include "aoi/movement.hpp"

#include <algorithm>
#include <cmath>

namespace gh_battlemap::aoi {
namespace {

// Float rounding of positions near 1000 is ~1e-4; this much is never a cheat.
constexpr float kSlack = 1e-3f;

}  // namespace

float MoveRules::teleport_limit() const {
  if (teleport_distance > 0) return teleport_distance;
  return max_speed * (1 + tolerance) * static_cast<float>(max_credit_ms) / 1000.0f;
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kOutOfBounds:
      return "the position is off the map";
    case Verdict::kTooFast:
      return "faster than the map's speed limit";
    case Verdict::kTeleport:
      return "a jump no move can make";
    case Verdict::kBadTime:
      return "the client time did not advance";
    case Verdict::kBadDirection:
      return "the direction is not a number";
  }
  return "refused";
}

Verdict judge(const MoveRules& rules, const Grid& grid, Motion& motion, Vec2 from,
              const MoveRequest& move, std::uint64_t now_ms) {
  if (now_ms > motion.credited_at_ms) {
    motion.credit_ms =
        std::min(motion.credit_ms + (now_ms - motion.credited_at_ms), rules.max_credit_ms);
    motion.credited_at_ms = now_ms;
  }
  if (!std::isfinite(move.dir)) return Verdict::kBadDirection;
  if (!grid.inside(move.to)) return Verdict::kOutOfBounds;
  if (motion.client_clock_known && move.client_ms <= motion.last_client_ms) {
    motion.client_clock_known = false;
    return Verdict::kBadTime;
  }
  const float d = distance(from, move.to);
  if (d > rules.teleport_limit() + kSlack) return Verdict::kTeleport;
  const std::uint64_t claimed =
      motion.client_clock_known ? move.client_ms - motion.last_client_ms : motion.credit_ms;
  const std::uint64_t spent = std::min(claimed, motion.credit_ms);
  const float allowed =
      rules.max_speed * (1 + rules.tolerance) * static_cast<float>(spent) / 1000.0f;
  if (d > allowed + kSlack) return Verdict::kTooFast;
  motion.credit_ms -= spent;
  motion.last_client_ms = move.client_ms;
  motion.client_clock_known = true;
  return Verdict::kAccepted;
}

}  // namespace gh_battlemap::aoi
