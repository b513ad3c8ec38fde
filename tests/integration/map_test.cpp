// The battlemap plugin through the real binary on loopback (issue 12): players log in with
// the auth plugin (a registered account or a guest device), enter a map over TCP and over
// WebSocket, walk across cell borders and see each other appear and disappear; refused
// moves get their error code and a Correction; a handover reload of battlemap while a
// player walks keeps every position and view; a reconnect within the grace period puts
// the player back in place, and after it the avatar goes.
//
// The map is small with a high speed and tick rate, so a walk is a few ticks of legal
// moves: a client sends at most one move a tick (as README.md asks), its clock is the real
// one, and a step of 40 units takes a third of a millisecond of the 20 ms between moves (so
// moves the loaded machine delivers bunched up are legal too).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "auth.pb.h"
#include "battlemap.pb.h"
#include "support/clients.hpp"
#include "support/host_process.hpp"

namespace gamehost::testing {
namespace {

using namespace std::chrono_literals;
namespace pb = gamehost::battlemap;

namespace id {
constexpr std::uint32_t kError = 2;
constexpr std::uint32_t kRegister = 1000, kLoginReply = 1001, kGuestLogin = 1004,
                        kTokenLogin = 1006;
constexpr std::uint32_t kEnter = 3000, kEntered = 3001, kMove = 3002, kCorrection = 3003,
                        kLeave = 3004, kLeft = 3005, kViewUpdate = 3006;
// plugins/battlemap/errors.hpp
constexpr std::uint32_t kErrNotOnMap = 3080, kErrUnknownMap = 3081, kErrAlreadyOnMap = 3082,
                        kErrTooFast = 3083, kErrTeleport = 3084, kErrOutOfBounds = 3085,
                        kErrBadTime = 3086;
}  // namespace id

// 400x400 in cells of 50 (8x8); everyone spawns in cell (2, 2), whose 9-grid is columns
// 1-3: x < 200 is in view of a player standing at the spawn, 200 <= x < 250 is not.
// 100000 units/s (120 a millisecond with the tolerance), 50 Hz ticks (20 ms), and jumps
// over 300 units are teleports.
constexpr const char* kMaps =
    "arena:400x400:cell=50:spawn=100,100,110,110:speed=100000:tick=50:teleport=300";
constexpr auto kTickMs = 20;
constexpr float kStep = 40;  // the longest step of a walk

std::string map_config(const std::string& db, std::uint64_t grace_ms) {
  return "[storage]\nurl = \"sqlite:" + db + "\"\nmigrations_dir = \"" + GAMEHOST_SOURCE_DIR +
         "/migrations\"\n[plugins]\nrequired = true\nload = [\"auth\", \"user\", \"battlemap\"]\n"
         "[plugins.auth]\nfile = \"" +
         plugin_path("auth") +
         "\"\ncapabilities = [\"bind_user\"]\n"
         "[plugins.auth.settings]\nargon2_ops_limit = 1\nargon2_mem_limit_kib = 8\n"
         "[plugins.user]\nfile = \"" +
         plugin_path("user") + "\"\n[plugins.battlemap]\nfile = \"" + plugin_path("battlemap") +
         "\"\n[plugins.battlemap.settings]\nmaps = \"" + kMaps +
         "\"\nreconnect_grace_ms = " + std::to_string(grace_ms) + "\nsweep_ms = 20\n";
}

enum class Via { kTcp, kWs };

// An avatar as one client knows it from the ViewUpdates it applied.
struct Known {
  std::uint64_t user = 0;
  float x = 0, y = 0;
};

// One player's client. Every ViewUpdate it receives is applied, as a real client would, to
// `known` (entity -> user and position); other frames are kept for wait_frame().
class MapPlayer {
 public:
  MapPlayer(const HostProcess& host, Via via) : host_(host) { connect(via); }

  // A new connection (the old one, if any, closes): it knows nobody yet.
  void connect(Via via) {
    client_.reset();
    if (via == Via::kTcp) {
      client_ = std::make_unique<TcpClient>(host_.tcp_port());
    } else {
      client_ = std::make_unique<WsClient>(host_.ws_port());
    }
    known.clear();
    kept_.clear();
  }
  void drop() { client_.reset(); }
  Client& client() { return *client_; }

  void register_as(const std::string& name) {
    auth::RegisterRequest r;
    r.set_username(name);
    r.set_password("secret123");
    client_->send(id::kRegister, r);
    logged_in(client_->expect(id::kLoginReply, 10s).as<auth::LoginReply>());
  }
  void guest(const std::string& device) {
    auth::GuestLoginRequest g;
    g.set_device_id(device);
    client_->send(id::kGuestLogin, g);
    logged_in(client_->expect(id::kLoginReply, 10s).as<auth::LoginReply>());
  }
  // A login with the token of the first one (on a new connection, after connect()).
  void token_login() {
    auth::TokenLoginRequest t;
    t.set_token(token);
    client_->send(id::kTokenLogin, t);
    EXPECT_EQ(wait_frame(id::kLoginReply).as<auth::LoginReply>().user_id(), user_id);
  }

  pb::Entered enter() {
    pb::Enter in;
    in.set_map("arena");
    client_->send(id::kEnter, in);
    entered = client_->expect(id::kEntered).as<pb::Entered>();
    x = entered.x();
    y = entered.y();
    // The first move waits a tick too: the server credits movement time from the Enter on
    // (battlemap README, "Credited time"), and a move in the same millisecond as the Enter
    // has none yet - refused as too fast, whatever its distance. A WebSocket client that
    // moved at once lost that race now and then.
    last_move_ = std::chrono::steady_clock::now();
    return entered;
  }
  std::uint32_t entity() const { return entered.entity_id(); }

  // The client's own clock: real milliseconds, from an epoch of its own.
  std::uint64_t clock_ms() const {
    return 5'000'000 +
           static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - born_)
                                          .count());
  }
  // One Move as it is, with the client time given.
  void send_move(float to_x, float to_y, std::uint64_t client_ms) {
    pb::Move m;
    m.set_x(to_x);
    m.set_y(to_y);
    m.set_dir(0.5f);
    m.set_client_time_ms(client_ms);
    client_->send(id::kMove, m);
  }
  // A legal move: at most one a tick, stamped with the client's clock.
  void move(float to_x, float to_y) {
    const auto due = last_move_ + std::chrono::milliseconds(kTickMs);
    if (std::chrono::steady_clock::now() < due) std::this_thread::sleep_until(due);
    last_move_ = std::chrono::steady_clock::now();
    last_client_ms = clock_ms();
    send_move(to_x, to_y, last_client_ms);
    x = to_x;
    y = to_y;
  }
  // Legal steps of at most kStep units until at (to_x, to_y).
  void walk_to(float to_x, float to_y) {
    while (x != to_x || y != to_y) {
      const float dx = to_x - x, dy = to_y - y, d = std::hypot(dx, dy);
      if (d <= kStep) {
        move(to_x, to_y);
      } else {
        move(x + dx / d * kStep, y + dy / d * kStep);
      }
    }
  }

  // Receives (applying ViewUpdates) until cond() holds; throws saying `what` after 5 s.
  void until(const std::function<bool()>& cond, const std::string& what,
             std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!cond()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) {
        throw std::runtime_error("user " + std::to_string(user_id) + " never saw: " + what);
      }
      // The whole time left: a WebSocket client's stream does not survive a timeout.
      auto f = client_->recv(left);
      if (f) take(*f);
    }
  }
  // The next kept frame with `msg_id` (ViewUpdates are applied on the way).
  Frame wait_frame(std::uint32_t msg_id, std::chrono::milliseconds timeout = 5s) {
    std::optional<Frame> found;
    until(
        [&] {
          for (auto it = kept_.begin(); it != kept_.end(); ++it) {
            if (it->msg_id == msg_id) {
              found = *it;
              kept_.erase(it);
              return true;
            }
          }
          return false;
        },
        "a frame with id " + std::to_string(msg_id), timeout);
    return *found;
  }

  bool sees(const MapPlayer& other) const { return known.contains(other.entity()); }
  bool sees_at(const MapPlayer& other, float at_x, float at_y) const {
    const auto it = known.find(other.entity());
    return it != known.end() && it->second.x == at_x && it->second.y == at_y;
  }
  void until_sees_at(const MapPlayer& other, float at_x, float at_y) {
    until([&] { return sees_at(other, at_x, at_y); }, "user " + std::to_string(other.user_id) +
                                                          " at " + std::to_string(at_x) + "," +
                                                          std::to_string(at_y));
  }
  void until_gone(const MapPlayer& other) {
    until([&] { return !sees(other); }, "user " + std::to_string(other.user_id) + " disappear");
  }

  std::uint64_t user_id = 0;
  std::string token;
  pb::Entered entered;
  float x = 0, y = 0;                // where this player last moved its avatar
  std::uint64_t last_client_ms = 0;  // the client time of the last legal move
  std::map<std::uint32_t, Known> known;
  // Over the whole test (across reconnects): how often each entity appeared and
  // disappeared, and every position it was told to be at.
  std::map<std::uint32_t, int> appeared, disappeared;
  std::map<std::uint32_t, std::vector<float>> xs_seen;
  int other_frames = 0;  // frames that were not ViewUpdates

 private:
  void logged_in(const auth::LoginReply& reply) {
    user_id = reply.user_id();
    token = reply.token();
    ASSERT_NE(user_id, 0u);
  }
  void take(const Frame& f) {
    if (f.msg_id != id::kViewUpdate) {
      ++other_frames;
      kept_.push_back(f);
      return;
    }
    const auto u = f.as<pb::ViewUpdate>();
    for (const auto e : u.disappeared()) {
      EXPECT_EQ(known.erase(e), 1u)
          << "user " << user_id << " told entity " << e << " disappeared, which it did not know";
      ++disappeared[e];
    }
    for (const auto& e : u.appeared()) {
      EXPECT_NE(e.id(), entity()) << "a player was shown its own avatar";
      EXPECT_TRUE(known.emplace(e.id(), Known{e.user_id(), e.x(), e.y()}).second)
          << "user " << user_id << " told entity " << e.id() << " appeared twice";
      ++appeared[e.id()];
      xs_seen[e.id()].push_back(e.x());
    }
    ASSERT_EQ(u.moved_size(), 3 * u.moved_ids_size());
    for (int i = 0; i < u.moved_ids_size(); ++i) {
      const auto e = u.moved_ids(i);
      const auto it = known.find(e);
      if (it == known.end()) {
        ADD_FAILURE() << "user " << user_id << " told entity " << e
                      << " moved, which is not in its view";
        continue;
      }
      it->second.x = u.moved(3 * i);
      it->second.y = u.moved(3 * i + 1);
      xs_seen[e].push_back(it->second.x);
    }
  }

  const HostProcess& host_;
  std::unique_ptr<Client> client_;
  std::vector<Frame> kept_;
  const std::chrono::steady_clock::time_point born_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_move_{};
};

class Map : public ::testing::Test {
 protected:
  void SetUp() override { start(30'000); }
  void start(std::uint64_t grace_ms) {
    host_.reset();
    host_ = std::make_unique<HostProcess>(
        map_config(dir_.str() + "/map" + std::to_string(++hosts_) + ".db", grace_ms));
  }
  // A player logged in (registered over TCP, a guest over WebSocket) and on the map.
  std::unique_ptr<MapPlayer> player(const std::string& name, Via via) {
    auto p = std::make_unique<MapPlayer>(*host_, via);
    if (via == Via::kTcp) {
      p->register_as(name);
    } else {
      p->guest("map-test-device-" + name);
    }
    p->enter();
    return p;
  }
  // Each of `players` waits until it sees all the others where they stand.
  static void all_see_each_other(const std::vector<MapPlayer*>& players) {
    for (auto* p : players) {
      for (const auto* q : players) {
        if (p != q) p->until_sees_at(*q, q->x, q->y);
      }
    }
  }
  // The server's position of p's avatar, as the Correction of a move off the map tells it.
  // Its Correction must be the first frame p receives: no earlier move was refused, and
  // nobody in p's view moves meanwhile.
  static pb::Correction probe(MapPlayer& p) {
    const auto client_ms = p.clock_ms();
    p.send_move(-1, p.y, client_ms);
    auto c = p.client().expect(id::kCorrection).as<pb::Correction>();
    EXPECT_EQ(c.client_time_ms(), client_ms)
        << "the move of client time " << c.client_time_ms() << " was refused with " << c.code();
    EXPECT_EQ(c.code(), id::kErrOutOfBounds);
    EXPECT_EQ(p.client().expect_error(id::kMove).code(), id::kErrOutOfBounds);
    return c;
  }
  void reload_battlemap() {
    const auto cmd = std::string(GAMEHOSTCTL_BINARY) + " --config " + host_->config_path() +
                     " reload battlemap --strategy handover > /dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << host_->log();
  }

  TempDir dir_;
  int hosts_ = 0;
  std::unique_ptr<HostProcess> host_;
};

TEST_F(Map, PlayersOverTcpAndWebSocketSeeEachOtherAppearAndDisappearAcrossCells) {
  auto ann = player("ann", Via::kTcp);
  auto ben = player("ben", Via::kWs);
  auto cat = player("cat", Via::kWs);
  for (const auto* p : {ann.get(), ben.get(), cat.get()}) {
    EXPECT_EQ(p->entered.map(), "arena");
    EXPECT_EQ(p->entered.instance_id(), ann->entered.instance_id());  // one instance
    EXPECT_FLOAT_EQ(p->entered.width(), 400);
    EXPECT_FLOAT_EQ(p->entered.cell_size(), 50);
    EXPECT_EQ(p->entered.tick_ms(), 20u);
    EXPECT_FALSE(p->entered.resumed());
    EXPECT_GE(p->x, 100);  // the spawn area
    EXPECT_LE(p->x, 110);
    EXPECT_GE(p->y, 100);
    EXPECT_LE(p->y, 110);
  }
  EXPECT_NE(ann->entity(), ben->entity());
  EXPECT_NE(ben->entity(), cat->entity());
  // Everyone appears to everyone else, as who they are, where they spawned.
  all_see_each_other({ann.get(), ben.get(), cat.get()});
  EXPECT_EQ(ann->known.at(ben->entity()).user, ben->user_id);
  EXPECT_EQ(ann->known.at(cat->entity()).user, cat->user_id);
  EXPECT_EQ(ben->known.at(ann->entity()).user, ann->user_id);
  EXPECT_EQ(cat->known.at(ben->entity()).user, ben->user_id);

  // Ben walks east into cell 3: still in view, the others see him move there.
  ben->walk_to(190, 105);
  ann->until_sees_at(*ben, 190, 105);
  cat->until_sees_at(*ben, 190, 105);
  // One step more into cell 4: out of the spawn cell's 9-grid, both ways.
  ben->walk_to(230, 105);
  ann->until_gone(*ben);
  cat->until_gone(*ben);
  ben->until([&] { return ben->known.empty(); }, "ann and cat disappear");
  // He walks on out of view (nobody is told), then back into cell 3: he appears again
  // where he is now, and sees the others again where they stand.
  ben->walk_to(270, 130);
  ben->walk_to(195, 105);
  ann->until_sees_at(*ben, 195, 105);
  cat->until_sees_at(*ben, 195, 105);
  EXPECT_EQ(ann->known.at(ben->entity()).user, ben->user_id);
  ben->until_sees_at(*ann, ann->x, ann->y);
  ben->until_sees_at(*cat, cat->x, cat->y);
  for (const auto* p : {ann.get(), cat.get()}) {
    EXPECT_EQ(p->appeared.at(ben->entity()), 2);
    EXPECT_EQ(p->disappeared.at(ben->entity()), 1);
    for (const auto x : p->xs_seen.at(ben->entity())) {
      EXPECT_LT(x, 200) << "a position out of view was told";
    }
  }
  // Ann and cat stood together all along: seen once, never gone.
  EXPECT_EQ(ann->appeared.at(cat->entity()), 1);
  EXPECT_FALSE(ann->disappeared.contains(cat->entity()));

  // Ann leaves the map: she gets Left, the others see her disappear, and a move of hers
  // is refused as off any map.
  ann->client().send(id::kLeave, pb::Leave{});
  EXPECT_EQ(ann->wait_frame(id::kLeft).as<pb::Left>().instance_id(), ann->entered.instance_id());
  ben->until_gone(*ann);
  cat->until_gone(*ann);
  ann->send_move(ann->x, ann->y, ann->clock_ms());
  const auto err = ann->wait_frame(id::kError).as<wire::Error>();
  EXPECT_EQ(err.code(), id::kErrNotOnMap);
  EXPECT_EQ(err.request_id(), id::kMove);
  // Enter refusals: a map nobody configured; a second Enter on a connection on the map.
  pb::Enter nowhere;
  nowhere.set_map("nowhere");
  ann->client().send(id::kEnter, nowhere);
  EXPECT_EQ(ann->wait_frame(id::kError).as<wire::Error>().code(), id::kErrUnknownMap);
  ben->client().send(id::kEnter, pb::Enter{});
  EXPECT_EQ(ben->wait_frame(id::kError).as<wire::Error>().code(), id::kErrAlreadyOnMap);
}

TEST_F(Map, RefusedMovesGetTheirCodeAndACorrectionAndOthersNeverSeeThem) {
  auto mover = player("max", Via::kTcp);
  auto watcher = player("wes", Via::kWs);
  all_see_each_other({mover.get(), watcher.get()});
  mover->move(140, 105);
  watcher->until_sees_at(*mover, 140, 105);  // accepted, so told
  // The watcher stands still: the mover receives nothing but the answers to its moves.
  struct Refusal {
    const char* what;
    float x, y;
    std::uint64_t client_ms;
    std::uint32_t code;
  };
  const auto t = mover->last_client_ms;
  const Refusal refusals[] = {
      {"250 units in a claimed millisecond", 390, 105, t + 1, id::kErrTooFast},
      {"a jump over the teleport limit, however long it took", 390, 390, t + 900, id::kErrTeleport},
      {"off the map's east edge", 401, 105, t + 2, id::kErrOutOfBounds},
      {"off the map's south edge", 140, -0.5f, t + 3, id::kErrOutOfBounds},
      {"a client time that did not advance", 141, 105, t, id::kErrBadTime},
  };
  for (const auto& r : refusals) {
    SCOPED_TRACE(r.what);
    mover->send_move(r.x, r.y, r.client_ms);
    const auto c = mover->client().expect(id::kCorrection).as<pb::Correction>();
    EXPECT_EQ(c.code(), r.code);
    EXPECT_EQ(c.client_time_ms(), r.client_ms);
    EXPECT_FLOAT_EQ(c.x(), 140);  // the last valid position
    EXPECT_FLOAT_EQ(c.y(), 105);
    EXPECT_FLOAT_EQ(c.dir(), 0.5f);
    const auto e = mover->client().expect_error(id::kMove);
    EXPECT_EQ(e.code(), r.code);
  }
  // The next legal move is judged from there and accepted; the watcher only ever saw the
  // accepted positions.
  mover->move(160, 110);
  watcher->until_sees_at(*mover, 160, 110);
  for (const auto x : watcher->xs_seen.at(mover->entity())) {
    EXPECT_TRUE(x == mover->entered.x() || x == 140 || x == 160) << x;
  }
  EXPECT_EQ(watcher->other_frames, 0);
}

TEST_F(Map, AHandoverReloadWhilePlayersMoveKeepsPositionsAndViews) {
  auto ann = player("ann", Via::kTcp);
  auto ben = player("ben", Via::kWs);
  all_see_each_other({ann.get(), ben.get()});
  ben->walk_to(120, 105);
  // Ben walks to and fro in view of ann while gamehostctl reloads battlemap.
  auto reload = std::async(std::launch::async, [this] { reload_battlemap(); });
  int moves = 0;
  const float to = 180;
  while (moves < 10 || reload.wait_for(0ms) != std::future_status::ready) {
    ben->walk_to(ben->x == 120 ? 150 : 120, 105);
    ++moves;
    ASSERT_LT(moves, 1000) << "the reload did not finish";
  }
  reload.get();
  ben->walk_to(to, 107);
  // Ann sees ben arrive there as moves: never lost from view, never shown again.
  ann->until_sees_at(*ben, to, 107);
  EXPECT_EQ(ann->appeared.at(ben->entity()), 1);
  EXPECT_FALSE(ann->disappeared.contains(ben->entity()));
  // Every move was accepted, across the reload: the server has ben where he walked...
  const auto at = probe(*ben);
  EXPECT_FLOAT_EQ(at.x(), to);
  EXPECT_FLOAT_EQ(at.y(), 107);
  // ...and ann, who stood still, where she spawned.
  const auto ann_at = probe(*ann);
  EXPECT_FLOAT_EQ(ann_at.x(), ann->entered.x());
  EXPECT_FLOAT_EQ(ann_at.y(), ann->entered.y());
  // The new build ticks: ben sees ann move, as before.
  ann->move(130, 112);
  ben->until_sees_at(*ann, 130, 112);
  EXPECT_EQ(ben->appeared.at(ann->entity()), 1);
  EXPECT_FALSE(ben->disappeared.contains(ann->entity()));
  // The handover carried the instance (logged by the new build as it starts).
  for (int i = 0; i < 100 && host_->log().find("battlemap: 1 instance(s), 2 avatar(s) handed "
                                               "over") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(host_->log().find("battlemap: 1 instance(s), 2 avatar(s) handed over"),
            std::string::npos)
      << host_->log();
}

TEST_F(Map, AReconnectWithinTheGracePeriodPutsThePlayerBackInPlace) {
  auto ann = player("ann", Via::kTcp);
  auto ben = player("ben", Via::kWs);
  all_see_each_other({ann.get(), ben.get()});
  ben->walk_to(160, 108);
  ann->until_sees_at(*ben, 160, 108);
  const auto before = ben->entered;
  // Ben's WebSocket connection drops; he logs in with his token over TCP.
  ben->drop();
  ben->connect(Via::kTcp);
  ben->token_login();
  const auto back = ben->wait_frame(id::kEntered).as<pb::Entered>();
  EXPECT_TRUE(back.resumed());
  EXPECT_EQ(back.instance_id(), before.instance_id());
  EXPECT_EQ(back.entity_id(), before.entity_id());
  EXPECT_FLOAT_EQ(back.x(), 160);
  EXPECT_FLOAT_EQ(back.y(), 108);
  // The new connection is told who is in view, and moves on from where he was.
  ben->until_sees_at(*ann, ann->x, ann->y);
  ben->walk_to(175, 108);
  ann->until_sees_at(*ben, 175, 108);
  // Ann never lost him.
  EXPECT_EQ(ann->appeared.at(ben->entity()), 1);
  EXPECT_FALSE(ann->disappeared.contains(ben->entity()));
  EXPECT_EQ(ann->other_frames, 0);
}

TEST_F(Map, AfterTheGracePeriodADroppedAvatarGoesAndALoginStartsAfresh) {
  start(200);  // a grace period of 200 ms
  auto ann = player("ann", Via::kTcp);
  auto ben = player("ben", Via::kTcp);
  all_see_each_other({ann.get(), ben.get()});
  ben->walk_to(170, 105);
  ann->until_sees_at(*ben, 170, 105);
  const auto old_entity = ben->entity();
  ben->drop();
  ann->until_gone(*ben);  // the grace period is over: the avatar left the map
  EXPECT_EQ(ann->disappeared.at(old_entity), 1);
  // A login now finds no avatar waiting: nothing is resumed, and Enter gives a new one.
  ben->connect(Via::kWs);
  ben->token_login();
  const auto again = ben->enter();
  EXPECT_FALSE(again.resumed());
  EXPECT_NE(again.entity_id(), old_entity);
  EXPECT_LE(again.x(), 110);  // in the spawn area, not where he was
  ann->until_sees_at(*ben, again.x(), again.y());
  EXPECT_EQ(ann->appeared.at(again.entity_id()), 1);
  EXPECT_EQ(ben->other_frames, 1);  // the LoginReply: no Entered came before the Enter
}

}  // namespace
}  // namespace gamehost::testing
