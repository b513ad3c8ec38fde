// Whole races through the fake host with the real room and racemap plugins in one test
// binary: players create and join a "race" room and get ready, racemap counts down, takes
// their checkpoint passes, pushes the ranking each tick, ends the race, tells room and
// stores the results; the leaderboard reads the best times.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include <limits>
#include <string>
#include <vector>

#include "errors.hpp"
#include "racemap.pb.h"
#include "room.pb.h"
#include "room_events.pb.h"

GAMEHOST_DECLARE_PLUGIN(room);
GAMEHOST_DECLARE_PLUGIN(racemap);

namespace {

namespace pb = gamehost::racemap;
namespace rpb = gamehost::room;
using gamehost::testing::FakeHost;
using namespace gh_racemap;

// Client-side ids (a client has no protocol.hpp of the plugins).
constexpr std::uint32_t kCreateRoom = 2000, kRoomState = 2001, kJoinRoom = 2004, kSetReady = 2007,
                        kGetRoom = 2014;
constexpr std::uint32_t kPass = 3100, kPassAccepted = 3101, kReportPosition = 3102,
                        kRaceView = 3103, kRaceEvent = 3104, kStandings = 3105, kRaceResult = 3106,
                        kGetRace = 3107, kGetLeaderboard = 3108, kLeaderboard = 3109,
                        kGetTracks = 3110, kTracksMsg = 3111;

// Three checkpoints, two laps: six passes finish. 1 s at least between passes.
constexpr const char* kTrackList =
    "loop laps=2 countdown_ms=3000 min_gap_ms=1000 limit_ms=60000 cp=0,0,5 100,0,5 100,100,5; "
    "dragstrip countdown_ms=1000 cp=0,0,5 cp=400,0,5@8000";
const double kCp[3][2] = {{0, 0}, {100, 0}, {100, 100}};

class Racemap : public ::testing::Test {
 protected:
  void SetUp() override {
    host.apply_migrations(RACEMAP_MIGRATIONS_DIR);
    host.set_setting_for("room", "games", std::string("race:1-8"));
    host.set_setting_for("racemap", "tracks", std::string(kTrackList));
    host.set_setting_for("racemap", "tick_ms", std::int64_t{500});
    host.set_setting_for("racemap", "reconnect_grace_ms", std::int64_t{10'000});
    host.load(gamehost_plugin_room());
    host.load(gamehost_plugin_racemap());
  }

  // `n` players (users 101...) in one room, all ready: the race counts down.
  void ready_room(int n) {
    sessions.clear();
    for (int i = 0; i < n; ++i) {
      const auto s = host.connect();
      host.authenticate(s, 101 + i);
      sessions.push_back(s);
      if (i == 0) {
        rpb::CreateRoom c;
        c.set_game_type("race");
        c.set_seats(static_cast<std::uint32_t>(n));
        ASSERT_TRUE(host.deliver(s, kCreateRoom, c).ok());
        room_id = host.last_sent<rpb::RoomState>(s, kRoomState).room_id();
      } else {
        rpb::JoinRoom j;
        j.set_room_id(room_id);
        ASSERT_TRUE(host.deliver(s, kJoinRoom, j).ok());
      }
    }
    for (const auto s : sessions) {
      rpb::SetReady r;
      r.set_ready(true);
      ASSERT_TRUE(host.deliver(s, kSetReady, r).ok());
    }
    const auto view = host.last_sent<pb::RaceView>(sessions[0], kRaceView);
    race_id = view.race_id();
  }

  gamehost::testing::Outcome pass(gh_session_id s, std::uint32_t cp, std::uint32_t lap = 0,
                                  double dx = 0) {
    pb::PassCheckpoint p;
    p.set_checkpoint(cp);
    p.set_lap(lap);
    p.mutable_position()->set_x(kCp[cp % 3][0] + dx);
    p.mutable_position()->set_y(kCp[cp % 3][1]);
    return host.deliver(s, kPass, p);
  }
  void position(gh_session_id s, double x, double y) {
    pb::ReportPosition p;
    p.mutable_position()->set_x(x);
    p.mutable_position()->set_y(y);
    ASSERT_TRUE(host.deliver(s, kReportPosition, p).ok());
  }
  // Racer `s` makes its passes `from` to `to` - 1 (counted over the race), one a second.
  void drive(gh_session_id s, std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t i = from; i < to; ++i) {
      host.advance(1000);
      const auto out = pass(s, i % 3);
      ASSERT_TRUE(out.ok()) << "pass " << i << ": " << out.error_text;
    }
  }
  std::vector<pb::RaceEvent> events(gh_session_id s) const {
    std::vector<pb::RaceEvent> out;
    for (const auto& sent : host.sent(s)) {
      if (sent.msg_id != kRaceEvent) continue;
      pb::RaceEvent e;
      EXPECT_TRUE(e.ParseFromString(sent.bytes));
      out.push_back(e);
    }
    return out;
  }
  bool got_event(gh_session_id s, pb::RaceEvent::Kind kind, std::uint64_t user) const {
    for (const auto& e : events(s)) {
      if (e.kind() == kind && e.user_id() == user) return true;
    }
    return false;
  }
  std::vector<std::uint64_t> order(const pb::Standings& st) const {
    std::vector<std::uint64_t> out;
    for (const auto& s : st.standings()) out.push_back(s.user_id());
    return out;
  }
  std::vector<rpb::GameOver> game_overs() const {
    std::vector<rpb::GameOver> out;
    for (const auto& p : host.published()) {
      if (p.topic != "room.game_over") continue;
      rpb::GameOver over;
      EXPECT_TRUE(over.ParseFromString(p.bytes));
      out.push_back(over);
    }
    return out;
  }
  pb::Leaderboard leaderboard(gh_session_id s, const std::string& track, std::uint32_t limit) {
    pb::GetLeaderboard q;
    q.set_track(track);
    q.set_limit(limit);
    const auto out = host.deliver(s, kGetLeaderboard, q);
    EXPECT_TRUE(out.ok()) << out.error_text;
    return host.last_sent<pb::Leaderboard>(s, kLeaderboard);
  }

  // Best times seeded directly, with the bucket counts the plugin keeps beside them.
  void seed_best(const std::string& values) {
    host.sql("INSERT INTO racemap_best VALUES " + values);
    recount();
  }
  void recount() {
    host.sql(
        "DELETE FROM racemap_best_counts; INSERT INTO racemap_best_counts SELECT track, "
        "best_ms / 1000, COUNT(*) FROM racemap_best GROUP BY track, best_ms / 1000");
  }
  // The counts the plugin kept, against the best times themselves.
  std::string counts() {
    return host.sql_value(
        "SELECT GROUP_CONCAT(track || '/' || bucket || '=' || players, ' ') FROM (SELECT * FROM "
        "racemap_best_counts WHERE players != 0 ORDER BY track, bucket)");
  }
  std::string true_counts() {
    return host.sql_value(
        "SELECT GROUP_CONCAT(track || '/' || bucket || '=' || players, ' ') FROM (SELECT track, "
        "best_ms / 1000 AS bucket, COUNT(*) AS players FROM racemap_best GROUP BY track, "
        "best_ms / 1000 ORDER BY track, bucket)");
  }

  FakeHost host;
  std::vector<gh_session_id> sessions;
  std::uint64_t room_id = 0, race_id = 0;
};

TEST_F(Racemap, AFullRaceFromAReadyRoomToStoredResultsAndGameOver) {
  seed_best("('loop', 101, 99000, 1, 1), ('loop', 102, 1000, 1, 1)");
  ready_room(3);
  ASSERT_NE(race_id, 0u);
  EXPECT_TRUE(host.open_keys("racemap").contains(race_id));
  const auto view = host.last_sent<pb::RaceView>(sessions[1], kRaceView);
  EXPECT_EQ(view.phase(), pb::PHASE_COUNTDOWN);
  EXPECT_EQ(view.room_id(), room_id);
  EXPECT_EQ(view.track().name(), "loop");  // the first track: no default_track set
  EXPECT_EQ(view.track().checkpoints_size(), 3);
  EXPECT_EQ(view.track().laps(), 2u);
  EXPECT_EQ(view.go_at_ms(), host.now() + 3000);
  EXPECT_EQ(view.standings_size(), 3);
  EXPECT_EQ(pass(sessions[0], 0).error_code, kErrNotStarted);
  host.advance(3000);
  EXPECT_TRUE(got_event(sessions[2], pb::RaceEvent::GO, 0));
  // Alice laps fastest, then Bob, then Carol; a pass each second.
  for (std::uint32_t i = 0; i < 6; ++i) {
    host.advance(1000);
    ASSERT_TRUE(pass(sessions[0], i % 3).ok());
    if (i < 5) {
      ASSERT_TRUE(pass(sessions[1], i % 3).ok());
    }
    if (i < 4) {
      ASSERT_TRUE(pass(sessions[2], i % 3).ok());
    }
  }
  const auto accepted = host.last_sent<pb::PassAccepted>(sessions[0], kPassAccepted);
  EXPECT_TRUE(accepted.finished());
  EXPECT_EQ(accepted.lap(), 2u);
  EXPECT_EQ(accepted.race_ms(), 6000u);
  EXPECT_EQ(accepted.split_ms(), 1000u);
  EXPECT_TRUE(got_event(sessions[1], pb::RaceEvent::FINISHED, 101));
  host.advance(500);  // a tick: the ranking goes to everyone
  const auto live = host.last_sent<pb::Standings>(sessions[2], kStandings);
  EXPECT_EQ(order(live), (std::vector<std::uint64_t>{101, 102, 103}));
  EXPECT_EQ(live.standings(0).state(), pb::FINISHED);
  EXPECT_EQ(live.standings(0).finish_ms(), 6000u);
  EXPECT_EQ(live.standings(1).lap(), 2u);
  EXPECT_EQ(live.standings(1).checkpoint(), 2u);
  EXPECT_EQ(live.standings(2).passes(), 4u);
  EXPECT_EQ(game_overs().size(), 0u);
  host.advance(500);
  ASSERT_TRUE(pass(sessions[1], 2).ok());  // Bob finishes at 7 s
  host.advance(1000);
  ASSERT_TRUE(pass(sessions[2], 1).ok());
  host.advance(1000);
  ASSERT_TRUE(pass(sessions[2], 2).ok());  // Carol at 9 s: everyone is done
  const auto result = host.last_sent<pb::RaceResult>(sessions[0], kRaceResult);
  EXPECT_EQ(result.reason(), pb::RaceResult::ALL_FINISHED);
  ASSERT_EQ(result.standings_size(), 3);
  EXPECT_EQ(result.standings(1).user_id(), 102u);
  EXPECT_EQ(result.standings(1).place(), 2u);
  EXPECT_EQ(result.standings(2).finish_ms(), 9000u);
  const auto overs = game_overs();
  ASSERT_EQ(overs.size(), 1u);
  EXPECT_EQ(overs[0].game_id(), race_id);
  EXPECT_EQ(overs[0].room_id(), room_id);
  EXPECT_EQ(overs[0].game_type(), "race");
  EXPECT_EQ(overs[0].reason(), "");
  // The room waits again; the racers are in no race; the key is closed.
  ASSERT_TRUE(host.deliver(sessions[0], kGetRoom, rpb::GetRoom{}).ok());
  EXPECT_EQ(host.last_sent<rpb::RoomState>(sessions[0], kRoomState).phase(), rpb::PHASE_WAITING);
  EXPECT_EQ(host.deliver(sessions[0], kGetRace, pb::GetRace{}).error_code, kErrNotInRace);
  EXPECT_FALSE(host.open_keys("racemap").contains(race_id));
  // Stored: the race, three results, and the best times (Bob's old 1 s stays).
  EXPECT_EQ(host.sql_value("SELECT track || ':' || reason || ':' || racers FROM racemap_races "
                           "WHERE race_id = " +
                           std::to_string(race_id)),
            "loop:all_finished:3");
  EXPECT_EQ(host.sql_value("SELECT GROUP_CONCAT(user_id || '=' || place || '/' || finish_ms, ' ') "
                           "FROM (SELECT * FROM racemap_results ORDER BY place)"),
            "101=1/6000 102=2/7000 103=3/9000");
  EXPECT_EQ(host.sql_value("SELECT GROUP_CONCAT(user_id || '=' || best_ms, ' ') FROM "
                           "(SELECT * FROM racemap_best WHERE track = 'loop' ORDER BY user_id)"),
            "101=6000 102=1000 103=9000");
  EXPECT_EQ(host.sql_value("SELECT race_id FROM racemap_best WHERE user_id = 103"),
            std::to_string(race_id));
  EXPECT_EQ(counts(), "loop/1=1 loop/6=1 loop/9=1");  // Alice moved out of the 99 s bucket
  EXPECT_EQ(counts(), true_counts());
  // The room can race again.
  for (const auto s : sessions) {
    rpb::SetReady r;
    r.set_ready(true);
    ASSERT_TRUE(host.deliver(s, kSetReady, r).ok());
  }
  EXPECT_NE(host.last_sent<pb::RaceView>(sessions[0], kRaceView).race_id(), race_id);
}

TEST_F(Racemap, RefusedPassesGetPreciseCodesAndChangeNothing) {
  ready_room(2);
  const auto alice = sessions[0];
  host.advance(3000);
  host.advance(500);
  EXPECT_EQ(pass(alice, 0).error_code, kErrTooFast);  // 0.5 s after the go; 1 s at least
  host.advance(500);
  EXPECT_EQ(pass(alice, 1).error_code, kErrSkipped);
  EXPECT_EQ(pass(alice, 0, 0, 5.5).error_code, kErrOutsideRadius);
  EXPECT_EQ(pass(alice, 0, 3).error_code, kErrNoSuchCheckpoint);  // two laps only
  pb::PassCheckpoint no_such;
  no_such.set_checkpoint(3);
  *no_such.mutable_position() = pb::Vec3{};
  EXPECT_EQ(host.deliver(alice, kPass, no_such).error_code, kErrNoSuchCheckpoint);
  pb::PassCheckpoint nowhere;  // no position at all
  EXPECT_EQ(host.deliver(alice, kPass, nowhere).error_code, kErrBadPosition);
  const auto skipped = host.errors(alice)[1];
  EXPECT_EQ(skipped.code, kErrSkipped);
  EXPECT_NE(skipped.text.find("next: checkpoint 0 of lap 1"), std::string::npos) << skipped.text;
  // None of it counted: the first pass is still checkpoint 0, timed from the go.
  ASSERT_TRUE(pass(alice, 0, 1, 4.9).ok());
  EXPECT_EQ(host.last_sent<pb::PassAccepted>(alice, kPassAccepted).split_ms(), 1000u);
  EXPECT_EQ(pass(alice, 0).error_code, kErrAlreadyPassed);
  host.advance(999);
  EXPECT_EQ(pass(alice, 1).error_code, kErrTooFast);
  host.advance(1);
  ASSERT_TRUE(pass(alice, 1).ok());
  EXPECT_EQ(host.last_sent<pb::PassAccepted>(alice, kPassAccepted).passes(), 2u);
  // Someone in no race.
  const auto outsider = host.connect();
  host.authenticate(outsider, 999);
  EXPECT_EQ(pass(outsider, 0).error_code, kErrNotInRace);
  EXPECT_EQ(host.deliver(outsider, kGetRace, pb::GetRace{}).error_code, kErrNotInRace);
}

TEST_F(Racemap, TheLiveRankingUsesTheDistanceFromTheLastReportedPosition) {
  ready_room(3);
  host.advance(4000);
  for (const auto s : sessions) ASSERT_TRUE(pass(s, 0).ok());
  position(sessions[0], 40, 0);  // 60 to checkpoint 1
  position(sessions[1], 90, 0);  // 10
  position(sessions[2], 70, 0);  // 30
  host.advance(500);
  auto live = host.last_sent<pb::Standings>(sessions[0], kStandings);
  EXPECT_EQ(order(live), (std::vector<std::uint64_t>{102, 103, 101}));
  EXPECT_DOUBLE_EQ(live.standings(0).distance(), 10);
  EXPECT_EQ(live.time_left_ms(), 60'000u - 1500);
  position(sessions[2], 90, 0);  // as close as Bob, and passed checkpoint 0 at the same time
  host.advance(500);
  live = host.last_sent<pb::Standings>(sessions[1], kStandings);
  EXPECT_EQ(live.standings(0).place(), 1u);
  EXPECT_EQ(live.standings(1).place(), 1u);  // a tie
  EXPECT_EQ(live.standings(2).place(), 3u);
  pb::ReportPosition bad;
  bad.mutable_position()->set_x(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(host.deliver(sessions[0], kReportPosition, bad).error_code, kErrBadPosition);
  // Every racer got a ranking at the go and on every tick since (3, 3.5, ... 5 s).
  for (const auto s : sessions) EXPECT_EQ(host.count_sent(s, kStandings), 6u);
}

TEST_F(Racemap, TheTimeLimitEndsTheRaceAndOnlyFinishersGetATime) {
  host.set_setting_for("racemap", "default_track", std::string("dragstrip"));
  host.load(gamehost_plugin_racemap());
  ready_room(2);
  EXPECT_EQ(host.last_sent<pb::RaceView>(sessions[0], kRaceView).track().name(), "dragstrip");
  host.advance(1000 + 1000);
  ASSERT_TRUE(pass(sessions[0], 0).ok());
  ASSERT_TRUE(pass(sessions[1], 0).ok());
  host.advance(7999);
  EXPECT_EQ(pass(sessions[0], 1, 0, 300).error_code, kErrTooFast);  // the checkpoint's own 8 s
  host.advance(1);
  pb::PassCheckpoint finish;
  finish.set_checkpoint(1);
  finish.mutable_position()->set_x(400);
  ASSERT_TRUE(host.deliver(sessions[0], kPass, finish).ok());
  host.advance(300'000);  // the default limit: 5 minutes
  const auto result = host.last_sent<pb::RaceResult>(sessions[1], kRaceResult);
  EXPECT_EQ(result.reason(), pb::RaceResult::TIME_LIMIT);
  EXPECT_EQ(result.race_ms(), 300'000u);
  EXPECT_EQ(result.standings(1).state(), pb::RACING);
  EXPECT_EQ(game_overs().size(), 1u);
  EXPECT_EQ(host.sql_value("SELECT reason FROM racemap_races"), "time_limit");
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM racemap_results WHERE finish_ms IS NULL"), "1");
  EXPECT_EQ(host.sql_value("SELECT user_id || '=' || best_ms FROM racemap_best"), "101=9000");
}

TEST_F(Racemap, ADroppedRacerIsRankedLastAndRacesOnWhenBackWithinTheGracePeriod) {
  ready_room(3);
  host.advance(4000);
  for (const auto s : sessions) ASSERT_TRUE(pass(s, 0).ok());
  host.advance(1000);
  ASSERT_TRUE(pass(sessions[0], 1).ok());  // Alice leads
  ASSERT_TRUE(pass(sessions[1], 1).ok());
  host.disconnect(sessions[0]);
  EXPECT_TRUE(got_event(sessions[1], pb::RaceEvent::DISCONNECTED, 101));
  host.advance(500);
  auto live = host.last_sent<pb::Standings>(sessions[1], kStandings);
  EXPECT_EQ(order(live), (std::vector<std::uint64_t>{102, 103, 101}));
  EXPECT_EQ(live.standings(2).state(), pb::DISCONNECTED);
  host.advance(8000);  // 8.5 s of the 10 s grace
  const auto back = host.connect();
  host.authenticate(back, 101);
  EXPECT_TRUE(got_event(sessions[2], pb::RaceEvent::RECONNECTED, 101));
  const auto view = host.last_sent<pb::RaceView>(back, kRaceView);
  EXPECT_EQ(view.phase(), pb::PHASE_RACING);
  EXPECT_EQ(view.you().passes(), 2u);
  EXPECT_EQ(view.you().state(), pb::RACING);
  host.advance(500);
  live = host.last_sent<pb::Standings>(back, kStandings);
  EXPECT_EQ(order(live), (std::vector<std::uint64_t>{101, 102, 103}));
  ASSERT_TRUE(pass(back, 2).ok());  // and on it goes
  host.advance(10'000);
  EXPECT_FALSE(got_event(sessions[1], pb::RaceEvent::RETIRED, 101));
}

TEST_F(Racemap, ARacerNotBackInTimeIsRetiredAndTheRaceEndsWithoutThem) {
  ready_room(2);
  host.advance(4000);
  ASSERT_TRUE(pass(sessions[0], 0).ok());
  ASSERT_TRUE(pass(sessions[1], 0).ok());
  host.disconnect(sessions[1]);
  host.advance(10'000);
  EXPECT_TRUE(got_event(sessions[0], pb::RaceEvent::RETIRED, 102));
  const auto late = host.connect();
  host.authenticate(late, 102);  // too late: sees the race, cannot race
  EXPECT_EQ(host.last_sent<pb::RaceView>(late, kRaceView).you().state(), pb::RETIRED);
  EXPECT_EQ(pass(late, 1).error_code, kErrRetired);
  drive(sessions[0], 1, 6);
  const auto result = host.last_sent<pb::RaceResult>(sessions[0], kRaceResult);
  EXPECT_EQ(result.reason(), pb::RaceResult::ALL_FINISHED);
  EXPECT_EQ(result.standings(1).user_id(), 102u);
  EXPECT_EQ(result.standings(1).state(), pb::RETIRED);
  EXPECT_EQ(
      host.sql_value("SELECT state || '/' || passes FROM racemap_results WHERE user_id = 102"),
      "3/1");
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM racemap_best"), "1");
}

TEST_F(Racemap, ALogoutOnARacersConnectionDropsThatRacer) {
  ready_room(2);
  host.advance(4000);
  host.authenticate(sessions[1], 0);  // logged out; the connection stays open
  EXPECT_TRUE(got_event(sessions[0], pb::RaceEvent::DISCONNECTED, 102));
  host.advance(500);
  EXPECT_EQ(host.last_sent<pb::Standings>(sessions[0], kStandings).standings(1).state(),
            pb::DISCONNECTED);
  host.authenticate(sessions[1], 102);  // and back on the same connection
  EXPECT_TRUE(got_event(sessions[0], pb::RaceEvent::RECONNECTED, 102));
  EXPECT_TRUE(pass(sessions[1], 0).ok());
}

TEST_F(Racemap, EveryoneDroppedAndNotBackEndsTheRace) {
  ready_room(2);
  host.disconnect(sessions[0]);
  host.disconnect(sessions[1]);
  host.advance(10'500);
  EXPECT_EQ(game_overs().size(), 1u);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM racemap_results WHERE state = 3"), "2");
}

TEST_F(Racemap, TheLeaderboardListsBestTimesInOrderAndTheCallersRank) {
  // 200 players on loop: user 1000+i has 10000 + 10*i ms; 1005 and 1006 tie with 1004.
  std::string values;
  for (int i = 0; i < 200; ++i) {
    const int ms = (i == 5 || i == 6) ? 10'040 : 10'000 + 10 * i;
    values += (i ? "," : "") + std::string("('loop',") + std::to_string(1000 + i) + "," +
              std::to_string(ms) + ",7," + std::to_string(i) + ")";
  }
  seed_best(values + ",('dragstrip', 1000, 1, 1, 1)");
  const auto me = host.connect();
  host.authenticate(me, 1150);
  auto board = leaderboard(me, "", 8);  // "": the default track, loop
  EXPECT_EQ(board.track(), "loop");
  ASSERT_EQ(board.entries_size(), 8);
  std::vector<std::string> got;
  for (const auto& e : board.entries()) {
    got.push_back(std::to_string(e.rank()) + ":" + std::to_string(e.user_id()) + ":" +
                  std::to_string(e.best_ms()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"1:1000:10000", "2:1001:10010", "3:1002:10020",
                                           "4:1003:10030", "5:1004:10040", "5:1005:10040",
                                           "5:1006:10040", "8:1007:10070"}));
  EXPECT_EQ(board.your_rank(), 151u);  // 150 players are faster
  EXPECT_EQ(board.your_best_ms(), 11'500u);
  EXPECT_EQ(board.entries(0).race_id(), 7u);
  host.authenticate(me, 1006);  // inside the top: the tie's rank
  board = leaderboard(me, "loop", 8);
  EXPECT_EQ(board.your_rank(), 5u);
  board = leaderboard(me, "loop", 3);  // outside it: counted, the tie's rank still
  EXPECT_EQ(board.your_rank(), 5u);
  EXPECT_EQ(board.your_best_ms(), 10'040u);
  host.authenticate(me, 1100);  // 11000 ms: the first of its bucket
  EXPECT_EQ(leaderboard(me, "loop", 3).your_rank(), 101u);
  host.authenticate(me, 1199);  // the last
  EXPECT_EQ(leaderboard(me, "loop", 3).your_rank(), 200u);
  host.authenticate(me, 5);  // no time on the track
  board = leaderboard(me, "loop", 0);
  EXPECT_EQ(board.entries_size(), 10);  // the default limit
  EXPECT_EQ(board.your_rank(), 0u);
  board = leaderboard(me, "loop", 5000);
  EXPECT_EQ(board.entries_size(), 100);  // capped at leaderboard_max
  board = leaderboard(me, "dragstrip", 5);
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).user_id(), 1000u);
  pb::GetLeaderboard unknown;
  unknown.set_track("nowhere");
  EXPECT_EQ(host.deliver(me, kGetLeaderboard, unknown).error_code, kErrUnknownTrack);
  ASSERT_TRUE(host.deliver(me, kGetTracks, pb::GetTracks{}).ok());
  const auto tracks = host.last_sent<pb::Tracks>(me, kTracksMsg);
  ASSERT_EQ(tracks.tracks_size(), 2);
  EXPECT_EQ(tracks.default_track(), "loop");
  EXPECT_EQ(tracks.tracks(1).checkpoints(1).min_ms(), 8000u);
}

TEST_F(Racemap, ABetterTimeReplacesTheBestAndASlowerOneDoesNot) {
  ready_room(1);
  host.advance(3000);
  for (std::uint32_t i = 0; i < 6; ++i) {
    host.advance(2000);
    ASSERT_TRUE(pass(sessions[0], i % 3).ok());
  }
  EXPECT_EQ(host.sql_value("SELECT best_ms FROM racemap_best WHERE user_id = 101"), "12000");
  const auto first = race_id;
  for (const auto& [step, expect] : {std::pair{3000, "12000"}, std::pair{1000, "6000"}}) {
    rpb::SetReady r;
    r.set_ready(true);
    ASSERT_TRUE(host.deliver(sessions[0], kSetReady, r).ok());
    host.advance(3000);
    for (std::uint32_t i = 0; i < 6; ++i) {
      host.advance(step);
      ASSERT_TRUE(pass(sessions[0], i % 3).ok());
    }
    EXPECT_EQ(host.sql_value("SELECT best_ms FROM racemap_best WHERE user_id = 101"), expect);
  }
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM racemap_results WHERE user_id = 101"), "3");
  EXPECT_NE(host.sql_value("SELECT race_id FROM racemap_best"), std::to_string(first));
  EXPECT_EQ(counts(), "loop/6=1");
  const auto board = leaderboard(sessions[0], "loop", 3);
  EXPECT_EQ(board.your_rank(), 1u);
  EXPECT_EQ(board.your_best_ms(), 6000u);
}

TEST_F(Racemap, AHandoverReloadKeepsTheRaceAndItFinishes) {
  ready_room(2);
  host.advance(1000);
  host.reload(gamehost_plugin_racemap());  // during the countdown
  host.advance(2000);
  EXPECT_TRUE(got_event(sessions[0], pb::RaceEvent::GO, 0));
  host.advance(1000);
  ASSERT_TRUE(pass(sessions[0], 0).ok());
  position(sessions[1], 3, 4);
  host.advance(1000);
  ASSERT_TRUE(pass(sessions[0], 1).ok());
  host.reload(gamehost_plugin_racemap());  // while racing
  EXPECT_EQ(pass(sessions[0], 1).error_code, kErrAlreadyPassed);
  ASSERT_TRUE(host.deliver(sessions[1], kGetRace, pb::GetRace{}).ok());
  const auto view = host.last_sent<pb::RaceView>(sessions[1], kRaceView);
  EXPECT_EQ(view.race_id(), race_id);
  EXPECT_EQ(view.race_ms(), 2000u);
  EXPECT_DOUBLE_EQ(view.you().distance(), 5);  // its position came over too
  EXPECT_EQ(view.standings(0).user_id(), 101u);
  host.advance(1000);
  drive(sessions[0], 2, 6);
  drive(sessions[1], 0, 1);
  host.advance(1000);
  drive(sessions[1], 1, 2);
  host.advance(57'000);  // the time limit still counts from the first build's go
  const auto result = host.last_sent<pb::RaceResult>(sessions[0], kRaceResult);
  EXPECT_EQ(result.reason(), pb::RaceResult::TIME_LIMIT);
  EXPECT_EQ(result.race_ms(), 60'000u);
  EXPECT_EQ(result.standings(0).finish_ms(), 3000u + 4000u);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM racemap_results"), "2");
}

TEST_F(Racemap, ABadTrackSettingRefusesThePluginAndSaysWhy) {
  host.set_setting_for("racemap", "tracks", std::string("loop laps=0 cp=0,0,5"));
  try {
    host.load(gamehost_plugin_racemap());
    FAIL() << "loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("tracks: track loop: \"laps=0\""), std::string::npos)
        << e.what();
  }
  host.set_setting_for("racemap", "tracks", std::string(kTrackList));
  host.set_setting_for("racemap", "default_track", std::string("nowhere"));
  EXPECT_THROW(host.load(gamehost_plugin_racemap()), std::runtime_error);
}

}  // namespace
