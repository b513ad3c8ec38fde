// Server-authoritative movement: what is accepted, and each way a cheating or broken
// client is refused (speed hack, fast clock, teleport, off the map, time going backwards).
#include <gtest/gtest.h>

#include <cmath>

#include "aoi/movement.hpp"

namespace gh_battlemap::aoi {
namespace {

class Movement : public ::testing::Test {
 protected:
  // speed 10 units/s, 20% tolerance, credit up to 1 s: teleport beyond 12 units.
  MoveRules rules{10, 0.2f, 1000, 0};
  Grid grid{1000, 1000, 50, 0};
  std::uint64_t now = 1'000'000;
  Motion motion = Motion::start(now);
  Vec2 at{500, 500};
  std::uint64_t client = 77'000;  // the client's clock has its own origin

  // The client walks `step` units along x after `ms` of real and client time.
  Verdict walk(float step, std::uint64_t ms, std::uint64_t client_ms = 0) {
    now += ms;
    client += client_ms == 0 ? ms : client_ms;
    const Vec2 to{at.x + step, at.y};
    const auto v = judge(rules, grid, motion, at, {to, 0, client}, now);
    if (v == Verdict::kAccepted) at = to;
    return v;
  }
};

TEST_F(Movement, WalkingAtTheLimitIsAccepted) {
  for (int i = 0; i < 100; ++i) ASSERT_EQ(walk(1.0f, 100), Verdict::kAccepted) << i;  // 10/s
  EXPECT_FLOAT_EQ(at.x, 600);
  // Within the tolerance too.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(walk(1.15f, 100), Verdict::kAccepted) << i;
}

TEST_F(Movement, SpeedHackIsRefusedAndThePositionStays) {
  ASSERT_EQ(walk(1.0f, 100), Verdict::kAccepted);
  EXPECT_EQ(walk(3.0f, 100), Verdict::kTooFast);  // 30 units/s
  EXPECT_FLOAT_EQ(at.x, 501);
  // The refused move spent nothing: the next honest one covers the time of both.
  EXPECT_EQ(walk(2.0f, 100), Verdict::kAccepted);
}

TEST_F(Movement, AClockRunningFastRunsOutOfCredit) {
  // Every 100 ms the client claims 200 ms and walks as far as that allows.
  int refused_at = -1;
  for (int i = 0; i < 30 && refused_at < 0; ++i) {
    if (walk(2.0f, 100, 200) != Verdict::kAccepted) refused_at = i;
  }
  ASSERT_GE(refused_at, 0) << "a clock at twice the real speed was never caught";
  EXPECT_LE(refused_at, 12);  // the credit (1 s) is gone within about 1 s
}

TEST_F(Movement, BunchedMovesAreCoveredByCredit) {
  ASSERT_EQ(walk(1.0f, 100), Verdict::kAccepted);
  // The network holds three moves and delivers them at once.
  now += 300;
  for (int i = 0; i < 3; ++i) {
    client += 100;
    const Vec2 to{at.x + 1.0f, at.y};
    ASSERT_EQ(judge(rules, grid, motion, at, {to, 0, client}, now), Verdict::kAccepted) << i;
    at = to;
  }
}

TEST_F(Movement, StandingStillBuysNoJump) {
  ASSERT_EQ(walk(1.0f, 100), Verdict::kAccepted);
  // A minute later, a move of 11 units claims the whole minute: only 1 s is credited.
  EXPECT_EQ(walk(11.0f, 60'000), Verdict::kAccepted);  // 11 <= 12 units for 1 s
  EXPECT_EQ(walk(5.0f, 100), Verdict::kTooFast);       // the credit was spent
}

TEST_F(Movement, TeleportIsRefusedWhateverTheTime) {
  EXPECT_EQ(walk(13.0f, 5000), Verdict::kTeleport);
  EXPECT_EQ(walk(200.0f, 100), Verdict::kTeleport);
  EXPECT_FLOAT_EQ(at.x, 500);
  rules.teleport_distance = 5;
  EXPECT_EQ(walk(6.0f, 1000), Verdict::kTeleport);
  EXPECT_EQ(walk(4.0f, 1000), Verdict::kAccepted);
}

TEST_F(Movement, OffTheMapIsRefused) {
  at = {0.5f, 999.5f};
  EXPECT_EQ(walk(-1.0f, 100), Verdict::kOutOfBounds);  // x = -0.5
  now += 100;
  client += 100;
  EXPECT_EQ(judge(rules, grid, motion, at, {{0.5f, 1000.5f}, 0, client}, now),
            Verdict::kOutOfBounds);
  EXPECT_EQ(judge(rules, grid, motion, at, {{NAN, 999.0f}, 0, client + 1}, now),
            Verdict::kOutOfBounds);
  EXPECT_EQ(judge(rules, grid, motion, at, {{INFINITY, 999.0f}, 0, client + 2}, now),
            Verdict::kOutOfBounds);
  EXPECT_EQ(judge(rules, grid, motion, at, {{0.5f, 999.0f}, NAN, client + 3}, now),
            Verdict::kBadDirection);
  EXPECT_EQ(judge(rules, grid, motion, at, {{0.0f, 1000.0f}, 0, client + 4}, now),
            Verdict::kAccepted);  // the edge is on the map
}

TEST_F(Movement, ClientTimeMustMoveForward) {
  ASSERT_EQ(walk(1.0f, 100), Verdict::kAccepted);
  now += 100;
  EXPECT_EQ(judge(rules, grid, motion, at, {{at.x + 1, at.y}, 0, client}, now),
            Verdict::kBadTime);  // the same client time again (a replay)
  // The clock is forgotten: a client that restarted its clock goes on, on credit alone.
  now += 100;
  EXPECT_EQ(judge(rules, grid, motion, at, {{at.x + 1, at.y}, 0, 5}, now), Verdict::kAccepted);
}

}  // namespace
}  // namespace gh_battlemap::aoi
