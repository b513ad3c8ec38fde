// Checkpoint rules (order, radius, time), laps and finish, and the ranking with its ties.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/race.hpp"

namespace gh_racemap {
namespace {

// A square of four checkpoints 100 apart, radius 5, at least 1 s between passes.
Track square(std::uint32_t laps = 1) {
  auto parsed = parse_tracks("square min_gap_ms=1000 cp=0,0,5 100,0,5 100,100,5 0,100,5");
  Track t = parsed.tracks.at(0);
  t.laps = laps;
  return t;
}

PassReport at(const Track& t, std::uint32_t cp, std::uint64_t ms, std::uint32_t lap = 0) {
  return PassReport{lap, cp, t.checkpoints.at(cp).at, ms};
}

TEST(Pass, CheckpointsInOrderAreAccepted) {
  const Track t = square();
  Progress p;
  for (std::uint32_t cp = 0; cp < 4; ++cp) {
    EXPECT_EQ(p.next_checkpoint(t), cp);
    EXPECT_EQ(pass(t, p, at(t, cp, 2000 * (cp + 1))), PassError::kOk);
  }
  EXPECT_TRUE(p.finished());
  EXPECT_EQ(*p.finish_ms, 8000u);
  EXPECT_EQ(pass(t, p, at(t, 0, 20000)), PassError::kFinished);
}

TEST(Pass, ASkippedCheckpointIsRefusedAndChangesNothing) {
  const Track t = square();
  Progress p;
  ASSERT_EQ(pass(t, p, at(t, 0, 2000)), PassError::kOk);
  const Progress before = p;
  EXPECT_EQ(pass(t, p, at(t, 2, 9000)), PassError::kSkipped);  // 1 was skipped
  EXPECT_EQ(p.passes, before.passes);
  EXPECT_EQ(p.last_pass_ms, before.last_pass_ms);
  EXPECT_DOUBLE_EQ(p.position->x, before.position->x);
  EXPECT_EQ(pass(t, p, at(t, 1, 9000)), PassError::kOk);  // the right one still counts
}

TEST(Pass, ARepeatOrAnEarlierCheckpointIsAlreadyPassed) {
  const Track t = square();
  Progress p;
  ASSERT_EQ(pass(t, p, at(t, 0, 2000)), PassError::kOk);
  ASSERT_EQ(pass(t, p, at(t, 1, 4000)), PassError::kOk);
  EXPECT_EQ(pass(t, p, at(t, 1, 6000)), PassError::kAlreadyPassed);
  EXPECT_EQ(pass(t, p, at(t, 0, 6000)), PassError::kAlreadyPassed);
  EXPECT_EQ(p.passes, 2u);
}

TEST(Pass, AnImpossibleTimeIsRefusedAndChangesNothing) {
  const Track t = square();
  Progress p;
  EXPECT_EQ(pass(t, p, at(t, 0, 999)), PassError::kTooFast);  // 1 s from the go at least
  EXPECT_EQ(p.passes, 0u);
  ASSERT_EQ(pass(t, p, at(t, 0, 1000)), PassError::kOk);
  EXPECT_EQ(pass(t, p, at(t, 1, 1999)), PassError::kTooFast);
  EXPECT_EQ(p.passes, 1u);
  EXPECT_EQ(p.last_pass_ms, 1000u);
  EXPECT_EQ(pass(t, p, at(t, 1, 2000)), PassError::kOk);
}

TEST(Pass, TooFastForTheTracksTopSpeed) {
  Track t = square();
  t.max_speed = 50;  // 90 units between the circles: 1.8 s at least
  Progress p;
  ASSERT_EQ(pass(t, p, at(t, 0, 1000)), PassError::kOk);
  EXPECT_EQ(pass(t, p, at(t, 1, 2799)), PassError::kTooFast);
  EXPECT_EQ(pass(t, p, at(t, 1, 2800)), PassError::kOk);
}

TEST(Pass, OutsideTheRadiusOrNotAPointOrNoSuchCheckpoint) {
  const Track t = square();
  Progress p;
  PassReport r = at(t, 0, 5000);
  r.position = {3, 4, 0};  // exactly on the radius: in
  EXPECT_EQ(check_pass(t, p, r), PassError::kOk);
  r.position = {3, 4.01, 0};
  EXPECT_EQ(pass(t, p, r), PassError::kOutsideRadius);
  r.position = {0, 0, 5.5};  // height counts
  EXPECT_EQ(pass(t, p, r), PassError::kOutsideRadius);
  r.position = {std::nan(""), 0, 0};
  EXPECT_EQ(pass(t, p, r), PassError::kBadPosition);
  r.position = {0, std::numeric_limits<double>::infinity(), 0};
  EXPECT_EQ(pass(t, p, r), PassError::kBadPosition);
  EXPECT_EQ(pass(t, p, PassReport{0, 4, {0, 0, 0}, 5000}), PassError::kNoSuchCheckpoint);
  EXPECT_EQ(pass(t, p, at(t, 0, 5000, 2)), PassError::kNoSuchCheckpoint);  // 1 lap only
  EXPECT_EQ(p.passes, 0u);
  EXPECT_FALSE(p.position.has_value());
}

TEST(Laps, EachLapPassesEveryCheckpointAndTheLastPassFinishes) {
  const Track t = square(3);
  Progress p;
  std::uint64_t ms = 0;
  for (std::uint32_t lap = 1; lap <= 3; ++lap) {
    for (std::uint32_t cp = 0; cp < 4; ++cp) {
      EXPECT_EQ(p.lap(t), lap);
      EXPECT_EQ(p.checkpoint_in_lap(t), cp);
      ms += 1500;
      ASSERT_EQ(pass(t, p, at(t, cp, ms)), PassError::kOk) << lap << "/" << cp;
      EXPECT_EQ(p.finished(), lap == 3 && cp == 3);
    }
  }
  EXPECT_EQ(p.passes, 12u);
  EXPECT_EQ(*p.finish_ms, 18000u);
  EXPECT_EQ(p.lap(t), 3u);
}

TEST(Laps, AnExplicitLapTellsSkippedFromAlreadyPassed) {
  const Track t = square(2);
  Progress p;
  for (std::uint32_t cp = 0; cp < 4; ++cp)
    ASSERT_EQ(pass(t, p, at(t, cp, 1000 * (cp + 1))), PassError::kOk);
  // Now on lap 2, checkpoint 0 next.
  EXPECT_EQ(pass(t, p, at(t, 3, 9000, 1)), PassError::kAlreadyPassed);  // lap 1's last, again
  EXPECT_EQ(pass(t, p, at(t, 1, 9000, 2)), PassError::kSkipped);
  EXPECT_EQ(pass(t, p, at(t, 0, 9000, 3)), PassError::kNoSuchCheckpoint);
  EXPECT_EQ(pass(t, p, at(t, 3, 9000)), PassError::kSkipped);  // lap 0: the current lap (2)
  EXPECT_EQ(pass(t, p, at(t, 0, 9000, 2)), PassError::kOk);
}

// ---- Ranking --------------------------------------------------------------------------------

Entrant racer(std::uint64_t user, std::uint32_t passes, std::optional<Vec3> pos = std::nullopt,
              std::uint64_t last_ms = 0) {
  Entrant e;
  e.user = user;
  e.progress.passes = passes;
  e.progress.position = pos;
  e.progress.last_pass_ms = last_ms;
  return e;
}

Entrant finisher(std::uint64_t user, std::uint64_t finish_ms, std::uint32_t passes = 4) {
  Entrant e = racer(user, passes);
  e.progress.finish_ms = finish_ms;
  e.progress.last_pass_ms = finish_ms;
  return e;
}

std::vector<std::uint64_t> users(const std::vector<Entrant>& es, const std::vector<Standing>& s) {
  std::vector<std::uint64_t> out;
  for (const auto& st : s) out.push_back(es[st.entrant].user);
  return out;
}
std::vector<std::uint32_t> places(const std::vector<Standing>& s) {
  std::vector<std::uint32_t> out;
  for (const auto& st : s) out.push_back(st.place);
  return out;
}

TEST(Ranking, FinishersByTimeThenProgressThenDistance) {
  const Track t = square();
  const std::vector<Entrant> es = {
      racer(1, 1, Vec3{60, 0, 0}),                                 // 40 to checkpoint 1
      finisher(2, 9000),           racer(3, 2, Vec3{100, 50, 0}),  // a checkpoint further
      racer(4, 1, Vec3{90, 0, 0}),                                 // 10 to checkpoint 1
      finisher(5, 8000),           racer(6, 1),  // no position yet: after those with one
  };
  const auto s = rank(t, es);
  EXPECT_EQ(users(es, s), (std::vector<std::uint64_t>{5, 2, 3, 4, 1, 6}));
  EXPECT_EQ(places(s), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_DOUBLE_EQ(s[3].distance, 10);
  EXPECT_TRUE(std::isinf(s[0].distance));
}

TEST(Ranking, TiesShareAPlaceAndTheNextPlaceSkips) {
  const Track t = square();
  const std::vector<Entrant> es = {
      finisher(7, 8000),
      finisher(3, 8000),                    // same time: both first
      finisher(9, 8500),                    // third
      racer(4, 2, Vec3{100, 60, 0}, 3000),  // 40 to go
      racer(2, 2, Vec3{100, 60, 0}, 3000),  // identical: a tie
      racer(8, 2, Vec3{100, 60, 0}, 3500),  // same place, passed later: behind
  };
  const auto s = rank(t, es);
  EXPECT_EQ(users(es, s), (std::vector<std::uint64_t>{3, 7, 9, 2, 4, 8}));
  EXPECT_EQ(places(s), (std::vector<std::uint32_t>{1, 1, 3, 4, 4, 6}));
}

TEST(Ranking, DisconnectedAfterConnectedAndRetiredLastButFinishersKeepTheirTime) {
  const Track t = square();
  std::vector<Entrant> es = {
      racer(1, 3, Vec3{0, 100, 0}),  // furthest, but dropped
      racer(2, 1, Vec3{50, 0, 0}),
      racer(3, 3, Vec3{0, 100, 0}),  // as far, retired
      finisher(4, 9000),
      racer(5, 0),
  };
  es[0].presence = Presence::kDisconnected;
  es[2].presence = Presence::kRetired;
  es[3].presence = Presence::kDisconnected;  // finished, then dropped: still ranked by time
  auto s = rank(t, es);
  EXPECT_EQ(users(es, s), (std::vector<std::uint64_t>{4, 2, 5, 1, 3}));
  es[0].presence = Presence::kConnected;  // back within the grace period
  s = rank(t, es);
  EXPECT_EQ(users(es, s), (std::vector<std::uint64_t>{4, 1, 2, 5, 3}));
}

}  // namespace
}  // namespace gh_racemap
