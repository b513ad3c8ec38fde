// The battlemap plugin through the fake host: players enter, walk across cells and see
// each other appear and disappear, one batched ViewUpdate per tick; refused moves get a
// Correction; a dropped player comes back in place; a handover reload keeps positions and
// views; instances fill up and close; chat in view and world chat.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "battlemap.pb.h"
#include "errors.hpp"
#include "view_update.hpp"

namespace {

namespace pb = gamehost::battlemap;
using gamehost::testing::FakeHost;
using namespace gh_battlemap;

// Client-side ids (a client has no protocol.hpp).
constexpr std::uint32_t kEnter = 3000, kEntered = 3001, kMove = 3002, kCorrection = 3003,
                        kLeave = 3004, kLeft = 3005, kViewUpdate = 3006, kSay = 3007,
                        kWorldSay = 3008, kChatLine = 3009;

// 500 units/s: 50 a tick, 60 with the tolerance; everyone spawns in cell (2, 2).
constexpr const char* kMaps =
    "test:1000x1000:cell=50:spawn=100,100,110,110:speed=500:tick=10; other:200x200:cell=100";

struct Player {
  gamehost::SessionId session = 0;
  gamehost::UserId user = 0;
  pb::Entered entered;
  float x = 0, y = 0;
};

class Battlemap : public ::testing::Test {
 protected:
  void SetUp() override { host.set_setting("maps", std::string(kMaps)); }
  void load() { host.load(gamehost_plugin_v1()); }

  Player enter(gamehost::UserId user, const std::string& map = "") {
    Player p;
    p.user = user;
    p.session = host.connect();
    host.authenticate(p.session, user);
    pb::Enter in;
    in.set_map(map);
    EXPECT_TRUE(host.deliver(p.session, kEnter, in).ok());
    EXPECT_TRUE(host.errors(p.session).empty());
    p.entered = host.last_sent<pb::Entered>(p.session, kEntered);
    p.x = p.entered.x();
    p.y = p.entered.y();
    return p;
  }

  // One move; true when accepted (no Error frame came back).
  bool move(Player& p, float x, float y, float dir = 0) {
    const auto errors = host.errors(p.session).size();
    pb::Move m;
    m.set_x(x);
    m.set_y(y);
    m.set_dir(dir);
    m.set_client_time_ms(host.now() - 1'600'000'000'000ULL);  // a client clock of its own
    host.deliver(p.session, kMove, m);
    if (host.errors(p.session).size() != errors) return false;
    p.x = x;
    p.y = y;
    return true;
  }

  void tick() { host.advance(100); }

  // Walks in steps of 40 units, one a tick, until at (x, y).
  void walk_to(Player& p, float x, float y) {
    while (p.x != x || p.y != y) {
      const float dx = x - p.x, dy = y - p.y;
      const float d = std::hypot(dx, dy), step = std::min(d, 40.0f);
      tick();
      ASSERT_TRUE(move(p, p.x + dx / d * step, p.y + dy / d * step));
      if (step == d) p.x = x, p.y = y;
    }
  }

  std::vector<pb::ViewUpdate> updates(const Player& p) const {
    std::vector<pb::ViewUpdate> out;
    for (const auto& s : host.sent(p.session)) {
      if (s.msg_id != kViewUpdate) continue;
      out.emplace_back();
      EXPECT_TRUE(out.back().ParseFromString(s.bytes));
    }
    return out;
  }

  // What a client knows after applying every ViewUpdate it got: entity -> user.
  std::map<std::uint32_t, std::uint64_t> known(const Player& p) const {
    std::map<std::uint32_t, std::uint64_t> out;
    for (const auto& u : updates(p)) {
      for (const auto id : u.disappeared()) EXPECT_EQ(out.erase(id), 1u);
      for (const auto& e : u.appeared()) EXPECT_TRUE(out.emplace(e.id(), e.user_id()).second);
    }
    return out;
  }

  FakeHost host;
};

TEST_F(Battlemap, PlayersWhoEnterTogetherAppearToEachOther) {
  load();
  auto alice = enter(101), bob = enter(102), carol = enter(103);
  EXPECT_EQ(alice.entered.map(), "test");
  EXPECT_EQ(alice.entered.instance_id(), carol.entered.instance_id());
  EXPECT_GE(alice.x, 100);
  EXPECT_LE(alice.x, 110);                                     // the spawn area
  EXPECT_EQ(host.count_sent(alice.session, kViewUpdate), 0u);  // told at the tick
  tick();
  for (const auto* p : {&alice, &bob, &carol}) {
    ASSERT_EQ(host.count_sent(p->session, kViewUpdate), 1u);
    const auto u = host.last_sent<pb::ViewUpdate>(p->session, kViewUpdate);
    ASSERT_EQ(u.appeared_size(), 2);
    std::set<std::uint64_t> users;
    for (const auto& e : u.appeared()) users.insert(e.user_id());
    EXPECT_FALSE(users.contains(p->user));
  }
  EXPECT_EQ(host.open_keys().size(), 1u);
  EXPECT_EQ(host.key_of(alice.session), alice.entered.instance_id());
}

TEST_F(Battlemap, CrossingCellsShowsDisappearAndAppear) {
  load();
  auto alice = enter(101), bob = enter(102);
  tick();
  walk_to(bob, 190, 105);  // cell 3: still in alice's 9-grid (cells 1-3)
  tick();
  EXPECT_EQ(known(alice).size(), 1u);
  const auto last = host.last_sent<pb::ViewUpdate>(alice.session, kViewUpdate);
  ASSERT_EQ(last.moved_ids_size(), 1);
  EXPECT_EQ(last.moved_ids(0), bob.entered.entity_id());
  EXPECT_FLOAT_EQ(last.moved(0), 190);
  host.clear_sent();
  ASSERT_TRUE(move(bob, 210, 105));  // cell 4: out of view
  tick();
  auto a = host.last_sent<pb::ViewUpdate>(alice.session, kViewUpdate);
  auto b = host.last_sent<pb::ViewUpdate>(bob.session, kViewUpdate);
  ASSERT_EQ(a.disappeared_size(), 1);
  EXPECT_EQ(a.disappeared(0), bob.entered.entity_id());
  ASSERT_EQ(b.disappeared_size(), 1);
  EXPECT_EQ(b.disappeared(0), alice.entered.entity_id());
  EXPECT_EQ(a.moved_ids_size(), 0);
  host.clear_sent();
  tick();
  ASSERT_TRUE(move(bob, 220, 105));  // out of view: alice is told nothing
  tick();
  EXPECT_EQ(host.count_sent(alice.session, kViewUpdate), 0u);
  ASSERT_TRUE(move(bob, 195, 105));  // back in view
  tick();
  a = host.last_sent<pb::ViewUpdate>(alice.session, kViewUpdate);
  ASSERT_EQ(a.appeared_size(), 1);
  EXPECT_EQ(a.appeared(0).user_id(), 102u);
  EXPECT_FLOAT_EQ(a.appeared(0).x(), 195);
  b = host.last_sent<pb::ViewUpdate>(bob.session, kViewUpdate);
  ASSERT_EQ(b.appeared_size(), 1);
  EXPECT_FLOAT_EQ(b.appeared(0).x(), alice.x);
}

TEST_F(Battlemap, HysteresisMarginStopsFlickerAtTheBorder) {
  host.set_setting("aoi_margin", 10.0);
  load();
  auto alice = enter(101), bob = enter(102);
  walk_to(bob, 195, 105);
  tick();
  host.clear_sent();
  for (int i = 0; i < 4; ++i) {  // along the border of cells 3 and 4, within the margin
    tick();
    ASSERT_TRUE(move(bob, i % 2 == 0 ? 205 : 198, 105));
  }
  tick();
  for (const auto& u : updates(alice)) {
    EXPECT_EQ(u.disappeared_size(), 0);
    EXPECT_EQ(u.appeared_size(), 0);
  }
  ASSERT_TRUE(move(bob, 211, 105));  // beyond the margin
  tick();
  EXPECT_EQ(host.last_sent<pb::ViewUpdate>(alice.session, kViewUpdate).disappeared_size(), 1);
}

TEST_F(Battlemap, OneBatchedUpdatePerTickAndNoneWhenNothingChanged) {
  load();
  auto alice = enter(101), bob = enter(102), carol = enter(103);
  tick();
  host.clear_sent();
  // Bob moves three times and Carol once within one tick.
  host.advance(10);
  ASSERT_TRUE(move(bob, bob.x + 2, bob.y));
  host.advance(10);
  ASSERT_TRUE(move(bob, bob.x + 2, bob.y));
  host.advance(10);
  ASSERT_TRUE(move(bob, bob.x + 2, bob.y, 1.5f));
  ASSERT_TRUE(move(carol, carol.x, carol.y + 1));
  host.advance(70);  // the tick
  ASSERT_EQ(host.count_sent(alice.session, kViewUpdate), 1u);
  const auto u = host.last_sent<pb::ViewUpdate>(alice.session, kViewUpdate);
  ASSERT_EQ(u.moved_ids_size(), 2);
  ASSERT_EQ(u.moved_size(), 6);
  for (int i = 0; i < 2; ++i) {
    if (u.moved_ids(i) == bob.entered.entity_id()) {
      EXPECT_FLOAT_EQ(u.moved(3 * i), bob.x);  // only the latest position
      EXPECT_FLOAT_EQ(u.moved(3 * i + 2), 1.5f);
    } else {
      EXPECT_EQ(u.moved_ids(i), carol.entered.entity_id());
      EXPECT_FLOAT_EQ(u.moved(3 * i + 1), carol.y);
    }
  }
  EXPECT_EQ(host.count_sent(bob.session, kViewUpdate), 1u);    // carol moved
  EXPECT_EQ(host.count_sent(carol.session, kViewUpdate), 1u);  // bob moved
  host.clear_sent();
  for (int i = 0; i < 5; ++i) tick();  // nobody moves: nobody is told anything
  for (const auto* p : {&alice, &bob, &carol}) EXPECT_EQ(host.sent(p->session).size(), 0u);
}

TEST_F(Battlemap, RefusedMovesGetAnErrorAndACorrection) {
  load();
  auto alice = enter(101), bob = enter(102);
  tick();
  const float x0 = bob.x, y0 = bob.y;
  host.clear_sent();
  struct Case {
    float x, y;
    std::uint32_t code;
  };
  for (const auto c : {Case{x0 + 200, y0, kErrTooFast},   // 2000 units/s
                       Case{x0 + 700, y0, kErrTeleport},  // beyond 600: never
                       Case{-5, y0, kErrOutOfBounds}, Case{x0, 1000.5f, kErrOutOfBounds}}) {
    tick();
    EXPECT_FALSE(move(bob, c.x, c.y));
    ASSERT_FALSE(host.errors(bob.session).empty());
    EXPECT_EQ(host.errors(bob.session).back().code, c.code);
    EXPECT_EQ(host.errors(bob.session).back().request_id, kMove);
    const auto corr = host.last_sent<pb::Correction>(bob.session, kCorrection);
    EXPECT_EQ(corr.code(), c.code);
    EXPECT_FLOAT_EQ(corr.x(), x0);  // the last valid position
    EXPECT_FLOAT_EQ(corr.y(), y0);
  }
  tick();
  EXPECT_EQ(host.count_sent(bob.session, kCorrection), 4u);
  EXPECT_EQ(host.count_sent(alice.session, kViewUpdate), 0u);  // bob never moved
  // The same client time twice is a replay.
  pb::Move m;
  m.set_x(x0 + 1);
  m.set_y(y0);
  m.set_client_time_ms(5000);
  host.deliver(bob.session, kMove, m);
  tick();
  m.set_x(x0 + 2);
  host.deliver(bob.session, kMove, m);
  EXPECT_EQ(host.errors(bob.session).back().code, kErrBadTime);
  EXPECT_FLOAT_EQ(host.last_sent<pb::Correction>(bob.session, kCorrection).x(), x0 + 1);
  // An honest move goes on from the last valid position.
  tick();
  EXPECT_TRUE(move(bob, x0 + 30, y0));
}

TEST_F(Battlemap, RequestsOffTheMapAreRefused) {
  load();
  const auto s = host.connect();
  host.authenticate(s, 101);
  host.deliver(s, kMove, pb::Move{});
  EXPECT_EQ(host.errors(s).back().code, kErrNotOnMap);
  host.deliver(s, kLeave, pb::Leave{});
  EXPECT_EQ(host.errors(s).back().code, kErrNotOnMap);
  pb::Enter e;
  e.set_map("nowhere");
  host.deliver(s, kEnter, e);
  EXPECT_EQ(host.errors(s).back().code, kErrUnknownMap);
  e.set_map("other");
  ASSERT_TRUE(host.deliver(s, kEnter, e).ok());
  EXPECT_EQ(host.last_sent<pb::Entered>(s, kEntered).map(), "other");
  host.deliver(s, kEnter, e);
  EXPECT_EQ(host.errors(s).back().code, kErrAlreadyOnMap);
  const auto anonymous = host.connect();
  host.deliver(anonymous, kEnter, pb::Enter{});
  EXPECT_EQ(host.errors(anonymous).back().code,
            static_cast<std::uint32_t>(GH_CODE_NOT_AUTHENTICATED));
}

TEST_F(Battlemap, ADroppedPlayerComesBackInPlace) {
  load();
  auto alice = enter(101), bob = enter(102);
  tick();
  walk_to(alice, alice.x + 30, alice.y + 20);
  tick();
  host.disconnect(alice.session);
  host.clear_sent();
  host.advance(10'000);  // within the 30 s grace: the avatar stays, bob is told nothing
  EXPECT_EQ(host.count_sent(bob.session, kViewUpdate), 0u);
  Player back = alice;
  back.session = host.connect();
  host.authenticate(back.session, 101);
  const auto entered = host.last_sent<pb::Entered>(back.session, kEntered);
  EXPECT_TRUE(entered.resumed());
  EXPECT_EQ(entered.entity_id(), alice.entered.entity_id());
  EXPECT_EQ(entered.instance_id(), alice.entered.instance_id());
  EXPECT_FLOAT_EQ(entered.x(), alice.x);
  EXPECT_FLOAT_EQ(entered.y(), alice.y);
  EXPECT_EQ(host.key_of(back.session), alice.entered.instance_id());
  tick();
  const auto u = host.last_sent<pb::ViewUpdate>(back.session, kViewUpdate);
  ASSERT_EQ(u.appeared_size(), 1);  // the new connection is told everyone again
  EXPECT_EQ(u.appeared(0).user_id(), 102u);
  EXPECT_EQ(host.count_sent(bob.session, kViewUpdate), 0u);  // alice never left bob's view
  EXPECT_TRUE(move(back, back.x + 10, back.y));
  tick();
  EXPECT_EQ(host.last_sent<pb::ViewUpdate>(bob.session, kViewUpdate).moved_ids_size(), 1);
}

TEST_F(Battlemap, AfterTheGracePeriodTheAvatarGoes) {
  host.set_setting("reconnect_grace_ms", std::int64_t{5'000});
  load();
  auto alice = enter(101), bob = enter(102);
  tick();
  host.disconnect(alice.session);
  host.clear_sent();
  host.advance(5'500);
  const auto u = host.last_sent<pb::ViewUpdate>(bob.session, kViewUpdate);
  ASSERT_EQ(u.disappeared_size(), 1);
  EXPECT_EQ(u.disappeared(0), alice.entered.entity_id());
  auto again = enter(101);  // a fresh avatar now
  EXPECT_FALSE(again.entered.resumed());
  EXPECT_NE(again.entered.entity_id(), alice.entered.entity_id());
  ASSERT_TRUE(host.deliver(bob.session, kLeave, pb::Leave{}).ok());
  EXPECT_EQ(host.last_sent<pb::Left>(bob.session, kLeft).instance_id(), bob.entered.instance_id());
  ASSERT_TRUE(host.deliver(again.session, kLeave, pb::Leave{}).ok());
  EXPECT_TRUE(host.open_keys().empty());  // the instance closed with its last avatar
  EXPECT_EQ(host.key_of(bob.session), 0u);
}

TEST_F(Battlemap, ALogoutLeavesTheAvatarWaitingAndALoginOnAnotherConnectionTakesItOver) {
  load();
  auto alice = enter(101);
  const auto other = host.connect();
  host.authenticate(other, 101);  // the same user on a second connection
  EXPECT_TRUE(host.last_sent<pb::Entered>(other, kEntered).resumed());
  EXPECT_EQ(host.count_sent(alice.session, kLeft), 1u);  // the first one is off the map
  host.deliver(alice.session, kMove, pb::Move{});
  EXPECT_EQ(host.errors(alice.session).back().code, kErrNotOnMap);
  host.authenticate(other, 0);  // logout: the avatar waits
  EXPECT_EQ(host.key_of(other), 0u);
  host.authenticate(other, 101);
  EXPECT_EQ(host.count_sent(other, kEntered), 2u);
}

TEST_F(Battlemap, HandoverKeepsPositionsAndViews) {
  load();
  auto alice = enter(101), bob = enter(102), carol = enter(103);
  tick();
  walk_to(carol, 260, 105);  // out of alice's and bob's view
  tick();
  ASSERT_TRUE(move(bob, bob.x + 20, bob.y));  // not told yet
  const auto instance = alice.entered.instance_id();
  host.clear_sent();
  host.reload();
  EXPECT_EQ(host.open_keys().count(instance), 1u);
  EXPECT_EQ(host.key_of(bob.session), instance);
  EXPECT_EQ(host.count_sent(alice.session, kEntered), 0u);
  tick();
  // Alice hears bob's move from before the reload, and nobody appears again.
  const auto u = host.last_sent<pb::ViewUpdate>(alice.session, kViewUpdate);
  EXPECT_EQ(u.appeared_size(), 0);
  EXPECT_EQ(u.disappeared_size(), 0);
  ASSERT_EQ(u.moved_ids_size(), 1);
  EXPECT_FLOAT_EQ(u.moved(0), bob.x);
  EXPECT_EQ(host.count_sent(carol.session, kViewUpdate), 0u);
  // Movement goes on from the handed-over positions and credit.
  EXPECT_FALSE(move(bob, bob.x + 300, bob.y));
  EXPECT_FLOAT_EQ(host.last_sent<pb::Correction>(bob.session, kCorrection).x(), bob.x);
  EXPECT_TRUE(move(bob, bob.x + 5, bob.y));
  // Carol walks back into view: an Appear, as without the reload.
  walk_to(carol, 190, 105);
  tick();
  EXPECT_EQ(known(alice).size(), 1u);  // carol, appeared once since the reload
  EXPECT_EQ(known(alice).begin()->second, 103u);
}

TEST_F(Battlemap, HandoverTreatsAConnectionLostDuringTheSwapAsDropped) {
  load();
  auto alice = enter(101), bob = enter(102);
  tick();
  const auto state = host.export_state();
  host.disconnect(alice.session);  // closes between export and the new build
  host.load(gamehost_plugin_v1(), state);
  Player back = alice;
  back.session = host.connect();
  host.authenticate(back.session, 101);
  EXPECT_TRUE(host.last_sent<pb::Entered>(back.session, kEntered).resumed());
  (void)bob;
}

TEST_F(Battlemap, AFullInstanceOpensAnother) {
  host.set_setting("max_players", std::int64_t{2});
  load();
  auto alice = enter(101), bob = enter(102), carol = enter(103);
  EXPECT_EQ(alice.entered.instance_id(), bob.entered.instance_id());
  EXPECT_NE(carol.entered.instance_id(), alice.entered.instance_id());
  EXPECT_EQ(host.open_keys().size(), 2u);
  tick();
  EXPECT_EQ(host.count_sent(carol.session, kViewUpdate), 0u);  // alone in its instance
  ASSERT_TRUE(host.deliver(bob.session, kLeave, pb::Leave{}).ok());
  auto dave = enter(104);  // the fuller instance with room
  EXPECT_EQ(dave.entered.instance_id(), alice.entered.instance_id());
}

TEST_F(Battlemap, SayReachesThoseInViewAndWorldSayTheWholeMap) {
  host.set_setting("max_players", std::int64_t{3});
  load();
  auto alice = enter(101), bob = enter(102), carol = enter(103), dave = enter(104);
  walk_to(carol, 260, 105);
  host.clear_sent();
  pb::Say say;
  say.set_text("hello");
  ASSERT_TRUE(host.deliver(alice.session, kSay, say).ok());
  EXPECT_EQ(host.last_sent<pb::ChatLine>(alice.session, kChatLine).text(), "hello");
  EXPECT_EQ(host.last_sent<pb::ChatLine>(bob.session, kChatLine).user_id(), 101u);
  EXPECT_EQ(host.count_sent(carol.session, kChatLine), 0u);  // out of view
  EXPECT_EQ(host.count_sent(dave.session, kChatLine), 0u);   // another instance
  pb::WorldSay world;
  world.set_text("anyone?");
  ASSERT_TRUE(host.deliver(alice.session, kWorldSay, world).ok());
  for (const auto* p : {&alice, &bob, &carol, &dave}) {
    const auto line = host.last_sent<pb::ChatLine>(p->session, kChatLine);
    EXPECT_TRUE(line.world());
    EXPECT_EQ(line.text(), "anyone?");
  }
  host.deliver(alice.session, kWorldSay, world);  // the burst is 2
  host.deliver(alice.session, kWorldSay, world);
  EXPECT_EQ(host.errors(alice.session).back().code, kErrChatRateLimited);
  host.advance(10'000);  // 6 a minute: one more after 10 s
  EXPECT_TRUE(host.deliver(alice.session, kWorldSay, world).ok());
  EXPECT_EQ(host.errors(alice.session).size(), 1u);
  say.set_text("");
  host.deliver(alice.session, kSay, say);
  EXPECT_EQ(host.errors(alice.session).back().code, kErrBadChat);
}

TEST_F(Battlemap, EachInstanceIsADrainKeyAndADrainingBuildOpensNoNewOne) {
  host.set_setting("max_players", std::int64_t{1});
  load();
  auto alice = enter(101);
  EXPECT_EQ(host.open_keys(), std::set<std::uint64_t>{alice.entered.instance_id()});
  host.set_draining("battlemap");  // the old build of a drain reload
  const auto s = host.connect();
  host.authenticate(s, 102);
  host.deliver(s, kEnter, pb::Enter{});
  EXPECT_EQ(host.errors(s).back().code, static_cast<std::uint32_t>(GH_CODE_BUSY));
  EXPECT_EQ(host.open_keys().size(), 1u);
  // The running instance goes on, and closes its key with its last avatar.
  tick();
  EXPECT_TRUE(move(alice, alice.x + 10, alice.y));
  ASSERT_TRUE(host.deliver(alice.session, kLeave, pb::Leave{}).ok());
  EXPECT_TRUE(host.open_keys().empty());
}

TEST_F(Battlemap, BadMapSettingsRefuseThePlugin) {
  for (const auto* maps :
       {"", "field", "field:10x", "field:1000x1000:cell=0", "field:1000x1000:spawn=1,2,3",
        "field:100x100:tick=0", "Field:100x100", "a:100x100; a:50x50", "field:100x100:color=red",
        "field:100000x100000:cell=1", "field:100x100:cell=10:margin=6"}) {
    FakeHost h;
    h.set_setting("maps", std::string(maps));
    EXPECT_THROW(h.load(gamehost_plugin_v1()), std::runtime_error) << maps;
  }
  FakeHost h;
  h.set_setting("maps", std::string("a:100x50:cell=10:margin=5:players=3:teleport=20; b:1x1"));
  EXPECT_NO_THROW(h.load(gamehost_plugin_v1()));
}

// The hand-written encoder gives exactly protobuf's bytes, zeros and -0.0 included.
TEST(ViewUpdateEncoding, IsByteForByteWhatProtobufWrites) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> count(0, 6), pick(0, 5);
  const float floats[] = {0.0f, -0.0f, 1.5f, 999.99f, 1e-7f, 3.14159f};
  const std::uint32_t ids[] = {0, 1, 127, 128, 16384, 4'000'000'000u};
  std::string mine;
  for (int round = 0; round < 2000; ++round) {
    aoi::Batch b;
    const std::uint64_t tick = round % 7 == 0 ? 0 : round * 1'000'003ull;
    for (int i = count(rng); i > 0; --i)
      b.appeared.push_back(
          {ids[pick(rng)], {floats[pick(rng)], floats[pick(rng)]}, floats[pick(rng)]});
    for (int i = count(rng); i > 0; --i) b.disappeared.push_back(ids[pick(rng)]);
    for (int i = count(rng); i > 0; --i)
      b.moved.push_back(
          {ids[pick(rng)], {floats[pick(rng)], floats[pick(rng)]}, floats[pick(rng)]});
    const auto user_of = [](aoi::EntityId id) { return id == 1 ? 0 : id * 1'000'000'007ull; };
    encode_view_update(tick, b, user_of, mine);
    pb::ViewUpdate theirs;
    theirs.set_tick(tick);
    for (const auto& v : b.appeared) {
      auto* e = theirs.add_appeared();
      e->set_id(v.id);
      e->set_user_id(user_of(v.id));
      e->set_x(v.pos.x);
      e->set_y(v.pos.y);
      e->set_dir(v.dir);
    }
    for (const auto id : b.disappeared) theirs.add_disappeared(id);
    for (const auto& v : b.moved) {
      theirs.add_moved_ids(v.id);
      theirs.add_moved(v.pos.x);
      theirs.add_moved(v.pos.y);
      theirs.add_moved(v.dir);
    }
    ASSERT_EQ(mine, theirs.SerializeAsString()) << "round " << round;
  }
}

}  // namespace
