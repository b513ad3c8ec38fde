// Whole checkpoint races through the real binary on loopback (issue 12): auth, user, room
// and racemap loaded on SQLite and on MariaDB; players register, one creates a "race" room,
// the others join, everybody gets ready; racemap counts down, takes the checkpoint passes
// (two racers over TCP, one over WebSocket), refuses the wrong ones with their error codes,
// pushes the live ranking, ends the race when everybody has finished, sends each racer the
// result and gives the room back (waiting for ready again). The results and the best times
// are then read from the database, and GetLeaderboard shows the order and the caller's rank.
//
// Pacing: a track's min_gap_ms is the least time between two passes, and the server takes
// the time of a pass when it receives it. Racers here never sleep: before a pass they wait
// for the server's own race clock (the race_ms of the Standings pushed every tick) to show
// that the gap is over, so a pass is never too fast and finish times are ordered by design.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "auth.pb.h"
#include "racemap.pb.h"
#include "room.pb.h"
#include "support/clients.hpp"
#include "support/databases.hpp"
#include "support/host_process.hpp"

namespace gamehost::testing {
namespace {

using namespace std::chrono_literals;
namespace pb = gamehost::racemap;
namespace rpb = gamehost::room;

namespace id {
constexpr std::uint32_t kError = 2;
constexpr std::uint32_t kRegister = 1000, kLoginReply = 1001;
constexpr std::uint32_t kCreateRoom = 2000, kRoomState = 2001, kJoinRoom = 2004,
                        kSetReady = 2007, kRoomUpdate = 2010, kGetRoom = 2014;
constexpr std::uint32_t kPass = 3100, kPassAccepted = 3101, kRaceView = 3103,
                        kRaceEvent = 3104, kStandings = 3105, kRaceResult = 3106,
                        kGetLeaderboard = 3108, kLeaderboard = 3109;
// racemap's error codes (plugins/racemap/errors.hpp)
constexpr std::uint32_t kErrNotInRace = 3180, kErrNotStarted = 3181, kErrFinished = 3182,
                        kErrSkipped = 3185, kErrUnknownTrack = 3190;
}  // namespace id

// Three checkpoints 50 apart, two laps: six passes finish. 40 ms at least between passes,
// the ranking every 50 ms, 0.8 s of countdown (long enough to be seen refusing a pass).
constexpr std::uint64_t kGapMs = 40;
constexpr std::uint32_t kCheckpoints = 3, kLaps = 2, kPasses = kCheckpoints * kLaps;
constexpr double kCp[kCheckpoints][2] = {{0, 0}, {50, 0}, {50, 50}};
constexpr const char* kTrack =
    "dash laps=2 countdown_ms=800 min_gap_ms=40 limit_ms=30000 cp=0,0,5 50,0,5 50,50,5";

std::string race_config(const std::string& url) {
  return "[storage]\nurl = \"" + url + "\"\nmigrations_dir = \"" + GAMEHOST_SOURCE_DIR +
         "/migrations\"\n[plugins]\nrequired = true\nload = [\"auth\", \"user\", \"room\", "
         "\"racemap\"]\n"
         "[plugins.auth]\nfile = \"" +
         plugin_path("auth") +
         "\"\ncapabilities = [\"bind_user\"]\n"
         "[plugins.auth.settings]\nargon2_ops_limit = 1\nargon2_mem_limit_kib = 8\n"
         "[plugins.user]\nfile = \"" +
         plugin_path("user") + "\"\n[plugins.room]\nfile = \"" + plugin_path("room") +
         "\"\n[plugins.room.settings]\ngames = \"doudizhu:3, race:2-8\"\n"
         "[plugins.racemap]\nfile = \"" +
         plugin_path("racemap") + "\"\n[plugins.racemap.settings]\ntracks = \"" + kTrack +
         "\"\ntick_ms = 50\n";
}

// One player's connection (TCP or WebSocket). Frames a step does not wait for are kept
// for later steps. Every receive waits for a frame that is due (a WebSocket client cannot
// be used again after a receive timed out), and a missing one fails the test.
class Racer {
 public:
  Racer(std::unique_ptr<Client> client, std::string name)
      : client_(std::move(client)), name_(std::move(name)) {
    auth::RegisterRequest r;
    r.set_username(name_);
    r.set_password("secret123");
    user_id = call<auth::LoginReply>(id::kRegister, r, id::kLoginReply).user_id();
  }

  // The first frame `match` takes: among the kept ones, then new ones.
  Frame next(const std::function<bool(const Frame&)>& match, std::chrono::milliseconds t = 10s) {
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (match(*it)) {
        Frame f = *it;
        kept_.erase(it);
        return f;
      }
    }
    return next_new(match, t);
  }
  template <class Msg>
  Msg wait(std::uint32_t msg_id, const std::function<bool(const Msg&)>& pred = {}) {
    return next([&](const Frame& f) {
             return f.msg_id == msg_id && (!pred || pred(f.as<Msg>()));
           }).template as<Msg>();
  }
  pb::RaceEvent event(pb::RaceEvent::Kind kind, std::uint64_t user = 0) {
    return wait<pb::RaceEvent>(id::kRaceEvent, [&](const pb::RaceEvent& e) {
      return e.kind() == kind && (user == 0 || e.user_id() == user);
    });
  }

  // Sends a request; its answer is the first new frame `is_reply` takes, or an Error for it.
  Frame request(std::uint32_t msg_id, const google::protobuf::MessageLite& m,
                const std::function<bool(const Frame&)>& is_reply) {
    client_->send(msg_id, m);
    return next_new([&](const Frame& f) {
      return is_reply(f) ||
             (f.msg_id == id::kError && f.as<wire::Error>().request_id() == msg_id);
    });
  }
  Frame request(std::uint32_t msg_id, const google::protobuf::MessageLite& m,
                std::uint32_t reply_id) {
    return request(msg_id, m, [reply_id](const Frame& f) { return f.msg_id == reply_id; });
  }
  // The answer of a request that must be accepted.
  template <class Reply>
  Reply call(std::uint32_t msg_id, const google::protobuf::MessageLite& m,
             std::uint32_t reply_id) {
    const auto f = request(msg_id, m, reply_id);
    if (f.msg_id == id::kError) {
      const auto e = f.as<wire::Error>();
      throw std::runtime_error(name_ + ": request " + std::to_string(msg_id) + " refused: " +
                               std::to_string(e.code()) + " " + e.text());
    }
    return f.as<Reply>();
  }
  // The Error of a request that must be refused.
  wire::Error refused(std::uint32_t msg_id, const google::protobuf::MessageLite& m,
                      std::uint32_t reply_id) {
    const auto f = request(msg_id, m, reply_id);
    if (f.msg_id != id::kError)
      throw std::runtime_error(name_ + ": request " + std::to_string(msg_id) + " was accepted");
    return f.as<wire::Error>();
  }

  static pb::PassCheckpoint pass_message(std::uint32_t cp, std::uint32_t lap) {
    pb::PassCheckpoint p;
    p.set_checkpoint(cp);
    p.set_lap(lap);
    p.mutable_position()->set_x(kCp[cp][0]);
    p.mutable_position()->set_y(kCp[cp][1]);
    return p;
  }
  // Passes checkpoint `cp` of `lap` at its centre once the server's clock allows it, and
  // not before the server's race time `not_before_ms` either.
  pb::PassAccepted pass(std::uint32_t cp, std::uint32_t lap, std::uint64_t not_before_ms = 0) {
    pace(std::max(last_pass_ms + kGapMs, not_before_ms));
    const auto a = call<pb::PassAccepted>(id::kPass, pass_message(cp, lap), id::kPassAccepted);
    last_pass_ms = a.race_ms();
    clock_ = std::max(clock_, a.race_ms());
    return a;
  }
  // The error code of a pass the server must refuse (sent at once).
  wire::Error refused_pass(std::uint32_t cp, std::uint32_t lap) {
    return refused(id::kPass, pass_message(cp, lap), id::kPassAccepted);
  }

  // Waits until the race clock the server pushes (Standings.race_ms) reaches `ms`.
  void pace(std::uint64_t ms) {
    if (clock_ >= ms) return;
    next_new([&](const Frame&) { return clock_ >= ms; });  // that frame is kept as well
  }
  // Forgets what was kept: a new race begins (its frames are all still to come).
  void new_race() {
    kept_.clear();
    clock_ = 0;
    last_pass_ms = 0;
  }

  const std::string& name() const { return name_; }
  std::uint64_t user_id = 0;
  std::uint64_t last_pass_ms = 0;  // race time of the last accepted pass (0 = the go)

 private:
  Frame next_new(const std::function<bool(const Frame&)>& match, std::chrono::milliseconds t = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + t;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto f = left.count() > 0 ? client_->recv(left) : std::nullopt;
      if (!f) throw std::runtime_error(name_ + ": the awaited frame did not come");
      if (f->msg_id == id::kStandings) clock_ = std::max(clock_, f->as<pb::Standings>().race_ms());
      const bool taken = match(*f);
      if (!taken || f->msg_id == id::kStandings) kept_.push_back(*f);
      if (taken) return *f;
    }
  }

  std::unique_ptr<Client> client_;
  std::string name_;
  std::vector<Frame> kept_;
  std::uint64_t clock_ = 0;  // the latest race time the server has shown
};

const pb::Standing& standing_of(const google::protobuf::RepeatedPtrField<pb::Standing>& all,
                                const Racer& r) {
  for (const auto& s : all) {
    if (s.user_id() == r.user_id) return s;
  }
  throw std::runtime_error(r.name() + " is not in the standings");
}

// The first racer creates a race room with a seat for each racer; the others join. The
// room id.
std::uint64_t open_room(const std::vector<Racer*>& racers) {
  rpb::CreateRoom c;
  c.set_name("sprint");
  c.set_game_type("race");
  c.set_seats(static_cast<std::uint32_t>(racers.size()));
  const auto room = racers[0]->call<rpb::RoomState>(id::kCreateRoom, c, id::kRoomState);
  EXPECT_EQ(room.game_type(), "race");
  EXPECT_EQ(room.phase(), rpb::PHASE_WAITING);
  for (std::size_t i = 1; i < racers.size(); ++i) {
    rpb::JoinRoom j;
    j.set_room_id(room.room_id());
    EXPECT_EQ(racers[i]->call<rpb::RoomState>(id::kJoinRoom, j, id::kRoomState).members_size(),
              static_cast<int>(i + 1));
  }
  return room.room_id();
}

// Everybody gets ready: room starts the game and racemap shows each racer the race in its
// countdown. The race id (= room's game id).
std::uint64_t ready_all(const std::vector<Racer*>& racers, std::uint64_t room_id) {
  for (auto* r : racers) {
    r->new_race();
    rpb::SetReady ready;
    ready.set_ready(true);
    const auto f = r->request(id::kSetReady, ready, [r](const Frame& f) {
      return f.msg_id == id::kRoomUpdate &&
             f.as<rpb::RoomUpdate>().member_changed().user_id() == r->user_id;
    });
    EXPECT_EQ(f.msg_id, id::kRoomUpdate) << r->name() << " could not get ready";
  }
  std::uint64_t game = 0;
  for (auto* r : racers) {
    game = r->wait<rpb::RoomUpdate>(id::kRoomUpdate, [](const rpb::RoomUpdate& u) {
              return u.change_case() == rpb::RoomUpdate::kGameStarted;
            }).game_started();
  }
  for (auto* r : racers) {
    const auto view = r->wait<pb::RaceView>(id::kRaceView);
    EXPECT_EQ(view.race_id(), game);
    EXPECT_EQ(view.room_id(), room_id);
    EXPECT_EQ(view.phase(), pb::PHASE_COUNTDOWN);
    EXPECT_EQ(view.track().name(), "dash");
    EXPECT_EQ(view.track().checkpoints_size(), static_cast<int>(kCheckpoints));
    EXPECT_EQ(view.track().laps(), kLaps);
    EXPECT_EQ(view.standings_size(), static_cast<int>(racers.size()));
    EXPECT_EQ(view.you().user_id(), r->user_id);
  }
  return game;
}

// Pass number `n` (0-based over the whole race): its checkpoint and its lap.
std::uint32_t cp_of(std::uint32_t n) { return n % kCheckpoints; }
std::uint32_t lap_of(std::uint32_t n) { return n / kCheckpoints + 1; }

// After the go, the racers drive the whole race in rounds, finishing in the order given:
// each one's last pass waits until the server's clock is past the previous finisher's time,
// and past `last_not_before` of that racer. Their finish times, by user id.
std::map<std::uint64_t, std::uint64_t> finish_in_order(
    const std::vector<Racer*>& order, std::map<const Racer*, std::uint64_t> last_not_before = {}) {
  for (auto* r : order) r->event(pb::RaceEvent::GO);
  std::map<std::uint64_t, std::uint64_t> finish;
  for (std::uint32_t n = 0; n < kPasses; ++n) {
    std::uint64_t previous = 0;
    for (auto* r : order) {
      const bool last = n + 1 == kPasses;
      const auto a =
          r->pass(cp_of(n), lap_of(n), last ? std::max(previous + 1, last_not_before[r]) : 0);
      EXPECT_EQ(a.finished(), last) << r->name();
      if (last) finish[r->user_id] = previous = a.race_ms();
    }
  }
  return finish;
}

// Waits (polling the database) until the race's results are stored: the racers hear the
// result first, the records are written just after, off racemap's queue.
bool stored(const std::string& url, std::uint64_t race) {
  const auto q = "SELECT COUNT(*) FROM racemap_races WHERE race_id = " + std::to_string(race);
  for (int i = 0; i < 500; ++i) {
    if (query_int(url, q) == 1) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

class RaceSuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") {
      if (mysql_url() == nullptr) {
        if (std::getenv("GAMEHOST_REQUIRE_MYSQL") != nullptr)
          FAIL() << "GAMEHOST_TEST_MYSQL_URL is not set";
        GTEST_SKIP() << "no MariaDB (scripts/test starts one and sets GAMEHOST_TEST_MYSQL_URL)";
      }
      url_ = mysql_url();
    } else {
      url_ = "sqlite:" + db_dir_.str() + "/race.db";
    }
    drop_project_tables(url_);
    host_ = std::make_unique<HostProcess>(race_config(url_));
  }
  std::int64_t sql(const std::string& q) { return query_int(url_, q); }
  std::unique_ptr<Racer> tcp(const std::string& name) {
    return std::make_unique<Racer>(std::make_unique<TcpClient>(host_->tcp_port()), name);
  }
  std::unique_ptr<Racer> ws(const std::string& name) {
    return std::make_unique<Racer>(std::make_unique<WsClient>(host_->ws_port()), name);
  }
  // The stored row of (race, user) matches `where` (an SQL condition).
  bool result_is(std::uint64_t race, const Racer& r, const std::string& where) {
    return sql("SELECT COUNT(*) FROM racemap_results WHERE race_id = " + std::to_string(race) +
               " AND user_id = " + std::to_string(r.user_id) + " AND " + where) == 1;
  }
  std::int64_t best_ms(const Racer& r) {
    return sql("SELECT best_ms FROM racemap_best WHERE track = 'dash' AND user_id = " +
               std::to_string(r.user_id));
  }
  pb::Leaderboard leaderboard(Racer& r, const std::string& track = "", std::uint32_t limit = 0) {
    pb::GetLeaderboard g;
    g.set_track(track);
    g.set_limit(limit);
    return r.call<pb::Leaderboard>(id::kGetLeaderboard, g, id::kLeaderboard);
  }

  TempDir db_dir_;
  std::string url_;
  std::unique_ptr<HostProcess> host_;
};

// The whole life of one race, as the players see it, then in the database and on the
// leaderboard. ann and ben race over TCP, cat over WebSocket; dan is logged in, not racing.
TEST_P(RaceSuite, ARoomRacesFromReadyToStoredResultsAndTheLeaderboard) {
  auto ann = tcp("ann"), ben = tcp("ben"), cat = ws("cat"), dan = tcp("dan");
  Racer &a = *ann, &b = *ben, &c = *cat;
  const std::vector<Racer*> racers{&a, &b, &c};
  const auto room = open_room(racers);
  const auto race = ready_all(racers, room);
  ASSERT_NE(race, 0u);

  // The countdown: a pass is refused until the go; someone not racing is in no race.
  EXPECT_EQ(a.refused_pass(0, 1).code(), id::kErrNotStarted);
  EXPECT_EQ(dan->refused_pass(0, 1).code(), id::kErrNotInRace);
  for (auto* r : racers) EXPECT_EQ(r->event(pb::RaceEvent::GO).race_id(), race);

  // Everybody passes checkpoint 0; ann is first through checkpoint 1 too.
  for (auto* r : racers) {
    const auto first = r->pass(0, 1);
    EXPECT_EQ(first.passes(), 1u);
    EXPECT_EQ(first.next_checkpoint(), 1u);
    EXPECT_GE(first.split_ms(), kGapMs);  // from the go
  }
  const auto second = a.pass(1, 1);
  EXPECT_EQ(second.passes(), 2u);
  EXPECT_EQ(second.next_checkpoint(), 2u);

  // cat (WebSocket) sees the live ranking: ann leads with two passes, 50 from the next.
  {
    const auto live = c.wait<pb::Standings>(id::kStandings, [&](const pb::Standings& s) {
      return standing_of(s.standings(), a).passes() == 2;
    });
    EXPECT_EQ(live.race_id(), race);
    EXPECT_GT(live.time_left_ms(), 0u);
    const auto& sa = standing_of(live.standings(), a);
    EXPECT_EQ(sa.place(), 1u);
    EXPECT_EQ(sa.state(), pb::RACING);
    EXPECT_EQ(sa.lap(), 1u);
    EXPECT_EQ(sa.checkpoint(), 2u);
    EXPECT_DOUBLE_EQ(sa.distance(), 50.0);
    EXPECT_EQ(live.standings(0).user_id(), a.user_id);
    for (const Racer* r : {&b, &c}) {
      const auto& s = standing_of(live.standings(), *r);
      EXPECT_EQ(s.passes(), 1u) << r->name();
      EXPECT_GE(s.place(), 2u) << r->name();
      EXPECT_DOUBLE_EQ(s.distance(), 50.0) << r->name();
    }
  }

  // cat tries to cut to checkpoint 2: refused as skipped, with what is expected next, and
  // nothing changed (checkpoint 1 still counts as cat's next).
  {
    const auto skip = c.refused_pass(2, 1);
    EXPECT_EQ(skip.code(), id::kErrSkipped);
    EXPECT_NE(skip.text().find("(next: checkpoint 1 of lap 1)"), std::string::npos) << skip.text();
  }

  // The rest of the race: ben and cat catch up with checkpoint 1, then everybody drives on
  // in turn; ann finishes first, ben after her, cat last.
  for (auto* r : {&b, &c}) EXPECT_EQ(r->pass(1, 1).passes(), 2u);
  std::map<const Racer*, std::uint64_t> finish;
  for (std::uint32_t n = 2; n < kPasses; ++n) {
    std::uint64_t previous = 0;
    for (auto* r : racers) {
      const bool last = n + 1 == kPasses;
      const auto accepted = r->pass(cp_of(n), lap_of(n), last ? previous + 1 : 0);
      EXPECT_EQ(accepted.lap(), lap_of(n));
      EXPECT_EQ(accepted.passes(), n + 1);
      EXPECT_EQ(accepted.finished(), last);
      if (last) finish[r] = previous = accepted.race_ms();
      if (last && r == &a) {
        // Finished: a further pass is refused, and the others see ann finished, first.
        EXPECT_EQ(a.refused_pass(0, 1).code(), id::kErrFinished);
        const auto e = b.event(pb::RaceEvent::FINISHED, a.user_id);
        EXPECT_EQ(e.finish_ms(), finish[&a]);
        const auto live = c.wait<pb::Standings>(id::kStandings, [&](const pb::Standings& s) {
          return standing_of(s.standings(), a).state() == pb::FINISHED;
        });
        EXPECT_EQ(live.standings(0).user_id(), a.user_id);
        EXPECT_EQ(live.standings(0).place(), 1u);
        EXPECT_EQ(live.standings(0).finish_ms(), finish[&a]);
        EXPECT_EQ(standing_of(live.standings(), b).state(), pb::RACING);
      }
    }
  }
  ASSERT_LT(finish[&a], finish[&b]);
  ASSERT_LT(finish[&b], finish[&c]);

  // The end: every racer gets the result, in finish order, with the times they were told.
  for (auto* r : racers) {
    const auto result = r->wait<pb::RaceResult>(id::kRaceResult);
    EXPECT_EQ(result.race_id(), race);
    EXPECT_EQ(result.track(), "dash");
    EXPECT_EQ(result.reason(), pb::RaceResult::ALL_FINISHED);
    EXPECT_GE(result.race_ms(), finish[&c]);
    ASSERT_EQ(result.standings_size(), 3);
    for (int i = 0; i < 3; ++i) {
      const auto& s = result.standings(i);
      EXPECT_EQ(s.user_id(), racers[i]->user_id) << r->name() << " place " << i + 1;
      EXPECT_EQ(s.place(), static_cast<std::uint32_t>(i + 1));
      EXPECT_EQ(s.state(), pb::FINISHED);
      EXPECT_EQ(s.passes(), kPasses);
      EXPECT_EQ(s.finish_ms(), finish[racers[i]]);
    }
  }
  // The room is given back: waiting for ready again, every member still seated.
  for (auto* r : racers) {
    EXPECT_EQ(r->wait<rpb::RoomUpdate>(id::kRoomUpdate, [](const rpb::RoomUpdate& u) {
                 return u.change_case() == rpb::RoomUpdate::kGameOver;
               }).game_over(),
              race);
  }
  {
    const auto state = b.call<rpb::RoomState>(id::kGetRoom, rpb::GetRoom{}, id::kRoomState);
    EXPECT_EQ(state.phase(), rpb::PHASE_WAITING);
    EXPECT_EQ(state.game_id(), 0u);
    EXPECT_EQ(state.members_size(), 3);
    for (const auto& m : state.members()) EXPECT_FALSE(m.ready());
  }
  // The race is over for its racers too.
  EXPECT_EQ(c.refused_pass(0, 1).code(), id::kErrNotInRace);

  // In the database: the race, each racer's place and time, and their best times.
  ASSERT_TRUE(stored(url_, race)) << host_->log();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM racemap_races WHERE race_id = " + std::to_string(race) +
                " AND room_id = " + std::to_string(room) +
                " AND track = 'dash' AND reason = 'all_finished' AND racers = 3"),
            1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM racemap_results WHERE race_id = " + std::to_string(race)),
            3);
  for (int i = 0; i < 3; ++i) {
    const Racer& r = *racers[i];
    EXPECT_TRUE(result_is(race, r,
                          "place = " + std::to_string(i + 1) +
                              " AND state = 1 AND passes = " + std::to_string(kPasses) +
                              " AND finish_ms = " + std::to_string(finish[&r])))
        << r.name();
    EXPECT_EQ(best_ms(r), static_cast<std::int64_t>(finish[&r])) << r.name();
    EXPECT_EQ(sql("SELECT race_id FROM racemap_best WHERE track = 'dash' AND user_id = " +
                  std::to_string(r.user_id)),
              static_cast<std::int64_t>(race));
  }
  EXPECT_EQ(sql("SELECT SUM(players) FROM racemap_best_counts WHERE track = 'dash'"), 3);

  // The leaderboard of the default track: the finish order, and the caller's own rank -
  // in the list (ben), below a short list (cat: limit 2), or none (dan has no time).
  {
    const auto board = leaderboard(b);
    EXPECT_EQ(board.track(), "dash");
    ASSERT_EQ(board.entries_size(), 3);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(board.entries(i).rank(), static_cast<std::uint32_t>(i + 1));
      EXPECT_EQ(board.entries(i).user_id(), racers[i]->user_id);
      EXPECT_EQ(board.entries(i).best_ms(), finish[racers[i]]);
      EXPECT_EQ(board.entries(i).race_id(), race);
      EXPECT_GT(board.entries(i).achieved_at_ms(), 0u);
    }
    EXPECT_EQ(board.your_rank(), 2u);
    EXPECT_EQ(board.your_best_ms(), finish[&b]);
  }
  {
    const auto board = leaderboard(c, "dash", 2);
    ASSERT_EQ(board.entries_size(), 2);
    EXPECT_EQ(board.entries(1).user_id(), b.user_id);
    EXPECT_EQ(board.your_rank(), 3u);
    EXPECT_EQ(board.your_best_ms(), finish[&c]);
  }
  {
    const auto board = leaderboard(*dan);
    EXPECT_EQ(board.entries_size(), 3);
    EXPECT_EQ(board.your_rank(), 0u);
    EXPECT_EQ(board.your_best_ms(), 0u);
  }
  pb::GetLeaderboard unknown;
  unknown.set_track("nowhere");
  EXPECT_EQ(dan->refused(id::kGetLeaderboard, unknown, id::kLeaderboard).code(),
            id::kErrUnknownTrack);
}

// The room waits for ready again after a race, and the next race in it starts: a slower
// time leaves a best time as it was, a faster one replaces it, and the leaderboard follows.
TEST_P(RaceSuite, TheNextRaceInTheRoomKeepsEachPlayersBestTime) {
  auto ann = tcp("ann"), ben = tcp("ben"), cat = ws("cat");
  Racer &a = *ann, &b = *ben, &c = *cat;
  const std::vector<Racer*> racers{&a, &b, &c};
  const auto room = open_room(racers);

  // First race: ann, ben, cat - cat well behind (not before 0.8 s).
  const auto first = ready_all(racers, room);
  const auto t1 = finish_in_order(racers, {{&c, 800}});
  for (auto* r : racers) {
    EXPECT_EQ(r->wait<pb::RaceResult>(id::kRaceResult).race_id(), first);
    r->wait<rpb::RoomUpdate>(id::kRoomUpdate, [](const rpb::RoomUpdate& u) {
      return u.change_case() == rpb::RoomUpdate::kGameOver;
    });
  }

  // Second race in the same room: cat first, as fast as allowed, then ben; ann last and
  // slower than her first time.
  const auto second = ready_all(racers, room);
  EXPECT_NE(second, first);
  const auto t2 = finish_in_order({&c, &b, &a}, {{&a, t1.at(a.user_id) + 1}});
  for (auto* r : racers) {
    const auto result = r->wait<pb::RaceResult>(id::kRaceResult);
    EXPECT_EQ(result.race_id(), second);
    ASSERT_EQ(result.standings_size(), 3);
    EXPECT_EQ(result.standings(0).user_id(), c.user_id);
    EXPECT_EQ(result.standings(2).user_id(), a.user_id);
  }
  ASSERT_TRUE(stored(url_, first) && stored(url_, second)) << host_->log();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM racemap_results"), 6);
  for (const Racer* r : racers) {
    EXPECT_TRUE(result_is(second, *r, "finish_ms = " + std::to_string(t2.at(r->user_id))));
    EXPECT_EQ(best_ms(*r),
              static_cast<std::int64_t>(std::min(t1.at(r->user_id), t2.at(r->user_id))))
        << r->name() << ": first " << t1.at(r->user_id) << " ms, second " << t2.at(r->user_id);
  }
  ASSERT_GT(t2.at(a.user_id), t1.at(a.user_id));
  ASSERT_LT(t2.at(c.user_id), t1.at(c.user_id));
  EXPECT_EQ(sql("SELECT race_id FROM racemap_best WHERE track = 'dash' AND user_id = " +
                std::to_string(a.user_id)),
            static_cast<std::int64_t>(first));
  EXPECT_EQ(sql("SELECT race_id FROM racemap_best WHERE track = 'dash' AND user_id = " +
                std::to_string(c.user_id)),
            static_cast<std::int64_t>(second));
  EXPECT_EQ(sql("SELECT SUM(players) FROM racemap_best_counts WHERE track = 'dash'"), 3);

  // The leaderboard: by best time over both races.
  std::vector<const Racer*> by_best{&a, &b, &c};
  std::sort(by_best.begin(), by_best.end(), [&](const Racer* x, const Racer* y) {
    return best_ms(*x) < best_ms(*y);
  });
  const auto board = leaderboard(a);
  ASSERT_EQ(board.entries_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(board.entries(i).user_id(), by_best[i]->user_id);
    EXPECT_EQ(board.entries(i).best_ms(), static_cast<std::uint64_t>(best_ms(*by_best[i])));
  }
  const auto own = std::find(by_best.begin(), by_best.end(), &a) - by_best.begin() + 1;
  EXPECT_EQ(board.your_rank(), static_cast<std::uint32_t>(own));
  EXPECT_EQ(board.your_best_ms(), t1.at(a.user_id));
}

INSTANTIATE_TEST_SUITE_P(Databases, RaceSuite, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gamehost::testing
