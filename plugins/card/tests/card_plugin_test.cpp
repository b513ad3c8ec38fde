// Whole Dou Dizhu games through the fake host with the real room, card and user plugins in
// one test binary: players quick-match in room, card deals and runs the game, user settles
// the coins. Bots play legal moves chosen from what their own client was sent.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include <numeric>
#include <set>

#include "card.pb.h"
#include "errors.hpp"
#include "room.pb.h"
#include "rules/hand_search.hpp"
#include "table.hpp"
#include "user.pb.h"

GAMEHOST_DECLARE_PLUGIN(room);
GAMEHOST_DECLARE_PLUGIN(card);
GAMEHOST_DECLARE_PLUGIN(user);

namespace {

namespace pb = gamehost::card;
namespace rpb = gamehost::room;
using gamehost::testing::FakeHost;
using namespace gh_card;

// Client-side ids (a client has no protocol.hpp of the plugins).
constexpr std::uint32_t kQuickMatch = 2009, kMatchFound = 2011, kConfirmSeat = 2012,
                        kSetReady = 2007, kRoomUpdate = 2010, kGetRoom = 2014, kRoomState = 2001;
constexpr std::uint32_t kBid = 2100, kPlay = 2101, kGameView = 2103, kGameEvent = 2104,
                        kGetGame = 2105, kSetAutoPlay = 2106, kGetRecent = 2107, kRecent = 2108;
constexpr std::uint32_t kGetBalance = 1106, kBalance = 1107;
constexpr std::int64_t kStartingCoins = 1000;

CardSet set_of(const google::protobuf::RepeatedField<std::uint32_t>& ids) {
  return *cards_from(ids);
}

class Card : public ::testing::Test {
 protected:
  void SetUp() override {
    host.apply_migrations(USER_MIGRATIONS_DIR);
    host.apply_migrations(CARD_MIGRATIONS_DIR);
    host.set_setting_for("user", "starting_coins", kStartingCoins);
    host.set_setting_for("card", "turn_ms", std::int64_t{15'000});
    host.set_setting_for("card", "stake", std::int64_t{10});
    host.load(gamehost_plugin_user());
    host.load(gamehost_plugin_room());
  }
  void load_card(std::uint64_t seed) {
    host.set_setting_for("card", "shuffle_seed", static_cast<std::int64_t>(seed));
    host.load(gamehost_plugin_card());
  }

  // Three players (users first_user, +1, +2) quick-match, confirm and get ready: the game is
  // dealt.
  void seat_three(gamehost::UserId first_user = 101) {
    for (int i = 0; i < 3; ++i) {
      sessions[i] = host.connect();
      host.authenticate(sessions[i], first_user + i);
      rpb::QuickMatch q;
      q.set_game_type("doudizhu");
      ASSERT_TRUE(host.deliver(sessions[i], kQuickMatch, q).ok());
      const auto found = host.last_sent<rpb::MatchFound>(sessions[i], kMatchFound);
      rpb::ConfirmSeat c;
      c.set_room_id(found.room_id());
      ASSERT_TRUE(host.deliver(sessions[i], kConfirmSeat, c).ok());
      room_id = found.room_id();
    }
    for (const auto s : sessions) {
      rpb::SetReady r;
      r.set_ready(true);
      ASSERT_TRUE(host.deliver(s, kSetReady, r).ok());
    }
    const auto view = host.last_sent<pb::GameView>(sessions[0], kGameView);
    game_id = view.game_id();
    for (int i = 0; i < 3; ++i) {
      seat_of_session[i] = host.last_sent<pb::GameView>(sessions[i], kGameView).seat();
      session_of_seat[seat_of_session[i]] = sessions[i];
    }
  }
  // A card request as its client sees it: refused on the plugin's queue (the outcome of
  // deliver), or answered on the table's lane, where a refusal is an Error frame (the fake
  // host runs keyed work before deliver returns).
  gamehost::testing::Outcome request(gh_session_id s, std::uint32_t msg_id,
                                     const google::protobuf::MessageLite& m) {
    const auto errors_before = host.errors(s).size();
    auto out = host.deliver(s, msg_id, m);
    const auto& errors = host.errors(s);
    if (out.ok() && errors.size() > errors_before) {
      EXPECT_EQ(errors.size(), errors_before + 1);
      EXPECT_EQ(errors.back().request_id, msg_id);
      out.status = GH_ERR_FAILED;
      out.error_code = errors.back().code;
      out.error_text = errors.back().text;
    }
    return out;
  }
  pb::GameView view(gh_session_id s) {
    EXPECT_TRUE(request(s, kGetGame, pb::GetGame{}).ok());
    return host.last_sent<pb::GameView>(s, kGameView);
  }
  gamehost::testing::Outcome bid(Seat seat, std::uint32_t amount) {
    pb::Bid b;
    b.set_amount(amount);
    return request(session_of_seat[seat], kBid, b);
  }
  gamehost::testing::Outcome play(Seat seat, CardSet cards) {
    pb::Play p;
    add_cards(p.mutable_cards(), cards);
    return request(session_of_seat[seat], kPlay, p);
  }
  // The seat on turn acts as a simple bot: bids `bid_amount` once, then plays the smallest
  // legal play from the hand its client was sent. False once the game is over.
  bool bot_step(std::uint32_t bid_amount) {
    // Once the game ended the players are in no game.
    if (request(sessions[0], kGetGame, pb::GetGame{}).error_code == kErrNotInGame) return false;
    const auto v = host.last_sent<pb::GameView>(sessions[0], kGameView);
    const Seat turn = static_cast<Seat>(v.turn());
    const auto mine = view(session_of_seat[turn]);
    if (mine.phase() == pb::PHASE_BIDDING) {
      EXPECT_TRUE(bid(turn, mine.bid() < bid_amount ? bid_amount : 0).ok());
      return true;
    }
    const auto hand = set_of(mine.hand());
    Play chosen;
    if (!mine.has_last_play()) {
      chosen = smallest_lead(hand);
    } else {
      const auto last_cards = set_of(mine.last_play().cards());
      std::optional<Combination> last;
      for (const auto& r : classify(last_cards).readings) {
        if (static_cast<int>(r.type) == mine.last_play().type()) last = r;
      }
      EXPECT_TRUE(last.has_value());
      const auto beating = smallest_beating(hand, *last);
      if (!beating) {
        EXPECT_TRUE(play(turn, CardSet{}).ok());  // pass
        return true;
      }
      chosen = *beating;
    }
    const auto out = play(turn, chosen.cards);
    EXPECT_TRUE(out.ok()) << out.error_text;
    return out.ok();
  }
  std::vector<pb::GameEvent> events(gh_session_id s) const {
    std::vector<pb::GameEvent> out;
    for (const auto& sent : host.sent(s)) {
      if (sent.msg_id != kGameEvent) continue;
      pb::GameEvent e;
      EXPECT_TRUE(e.ParseFromString(sent.bytes));
      out.push_back(e);
    }
    return out;
  }
  std::int64_t balance(gh_session_id s) {
    EXPECT_TRUE(host.deliver(s, kGetBalance, gamehost::user::GetBalance{}).ok());
    return host.last_sent<gamehost::user::Balance>(s, kBalance).coins();
  }
  std::optional<pb::GameEvent> last_event(gh_session_id s, pb::GameEvent::Kind kind) const {
    std::optional<pb::GameEvent> found;
    for (const auto& e : events(s)) {
      if (e.kind() == kind) found = e;
    }
    return found;
  }

  FakeHost host;
  std::array<gh_session_id, 3> sessions{};
  std::array<Seat, 3> seat_of_session{};
  std::array<gh_session_id, 3> session_of_seat{};
  std::uint64_t room_id = 0, game_id = 0;
};

TEST_F(Card, AFullGameFromQuickMatchToSettlementAndItsRecord) {
  load_card(7);
  seat_three();
  ASSERT_NE(game_id, 0u);
  EXPECT_TRUE(host.open_keys("card").contains(game_id));
  // Each player sees 17 cards of their own, only counts of the others; hands are disjoint.
  CardSet all;
  for (const auto s : sessions) {
    const auto v = view(s);
    EXPECT_EQ(v.hand_size(), 17);
    EXPECT_EQ(v.hole_size(), 0);  // no landlord yet: the hole cards are hidden
    EXPECT_EQ(v.landlord(), -1);
    EXPECT_EQ((all & set_of(v.hand())).size(), 0);
    all = all | set_of(v.hand());
  }
  int steps = 0;
  while (bot_step(3) && ++steps < 500) {
  }
  const auto finished = last_event(sessions[0], pb::GameEvent::FINISHED);
  ASSERT_TRUE(finished.has_value());
  const auto settled = last_event(sessions[1], pb::GameEvent::SETTLED);
  ASSERT_TRUE(settled.has_value());
  EXPECT_TRUE(settled->result().settled());
  const auto& coins = settled->result().coins();
  EXPECT_EQ(std::accumulate(coins.begin(), coins.end(), std::int64_t{0}), 0);
  // Bid 3: the landlord moves 2 x score x stake; the record of the score is exact.
  const auto landlord = last_event(sessions[0], pb::GameEvent::LANDLORD);
  ASSERT_TRUE(landlord.has_value());
  EXPECT_EQ(landlord->bid(), 3u);
  EXPECT_EQ(landlord->cards_size(), 3);
  EXPECT_EQ(std::abs(coins[static_cast<int>(landlord->seat())]),
            std::min<std::int64_t>(2 * finished->result().score() * 10, 2 * kStartingCoins));
  std::int64_t total = 0;
  for (int i = 0; i < 3; ++i) {
    const auto b = balance(sessions[i]);
    EXPECT_EQ(b, kStartingCoins + coins[seat_of_session[i]]);
    total += b;
  }
  EXPECT_EQ(total, 3 * kStartingCoins);
  // The room waits again, the game key is closed.
  EXPECT_EQ(host.last_sent<rpb::RoomUpdate>(sessions[2], kRoomUpdate).game_over(), game_id);
  EXPECT_FALSE(host.open_keys("card").contains(game_id));
  // The stored record replays to the same result.
  const auto rows = host.sql("SELECT record, settled, score FROM card_games WHERE game_id = " +
                             std::to_string(game_id));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "1");
  EXPECT_EQ(rows[0][2], std::to_string(finished->result().score()));
  const auto parsed = parse_record(rows[0][0]);
  ASSERT_TRUE(parsed.has_value());
  const auto replayed = replay(parsed->deal, parsed->first_bidder, parsed->actions);
  ASSERT_TRUE(replayed.game.has_value()) << "entry " << replayed.failed_at;
  EXPECT_EQ(replayed.game->result()->score, finished->result().score());
  // Each player finds the game in their recent games.
  ASSERT_TRUE(host.deliver(sessions[1], kGetRecent, pb::GetRecentGames{}).ok());
  const auto recent = host.last_sent<pb::RecentGames>(sessions[1], kRecent);
  ASSERT_EQ(recent.games_size(), 1);
  EXPECT_EQ(recent.games(0).game_id(), game_id);
  EXPECT_EQ(recent.games(0).coins(), coins[seat_of_session[1]]);
}

// Each table is keyed work: its game runs on the keyed lane of its game id. Two tables play
// at once (nobody acts: the server does, from the tables' turn timers) and each settles
// from its own lane. The user plugin's settle is answered here, where the caller's lane
// shows (the fake host answers a call inside it).
TEST_F(Card, EachTableRunsOnTheLaneOfItsGameId) {
  host.unload("user");
  struct Settled {
    std::optional<std::uint64_t> lane;
    std::uint64_t game = 0;
  };
  std::vector<Settled> settles;
  host.serve_calls("user", [&](std::uint32_t method, std::string_view data) {
    if (method != gamehost::method_id("settle")) {
      return std::pair<gh_status, std::string>{GH_ERR_UNSUPPORTED, {}};
    }
    gamehost::user::Settle in;
    EXPECT_TRUE(in.ParseFromArray(data.data(), static_cast<int>(data.size())));
    settles.push_back({gamehost::Plugin::current_key(), std::stoull(in.reference())});
    gamehost::user::SettleResult out;
    for (const auto& entry : in.entries()) *out.add_applied() = entry;
    return std::pair<gh_status, std::string>{GH_OK, out.SerializeAsString()};
  });
  load_card(5);
  seat_three(101);
  const auto first_game = game_id;
  const auto first_sessions = sessions;
  seat_three(201);
  const auto second_game = game_id;
  ASSERT_NE(first_game, second_game);
  EXPECT_EQ(host.open_keys("card"), (std::set<std::uint64_t>{first_game, second_game}));
  for (int i = 0; i < 400 && settles.size() < 2; ++i) host.advance(15'000);
  ASSERT_EQ(settles.size(), 2u);
  EXPECT_EQ((std::set{settles[0].game, settles[1].game}),
            (std::set<std::uint64_t>{first_game, second_game}));
  for (const auto& s : settles) {
    ASSERT_TRUE(s.lane.has_value()) << "game " << s.game << " settled from the plugin's queue";
    EXPECT_EQ(*s.lane, s.game);
  }
  // Each table's players heard their own game settle, with coins that sum to nothing.
  for (const auto& [players, game] :
       {std::pair{first_sessions, first_game}, std::pair{sessions, second_game}}) {
    for (const auto s : players) {
      const auto settled = last_event(s, pb::GameEvent::SETTLED);
      ASSERT_TRUE(settled.has_value());
      EXPECT_EQ(settled->game_id(), game);
      EXPECT_TRUE(settled->result().settled());
      const auto& coins = settled->result().coins();
      EXPECT_EQ(std::accumulate(coins.begin(), coins.end(), std::int64_t{0}), 0);
      EXPECT_NE(coins[0], 0);
    }
  }
  EXPECT_TRUE(host.open_keys("card").empty());
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM card_games"), "2");
}

TEST_F(Card, NothingAClientReceivesRevealsAnotherHand) {
  load_card(11);
  seat_three();
  while (bot_step(2)) {
  }
  // Every card id a session was sent is its own hand, a played card or the public hole.
  for (int i = 0; i < 3; ++i) {
    const auto s = sessions[i];
    CardSet allowed;
    for (const auto& sent : host.sent(s)) {
      if (sent.msg_id == kGameView) {
        pb::GameView v;
        ASSERT_TRUE(v.ParseFromString(sent.bytes));
        EXPECT_EQ(v.seat(), seat_of_session[i]);
        allowed = allowed | set_of(v.hand());
      }
    }
    for (const auto& e : events(s)) {
      // plays and the hole are public: each was played or shown to everyone
      EXPECT_TRUE(e.kind() == pb::GameEvent::PLAY || e.kind() == pb::GameEvent::LANDLORD ||
                  e.cards_size() == 0);
    }
  }
}

TEST_F(Card, IllegalActionsGetPreciseCodesAndChangeNothing) {
  load_card(3);
  seat_three();
  const auto v = view(sessions[0]);
  const Seat turn = static_cast<Seat>(v.turn());
  const Seat other = next_seat(turn);
  EXPECT_EQ(bid(other, 1).error_code, kErrBidOutOfTurn);
  EXPECT_EQ(bid(turn, 4).error_code, kErrBidOutOfRange);
  const auto hand = set_of(view(session_of_seat[turn]).hand());
  EXPECT_EQ(play(turn, CardSet::of(std::array{hand.cards()[0]})).error_code, kErrWrongPhase);
  ASSERT_TRUE(bid(turn, 2).ok());
  EXPECT_EQ(bid(other, 2).error_code, kErrBidNotHigher);
  ASSERT_TRUE(bid(other, 3).ok());  // a 3 ends bidding: `other` is the landlord and leads
  const auto lead = view(session_of_seat[other]);
  EXPECT_EQ(lead.phase(), pb::PHASE_PLAYING);
  EXPECT_EQ(lead.hand_size(), 20);
  const auto mine = set_of(lead.hand());
  const auto theirs = set_of(view(session_of_seat[turn]).hand());
  EXPECT_EQ(play(other, CardSet::of(std::array{theirs.cards()[0]})).error_code, kErrNotHeld);
  EXPECT_EQ(play(turn, CardSet::of(std::array{theirs.cards()[0]})).error_code, kErrNotYourTurn);
  EXPECT_EQ(play(other, CardSet{}).error_code, kErrMustLead);
  // Two cards of different ranks make no combination (unless they are the two jokers).
  const auto cards = mine.cards();
  const auto pairless = CardSet::of(std::array{cards.front(), cards.back()});
  if (!classify(pairless).valid()) {
    EXPECT_EQ(play(other, pairless).error_code, kErrInvalidCombination);
  }
  pb::Play bad;
  bad.add_cards(99);
  EXPECT_EQ(request(session_of_seat[other], kPlay, bad).error_code, kErrBadCard);
  const auto outsider = host.connect();
  host.authenticate(outsider, 999);
  EXPECT_EQ(request(outsider, kBid, pb::Bid{}).error_code, kErrNotInGame);
  // Nothing changed: still 20 cards, still the landlord's lead.
  const auto after = view(session_of_seat[other]);
  EXPECT_EQ(after.hand_size(), 20);
  EXPECT_EQ(after.turn(), other);
}

TEST_F(Card, TimeoutsActForThePlayersAndAutoPlayFinishesTheGame) {
  load_card(5);
  seat_three();
  const Seat first = static_cast<Seat>(view(sessions[0]).turn());
  host.advance(15'000);
  const auto pass = last_event(sessions[0], pb::GameEvent::PASS);
  ASSERT_TRUE(pass.has_value());
  EXPECT_EQ(pass->seat(), first);
  EXPECT_EQ(pass->source(), pb::TIMEOUT);
  // Nobody acts: timeouts, then auto-play, finish the game (redeals included).
  for (int i = 0; i < 400 && !last_event(sessions[0], pb::GameEvent::SETTLED); ++i) {
    host.advance(15'000);
  }
  const auto settled = last_event(sessions[0], pb::GameEvent::SETTLED);
  ASSERT_TRUE(settled.has_value());
  bool saw_auto = false;
  for (const auto& e : events(sessions[0]))
    saw_auto = saw_auto || e.kind() == pb::GameEvent::AUTO_PLAY;
  EXPECT_TRUE(saw_auto);
}

TEST_F(Card, ADroppedPlayerIsPlayedForAndGetsTheGameBackOnLogin) {
  load_card(9);
  seat_three();
  const Seat turn = static_cast<Seat>(view(sessions[0]).turn());
  const auto dropped = session_of_seat[turn];
  const auto user = host.user_of(dropped);
  host.disconnect(dropped);
  // The dropped seat was on turn: the server passed for it at once.
  const auto auto_on =
      last_event(sessions[turn == seat_of_session[0] ? 1 : 0], pb::GameEvent::AUTO_PLAY);
  ASSERT_TRUE(auto_on.has_value());
  EXPECT_TRUE(auto_on->on());
  EXPECT_NE(view(sessions[turn == seat_of_session[0] ? 1 : 0]).turn(), turn);
  const auto back = host.connect();
  host.authenticate(back, user);
  const auto v = host.last_sent<pb::GameView>(back, kGameView);
  EXPECT_EQ(v.game_id(), game_id);
  EXPECT_EQ(v.seat(), turn);
  EXPECT_GE(v.hand_size(), 17);
  EXPECT_FALSE(v.auto_play(turn));
  EXPECT_EQ(host.key_of(back, "card"), game_id);
  // room sent the whole room too.
  EXPECT_EQ(host.last_sent<rpb::RoomState>(back, kRoomState).phase(), rpb::PHASE_PLAYING);
}

TEST_F(Card, EveryonePassingDealsAgain) {
  load_card(13);
  seat_three();
  for (int i = 0; i < 3; ++i) {
    const Seat turn = static_cast<Seat>(view(sessions[0]).turn());
    ASSERT_TRUE(bid(turn, 0).ok());
  }
  ASSERT_TRUE(last_event(sessions[0], pb::GameEvent::REDEAL).has_value());
  const auto v = view(sessions[0]);
  EXPECT_EQ(v.redeals(), 1u);
  EXPECT_EQ(v.phase(), pb::PHASE_BIDDING);
  EXPECT_EQ(v.hand_size(), 17);
}

TEST_F(Card, ADrainingBuildLeavesNewGamesToTheNextOne) {
  load_card(21);
  host.set_draining("card");  // as the old build is during a drain reload
  for (int i = 0; i < 3; ++i) {
    sessions[i] = host.connect();
    host.authenticate(sessions[i], 201 + i);
    rpb::QuickMatch q;
    q.set_game_type("doudizhu");
    ASSERT_TRUE(host.deliver(sessions[i], kQuickMatch, q).ok());
    rpb::ConfirmSeat c;
    c.set_room_id(host.last_sent<rpb::MatchFound>(sessions[i], kMatchFound).room_id());
    ASSERT_TRUE(host.deliver(sessions[i], kConfirmSeat, c).ok());
  }
  for (const auto s : sessions) {
    rpb::SetReady r;
    r.set_ready(true);
    ASSERT_TRUE(host.deliver(s, kSetReady, r).ok());
  }
  EXPECT_EQ(host.count_sent(sessions[0], kGameView), 0u);  // not dealt here
  EXPECT_TRUE(host.open_keys("card").empty());
  EXPECT_EQ(request(sessions[0], kGetGame, pb::GetGame{}).error_code, kErrNotInGame);
}

TEST_F(Card, AHandoverReloadKeepsTheRunningGameAndItFinishes) {
  load_card(31);
  seat_three();
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(bot_step(2));
  std::array<pb::GameView, 3> before;
  for (int i = 0; i < 3; ++i) before[i] = view(sessions[i]);
  host.reload(gamehost_plugin_card());  // export_state, then the new build replays it
  for (int i = 0; i < 3; ++i) {
    const auto after = view(sessions[i]);
    EXPECT_EQ(after.game_id(), before[i].game_id());
    EXPECT_EQ(after.hand_size(), before[i].hand_size());
    EXPECT_EQ(set_of(after.hand()), set_of(before[i].hand()));
    EXPECT_EQ(after.turn(), before[i].turn());
    EXPECT_EQ(after.landlord(), before[i].landlord());
  }
  EXPECT_TRUE(host.open_keys("card").contains(game_id));
  // The turn timer came across too: nobody acts, the server does.
  host.advance(15'000);
  EXPECT_NE(view(sessions[0]).turn(), before[0].turn());
  while (bot_step(2)) {
  }
  const auto settled = last_event(sessions[0], pb::GameEvent::SETTLED);
  ASSERT_TRUE(settled.has_value());
  EXPECT_TRUE(settled->result().settled());
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM card_games"), "1");
}

TEST_F(Card, APlayNamingAReadingItCannotHaveIsRefused) {
  load_card(3);
  seat_three();
  const Seat turn = static_cast<Seat>(view(sessions[0]).turn());
  ASSERT_TRUE(bid(turn, 3).ok());  // the first bidder takes it and leads
  const auto hand = set_of(view(session_of_seat[turn]).hand());
  pb::Play single;
  single.add_cards(hand.cards()[0].id());
  single.set_as(pb::PAIR);
  EXPECT_EQ(request(session_of_seat[turn], kPlay, single).error_code, kErrInvalidCombination);
  single.set_as(pb::SINGLE);
  EXPECT_TRUE(request(session_of_seat[turn], kPlay, single).ok());
  EXPECT_EQ(view(session_of_seat[turn]).hand_size(), 19);
}

TEST_F(Card, APassIsRefusedInThePhaseItDoesNotBelongTo) {
  load_card(41);
  seat_three();
  const Seat turn = static_cast<Seat>(view(sessions[0]).turn());
  EXPECT_EQ(play(turn, CardSet{}).error_code, kErrWrongPhase);  // Play{} while bidding
  ASSERT_TRUE(bid(turn, 3).ok());
  EXPECT_EQ(bid(turn, 0).error_code, kErrWrongPhase);  // Bid{0} while playing
  EXPECT_EQ(view(sessions[0]).turn(), turn);           // the landlord still leads
}

TEST_F(Card, TogglingAutoPlayDoesNotGiveTheSeatOnTurnMoreTime) {
  load_card(43);
  seat_three();
  const Seat turn = static_cast<Seat>(view(sessions[0]).turn());
  const auto other = session_of_seat[next_seat(turn)];
  host.advance(10'000);
  pb::SetAutoPlay on;
  on.set_on(true);
  ASSERT_TRUE(request(other, kSetAutoPlay, on).ok());
  pb::SetAutoPlay off;
  ASSERT_TRUE(request(other, kSetAutoPlay, off).ok());
  host.advance(5'000);  // 15 s after the turn began: the server acts for the seat on turn
  EXPECT_NE(view(sessions[0]).turn(), turn);
}

TEST_F(Card, APlayerInAutoPlayWhoActsIsBackInControl) {
  load_card(47);
  seat_three();
  const Seat turn = static_cast<Seat>(view(sessions[0]).turn());
  const Seat other = next_seat(next_seat(turn));  // not on turn, and not next
  pb::SetAutoPlay on;
  on.set_on(true);
  ASSERT_TRUE(request(session_of_seat[other], kSetAutoPlay, on).ok());
  EXPECT_TRUE(view(sessions[0]).auto_play(other));
  // Any action of that player ends it, even one the rules refuse (out of turn).
  EXPECT_EQ(bid(other, 3).error_code, kErrBidOutOfTurn);
  EXPECT_FALSE(view(sessions[0]).auto_play(other));
}

TEST_F(Card, ARecentGameSaysWhetherItsCoinsMoved) {
  load_card(7);
  seat_three();
  while (bot_step(3)) {
  }
  ASSERT_TRUE(host.deliver(sessions[0], kGetRecent, pb::GetRecentGames{}).ok());
  EXPECT_TRUE(host.last_sent<pb::RecentGames>(sessions[0], kRecent).games(0).settled());
}

// The user plugin is down when a game ends: every attempt fails, the game is stored with
// the coins it owes and settled=0; once user is back, a sweep settles it, exactly once.
TEST_F(Card, CoinsThatCouldNotMoveAreSettledOnceWhenTheUserPluginIsBack) {
  host.set_setting_for("card", "settle_attempts", std::int64_t{2});
  host.set_setting_for("card", "settle_retry_ms", std::int64_t{100});
  host.set_setting_for("card", "resettle_interval_ms", std::int64_t{60'000});
  load_card(7);
  seat_three();
  const auto balances = [&] {
    return host.sql_value(
        "SELECT GROUP_CONCAT(balance) FROM (SELECT balance FROM user_coins "
        "WHERE user_id IN (101, 102, 103) ORDER BY user_id)");
  };
  const auto before = balances();
  host.unload("user");
  while (bot_step(3)) {
  }
  host.advance(1000);  // both attempts fail
  ASSERT_EQ(host.sql_value("SELECT settled FROM card_games"), "0");
  EXPECT_EQ(balances(), before);
  const auto owed = host.sql_value(
      "SELECT GROUP_CONCAT(coins) FROM (SELECT coins FROM "
      "card_game_players ORDER BY user_id)");

  host.load(gamehost_plugin_user());
  host.advance(60'000);  // the sweep
  EXPECT_EQ(host.sql_value("SELECT settled FROM card_games"), "1");
  const auto after = balances();
  EXPECT_NE(after, before);
  const auto moved = host.sql_value(
      "SELECT GROUP_CONCAT(coins) FROM (SELECT coins FROM "
      "card_game_players ORDER BY user_id)");
  EXPECT_EQ(moved, owed);  // everyone could pay: what was owed moved
  // Later sweeps find nothing to settle; and had the mark been lost (a crash right after
  // the coins moved), the next sweep's call pays nothing twice: the game id is its key.
  host.advance(120'000);
  EXPECT_EQ(balances(), after);
  host.sql("UPDATE card_games SET settled = 0");
  host.advance(60'000);
  EXPECT_EQ(host.sql_value("SELECT settled FROM card_games"), "1");
  EXPECT_EQ(balances(), after);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM user_ledger WHERE reason = 'doudizhu'"), "3");
}

TEST(CardSettings, AShuffleSeedOfTheWrongTypeRefusesThePlugin) {
  FakeHost h;
  h.set_setting_for("card", "shuffle_seed", std::string("42"));
  EXPECT_THROW(h.load(gamehost_plugin_card()), std::runtime_error);
}

TEST_F(Card, TenBotGamesInARowScoreByTheRulesAndConserveCoins) {
  host.set_setting_for("user", "starting_coins", std::int64_t{1'000'000});
  host.load(gamehost_plugin_user());
  load_card(100);
  seat_three();
  std::set<std::uint64_t> games;
  for (int round = 0; round < 10; ++round) {
    host.clear_sent();
    while (bot_step(1 + round % 3)) {
    }
    const auto finished = last_event(sessions[0], pb::GameEvent::FINISHED);
    ASSERT_TRUE(finished.has_value());
    const auto landlord = last_event(sessions[0], pb::GameEvent::LANDLORD);
    ASSERT_TRUE(landlord.has_value());
    int doublings = 0;
    for (const auto& e : events(sessions[0])) {
      if (e.kind() == pb::GameEvent::PLAY && (e.type() == pb::BOMB || e.type() == pb::ROCKET)) {
        ++doublings;
      }
    }
    const auto& r = finished->result();
    const std::int64_t expected = static_cast<std::int64_t>(landlord->bid()) << doublings;
    EXPECT_EQ(r.score(), expected * (r.spring() || r.anti_spring() ? 2 : 1));
    games.insert(last_event(sessions[0], pb::GameEvent::SETTLED)->game_id());
    // Everyone gets ready again: the room starts the next game.
    for (const auto s : sessions) {
      rpb::SetReady ready;
      ready.set_ready(true);
      ASSERT_TRUE(host.deliver(s, kSetReady, ready).ok());
    }
    game_id = host.last_sent<pb::GameView>(sessions[0], kGameView).game_id();
    for (int i = 0; i < 3; ++i) {
      seat_of_session[i] = host.last_sent<pb::GameView>(sessions[i], kGameView).seat();
      session_of_seat[seat_of_session[i]] = sessions[i];
    }
  }
  EXPECT_EQ(games.size(), 10u);
  std::int64_t total = 0;
  for (const auto s : sessions) total += balance(s);
  EXPECT_EQ(total, 3 * 1'000'000);
  EXPECT_EQ(host.sql_value("SELECT COUNT(*) FROM card_games"), "10");
}

}  // namespace
