// The track text form: what parses, what is refused (and how it says so), the round trip.
#include <gtest/gtest.h>

#include "engine/track.hpp"

namespace gh_racemap {
namespace {

TEST(TrackText, ParsesEveryKeyAndCheckpointForms) {
  const auto parsed = parse_tracks(
      "oval laps=3 countdown_ms=5000 min_gap_ms=800 limit_ms=120000 max_speed=90 "
      "cp=0,0,8 100,0,8 cp=100,100,2,10@2500; sprint cp=0,0,5");
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  ASSERT_EQ(parsed.tracks.size(), 2u);
  const Track& oval = parsed.tracks[0];
  EXPECT_EQ(oval.name, "oval");
  EXPECT_EQ(oval.laps, 3u);
  EXPECT_EQ(oval.countdown_ms, 5000u);
  EXPECT_EQ(oval.min_gap_ms, 800u);
  EXPECT_EQ(oval.time_limit_ms, 120000u);
  EXPECT_DOUBLE_EQ(oval.max_speed, 90);
  ASSERT_EQ(oval.checkpoint_count(), 3u);
  EXPECT_DOUBLE_EQ(oval.checkpoints[1].at.x, 100);
  EXPECT_DOUBLE_EQ(oval.checkpoints[1].radius, 8);
  EXPECT_DOUBLE_EQ(oval.checkpoints[2].at.z, 2);
  EXPECT_DOUBLE_EQ(oval.checkpoints[2].radius, 10);
  EXPECT_EQ(oval.checkpoints[2].min_ms, 2500u);
  EXPECT_EQ(oval.passes_to_finish(), 9u);
  const Track& sprint = parsed.tracks[1];
  EXPECT_EQ(sprint.laps, 1u);  // defaults
  EXPECT_EQ(sprint.countdown_ms, 3000u);
  EXPECT_EQ(sprint.min_gap_ms, 1000u);
}

TEST(TrackText, RefusalsNameTheTrackAndTheToken) {
  EXPECT_EQ(parse_tracks("").error, "no tracks");
  EXPECT_EQ(parse_tracks("a cp=0,0,0").error,
            "track a: \"cp=0,0,0\": a checkpoint is X,Y,R or X,Y,Z,R[@MS], R > 0");
  EXPECT_EQ(parse_tracks("a laps=0 cp=0,0,1").error, "track a: \"laps=0\": laps must be 1-100");
  EXPECT_EQ(parse_tracks("a speed=3 cp=0,0,1").error.substr(0, 24), "track a: \"speed=3\": unkn");
  EXPECT_EQ(parse_tracks("a laps=2").error, "track a: no checkpoints (cp=X,Y,R ...)");
  EXPECT_EQ(parse_tracks("a cp=0,0,1; a cp=1,1,1").error, "track a is listed twice");
  EXPECT_FALSE(parse_tracks("bad/name cp=0,0,1").ok());
  EXPECT_FALSE(parse_tracks("a 1,2,3").ok());  // a point needs cp= first
  EXPECT_FALSE(parse_tracks("a cp=0,0,nan").ok());
}

TEST(TrackText, FormatParsesBackToTheSameTrack) {
  const auto parsed =
      parse_tracks("t laps=2 max_speed=12.5 min_gap_ms=10 cp=0.1,-3,1e3,0.25 cp=7,8,9@40");
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  const auto again = parse_tracks(format_track(parsed.tracks[0]));
  ASSERT_TRUE(again.ok()) << again.error;
  const Track &a = parsed.tracks[0], &b = again.tracks[0];
  EXPECT_EQ(format_track(a), format_track(b));
  EXPECT_EQ(b.laps, 2u);
  EXPECT_DOUBLE_EQ(b.max_speed, 12.5);
  EXPECT_DOUBLE_EQ(b.checkpoints[0].at.x, 0.1);
  EXPECT_DOUBLE_EQ(b.checkpoints[0].at.z, 1e3);
  EXPECT_EQ(b.checkpoints[1].min_ms, 40u);
}

TEST(TrackText, LeastTimeIsTheCheckpointsOwnOrTheTracksOrBySpeed) {
  auto t = parse_tracks("t min_gap_ms=500 max_speed=10 cp=0,0,1 cp=100,0,1@2000 cp=103,0,1")
               .tracks.at(0);
  EXPECT_EQ(t.min_ms_to(0, true), 500u);    // from the start: no speed bound
  EXPECT_EQ(t.min_ms_to(1, false), 9800u);  // 98 units between the circles at 10/s
  EXPECT_EQ(t.min_ms_to(2, false), 500u);   // 1 unit: the gap wins
  t.max_speed = 0;
  EXPECT_EQ(t.min_ms_to(1, false), 2000u);  // its own
}

}  // namespace
}  // namespace gh_racemap
