// A whole Dou Dizhu game through the real binary over TCP: auth, user, room and card
// loaded, three players register, quick-match, get ready, bid and play to settlement; the
// coins and the game record are checked in the database (SQLite and MariaDB). Also: a
// player who reconnects mid-game, one who leaves for good (the server plays for them),
// a drain reload of card while a game runs, and four tables playing at once on card's
// keyed lanes.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth.pb.h"
#include "card.pb.h"
#include "room.pb.h"
#include "rules/hand_search.hpp"
#include "support/clients.hpp"
#include "support/databases.hpp"
#include "support/host_process.hpp"

namespace gamehost::testing {
namespace {

using namespace std::chrono_literals;
namespace pb = gamehost::card;
namespace rpb = gamehost::room;

namespace id {
constexpr std::uint32_t kError = 2;
constexpr std::uint32_t kRegister = 1000, kLoginReply = 1001, kTokenLogin = 1006;
constexpr std::uint32_t kRoomState = 2001, kQuickMatch = 2009, kMatchFound = 2011,
                        kConfirmSeat = 2012, kSetReady = 2007, kRoomUpdate = 2010, kGetRoom = 2014;
constexpr std::uint32_t kBid = 2100, kPlay = 2101, kActionDone = 2102, kGameView = 2103,
                        kGameEvent = 2104, kGetGame = 2105;
constexpr std::uint32_t kErrNotInGame = 2180;
}  // namespace id

constexpr std::int64_t kStartingCoins = 1000;

// `plugins_extra`: more [plugins] lines (keyed_lanes = N).
std::string game_config(const std::string& url, const std::string& plugins_extra = "") {
  return "[storage]\nurl = \"" + url + "\"\nmigrations_dir = \"" + GAMEHOST_SOURCE_DIR +
         "/migrations\"\n[plugins]\n" + plugins_extra +
         "required = true\nload = [\"auth\", \"user\", \"room\", "
         "\"card\"]\n"
         "[plugins.auth]\nfile = \"" +
         plugin_path("auth") +
         "\"\ncapabilities = [\"bind_user\"]\n"
         "[plugins.auth.settings]\nargon2_ops_limit = 1\nargon2_mem_limit_kib = 8\n"
         // Every player registers from 127.0.0.1; GameLanes registers thirty at once.
         "max_registrations_per_address = 100\n"
         "[plugins.user]\nfile = \"" +
         plugin_path("user") +
         "\"\n[plugins.user.settings]\nstarting_coins = " + std::to_string(kStartingCoins) +
         "\n[plugins.room]\nfile = \"" + plugin_path("room") +
         "\"\n[plugins.room.settings]\ngames = \"doudizhu:3\"\n[plugins.card]\nfile = \"" +
         plugin_path("card") +
         "\"\n[plugins.card.settings]\nturn_ms = 1000\nstake = 10\nsettle_attempts = "
         "2\nsettle_retry_ms = 100\n";
}

// A player's connection: frames that are not what a step waits for are kept (events).
class Player {
 public:
  Player(std::uint16_t port, const std::string& name) : port_(port) {
    client_ = std::make_unique<TcpClient>(port);
    auth::RegisterRequest r;
    r.set_username(name);
    r.set_password("secret123");
    client_->send(id::kRegister, r);
    const auto reply = wait(id::kLoginReply).as<auth::LoginReply>();
    user_id = reply.user_id();
    token = reply.token();
  }

  // The next frame with `msg_id`; others are kept in `seen`. An Error frame is returned
  // as well when `or_error` (for requests that may be refused).
  Frame wait(std::uint32_t msg_id, bool or_error = false, std::chrono::milliseconds t = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + t;
    while (std::chrono::steady_clock::now() < deadline) {
      auto f = client_->recv(100ms);
      if (!f) continue;
      if (f->msg_id == msg_id || (or_error && f->msg_id == id::kError)) return *f;
      seen.push_back(*f);
    }
    throw std::runtime_error("no frame " + std::to_string(msg_id) + " for user " +
                             std::to_string(user_id));
  }
  // A frame the server pushes (not a reply): it may have come already, while this player
  // waited for something else (card's GameView for a player logging in again can beat
  // auth's LoginReply), so what was kept is looked at first.
  Frame pushed(std::uint32_t msg_id) {
    for (auto it = seen.begin(); it != seen.end(); ++it) {
      if (it->msg_id == msg_id) {
        auto f = *it;
        seen.erase(it);
        return f;
      }
    }
    return wait(msg_id);
  }
  void send(std::uint32_t msg_id, const google::protobuf::MessageLite& m) {
    client_->send(msg_id, m);
  }
  // The game as this player sees it, or nothing when they play no game any more.
  std::optional<pb::GameView> view() {
    send(id::kGetGame, pb::GetGame{});
    const auto f = wait(id::kGameView, true);
    if (f.msg_id == id::kError) {
      EXPECT_EQ(f.as<wire::Error>().code(), id::kErrNotInGame);
      return std::nullopt;
    }
    return f.as<pb::GameView>();
  }
  // Waits for the game event of `kind` (in what was kept, then on the wire).
  pb::GameEvent event(pb::GameEvent::Kind kind, std::chrono::milliseconds t = 20s) {
    for (auto it = seen.begin(); it != seen.end(); ++it) {
      if (it->msg_id != id::kGameEvent) continue;
      const auto e = it->as<pb::GameEvent>();
      if (e.kind() == kind) {
        seen.erase(seen.begin(), std::next(it));
        return e;
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + t;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto e = wait(id::kGameEvent, false, t).as<pb::GameEvent>();
      if (e.kind() == kind) return e;
    }
    throw std::runtime_error("no game event of kind " + std::to_string(kind));
  }
  void drop() { client_.reset(); }
  // A new connection, logged in with the token: back in the room and the game.
  void reconnect() {
    client_ = std::make_unique<TcpClient>(port_);
    seen.clear();  // what the old connection got
    auth::TokenLoginRequest t;
    t.set_token(token);
    client_->send(id::kTokenLogin, t);
    wait(id::kLoginReply);
  }

  std::uint64_t user_id = 0;
  std::string token;
  std::vector<Frame> seen;

 private:
  std::uint16_t port_;
  std::unique_ptr<TcpClient> client_;
};

// Three players in one room, every seat ready: the game is dealt. Returns the game id.
std::uint64_t start_game(std::array<Player*, 3> players) {
  for (auto* p : players) {
    rpb::QuickMatch q;
    q.set_game_type("doudizhu");
    p->send(id::kQuickMatch, q);
    const auto found = p->wait(id::kMatchFound).as<rpb::MatchFound>();
    rpb::ConfirmSeat c;
    c.set_room_id(found.room_id());
    p->send(id::kConfirmSeat, c);
    p->wait(id::kRoomState);
  }
  for (auto* p : players) {
    rpb::SetReady r;
    r.set_ready(true);
    p->send(id::kSetReady, r);
    p->wait(id::kRoomUpdate);
  }
  std::uint64_t game = 0;
  for (auto* p : players) game = p->wait(id::kGameView).as<pb::GameView>().game_id();
  return game;
}

// The seat on turn plays like a simple bot (bids 2 when it can, then the smallest legal
// play). `skip` players are not asked (their connection is down). False once it is over.
bool bot_step(std::array<Player*, 3> players, const std::set<Player*>& skip = {}) {
  Player* any = nullptr;
  for (auto* p : players) {
    if (!skip.contains(p)) any = p;
  }
  const auto v = any->view();
  if (!v) return false;
  Player* on_turn = nullptr;
  for (auto* p : players) {
    if (skip.contains(p)) continue;
    if (const auto mine = p->view(); mine && mine->seat() == v->turn()) on_turn = p;
  }
  if (on_turn == nullptr) {  // the server plays for the seat on turn: let it
    std::this_thread::sleep_for(20ms);
    return true;
  }
  const auto mine = *on_turn->view();
  if (mine.phase() == pb::PHASE_BIDDING) {
    pb::Bid b;
    b.set_amount(mine.bid() < 2 ? 2 : 0);
    on_turn->send(id::kBid, b);
  } else {
    using namespace gh_card;
    CardSet hand;
    for (const auto c : mine.hand()) hand.insert(Card(static_cast<std::uint8_t>(c)));
    std::optional<Play> choice;
    if (!mine.has_last_play()) {
      choice = smallest_lead(hand);
    } else {
      CardSet last_cards;
      for (const auto c : mine.last_play().cards())
        last_cards.insert(Card(static_cast<std::uint8_t>(c)));
      for (const auto& r : classify(last_cards).readings) {
        if (static_cast<int>(r.type) == mine.last_play().type()) choice = smallest_beating(hand, r);
      }
    }
    pb::Play play;
    if (choice) {
      for (const auto card : choice->cards.cards()) play.add_cards(card.id());
    }
    on_turn->send(id::kPlay, play);
  }
  const auto answer = on_turn->wait(id::kActionDone, true);
  // A timeout may have acted first: then the action is refused, which is fine.
  return answer.msg_id == id::kActionDone || answer.as<wire::Error>().code() != id::kErrNotInGame;
}

class GameSuite : public ::testing::TestWithParam<std::string> {
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
      url_ = "sqlite:" + db_dir_.str() + "/game.db";
    }
    drop_project_tables(url_);
    host_ = std::make_unique<HostProcess>(game_config(url_));
  }
  std::int64_t sql(const std::string& q) { return query_int(url_, q); }
  std::int64_t balance(const Player& p) {
    return sql("SELECT balance FROM user_coins WHERE user_id = " + std::to_string(p.user_id));
  }

  TempDir db_dir_;
  std::string url_;
  std::unique_ptr<HostProcess> host_;
};

TEST_P(GameSuite, ThreePlayersPlayAFullGameToSettlement) {
  Player a(host_->tcp_port(), "ann"), b(host_->tcp_port(), "ben"), c(host_->tcp_port(), "cat");
  const std::array<Player*, 3> players{&a, &b, &c};
  const auto game = start_game(players);
  for (int i = 0; i < 400 && bot_step(players); ++i) {
  }
  const auto settled = a.event(pb::GameEvent::SETTLED);
  ASSERT_TRUE(settled.result().settled());
  std::int64_t total = 0;
  for (const auto* p : players) total += balance(*p);
  EXPECT_EQ(total, 3 * kStartingCoins);
  // SETTLED comes after the record is stored: each player's stored coins equal what moved.
  for (const auto* p : players) {
    const auto coins =
        sql("SELECT coins FROM card_game_players WHERE game_id = " + std::to_string(game) +
            " AND user_id = " + std::to_string(p->user_id));
    EXPECT_EQ(balance(*p), kStartingCoins + coins);
  }
  EXPECT_EQ(sql("SELECT settled FROM card_games WHERE game_id = " + std::to_string(game)), 1);
  EXPECT_EQ(sql("SELECT score FROM card_games WHERE game_id = " + std::to_string(game)),
            settled.result().score());
  // One ledger row per player with the game as the reference, under one key.
  EXPECT_EQ(
      sql("SELECT COUNT(*) FROM user_ledger WHERE reference = '" + std::to_string(game) + "'"), 3);
}

INSTANTIATE_TEST_SUITE_P(Databases, GameSuite, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return info.param; });

class Game : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = std::make_unique<HostProcess>(game_config("sqlite:" + dir_.str() + "/game.db"));
  }
  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
};

TEST_F(Game, APlayerWhoReconnectsMidGameGetsTheGameBackAndItGoesOn) {
  Player a(host_->tcp_port(), "ann"), b(host_->tcp_port(), "ben"), c(host_->tcp_port(), "cat");
  const std::array<Player*, 3> players{&a, &b, &c};
  const auto game = start_game(players);
  for (int i = 0; i < 6; ++i) bot_step(players);
  b.drop();
  std::this_thread::sleep_for(100ms);
  b.reconnect();
  const auto view = b.pushed(id::kGameView).as<pb::GameView>();
  EXPECT_EQ(view.game_id(), game);
  EXPECT_GE(view.hand_size(), 1);
  EXPECT_FALSE(view.auto_play(view.seat()));
  for (int i = 0; i < 400 && bot_step(players); ++i) {
  }
  EXPECT_TRUE(c.event(pb::GameEvent::SETTLED).result().settled());
}

TEST_F(Game, APlayerWhoLeavesForGoodIsPlayedByTheServerToTheEnd) {
  Player a(host_->tcp_port(), "ann"), b(host_->tcp_port(), "ben"), c(host_->tcp_port(), "cat");
  const std::array<Player*, 3> players{&a, &b, &c};
  start_game(players);
  c.drop();
  for (int i = 0; i < 600 && bot_step(players, {&c}); ++i) {
  }
  const auto settled = a.event(pb::GameEvent::SETTLED);
  EXPECT_TRUE(settled.result().settled());
}

bool maps_contain(pid_t pid, const std::string& fragment) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  return text.find(fragment) != std::string::npos;
}

TEST_F(Game, AHandoverReloadOfCardMidGameKeepsTheGame) {
  Player a(host_->tcp_port(), "ann"), b(host_->tcp_port(), "ben"), c(host_->tcp_port(), "cat");
  const std::array<Player*, 3> players{&a, &b, &c};
  const auto game = start_game(players);
  for (int i = 0; i < 6; ++i) bot_step(players);
  const auto before = a.view();
  ASSERT_TRUE(before.has_value());
  const auto cmd = std::string(GAMEHOSTCTL_BINARY) + " --config " + host_->config_path() +
                   " reload card --strategy handover > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto after = a.view();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->game_id(), game);
  EXPECT_EQ(after->hand_size(), before->hand_size());
  for (int i = 0; i < 400 && bot_step(players); ++i) {
  }
  EXPECT_EQ(b.event(pb::GameEvent::SETTLED).game_id(), game);
  EXPECT_NE(host_->log().find("card: 1 game(s) handed over"), std::string::npos);
}

TEST_F(Game, ADrainReloadOfCardLetsTheRunningGameFinishOnTheOldBuild) {
  Player a(host_->tcp_port(), "ann"), b(host_->tcp_port(), "ben"), c(host_->tcp_port(), "cat");
  const std::array<Player*, 3> first{&a, &b, &c};
  const auto old_game = start_game(first);
  std::string old_copy;
  for (int n = 0; n < 8 && old_copy.empty(); ++n) {
    const auto name = "card-" + std::to_string(host_->pid()) + "-" + std::to_string(n) + ".so";
    if (maps_contain(host_->pid(), name)) old_copy = name;
  }
  ASSERT_FALSE(old_copy.empty());
  const auto cmd = std::string(GAMEHOSTCTL_BINARY) + " --config " + host_->config_path() +
                   " reload card --strategy drain > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  // A new game starts on the new build while the old one still runs.
  Player d(host_->tcp_port(), "dan"), e(host_->tcp_port(), "eve"), f(host_->tcp_port(), "fay");
  const std::array<Player*, 3> second{&d, &e, &f};
  const auto new_game = start_game(second);
  EXPECT_NE(new_game, old_game);
  EXPECT_TRUE(maps_contain(host_->pid(), old_copy)) << "the old build went while its game ran";
  for (int i = 0; i < 400 && bot_step(first); ++i) {
  }
  EXPECT_EQ(a.event(pb::GameEvent::SETTLED).game_id(), old_game);
  for (int i = 0; i < 300 && maps_contain(host_->pid(), old_copy); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(maps_contain(host_->pid(), old_copy)) << "the old build stayed after its game";
  EXPECT_NE(host_->log().find("plugin card 1.0.0 drained and unloaded"), std::string::npos);
  for (int i = 0; i < 400 && bot_step(second); ++i) {
  }
  EXPECT_EQ(d.event(pb::GameEvent::SETTLED).game_id(), new_game);
}

// Each card table runs on the keyed lane of its game id: with four lanes, four tables play
// at the same time (each table's players from a thread of their own) to settlement, and
// each table's coins move as that table scored, once.
TEST(GameLanes, FourTablesPlayAtOnceToSettlementWithTheirOwnCoins) {
  TempDir dir;
  const auto url = "sqlite:" + dir.str() + "/game.db";
  HostProcess host(game_config(url, "keyed_lanes = 4\n"));
  constexpr int kTables = 4;
  std::vector<std::unique_ptr<Player>> all;
  for (int i = 0; i < 3 * kTables; ++i)
    all.push_back(std::make_unique<Player>(host.tcp_port(), "lane" + std::to_string(i)));
  std::array<std::array<Player*, 3>, kTables> tables{};
  std::array<std::uint64_t, kTables> games{};
  for (int t = 0; t < kTables; ++t) {
    tables[t] = {all[3 * t].get(), all[3 * t + 1].get(), all[3 * t + 2].get()};
    games[t] = start_game(tables[t]);
  }
  ASSERT_EQ(std::set<std::uint64_t>(games.begin(), games.end()).size(), std::size_t{kTables});

  std::array<std::optional<pb::GameEvent>, kTables> settled;
  std::array<std::string, kTables> failed;
  std::vector<std::thread> threads;
  for (int t = 0; t < kTables; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 400 && bot_step(tables[t]); ++i) {
        }
        settled[t] = tables[t][0]->event(pb::GameEvent::SETTLED);
      } catch (const std::exception& e) {
        failed[t] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();

  const auto sql = [&](const std::string& q) { return query_int(url, q); };
  for (int t = 0; t < kTables; ++t) {
    ASSERT_TRUE(failed[t].empty()) << "table " << t << ": " << failed[t];
    ASSERT_TRUE(settled[t].has_value());
    EXPECT_EQ(settled[t]->game_id(), games[t]);
    EXPECT_TRUE(settled[t]->result().settled());
    const auto game = std::to_string(games[t]);
    std::int64_t total = 0;
    for (const auto* p : tables[t]) {
      const auto user = std::to_string(p->user_id);
      const auto balance = sql("SELECT balance FROM user_coins WHERE user_id = " + user);
      const auto coins = sql("SELECT coins FROM card_game_players WHERE game_id = " + game +
                             " AND user_id = " + user);
      EXPECT_EQ(balance, kStartingCoins + coins) << "table " << t << ", user " << user;
      total += balance;
    }
    EXPECT_EQ(total, 3 * kStartingCoins) << "table " << t;
    EXPECT_EQ(sql("SELECT settled FROM card_games WHERE game_id = " + game), 1);
    EXPECT_EQ(sql("SELECT score FROM card_games WHERE game_id = " + game),
              settled[t]->result().score());
    EXPECT_EQ(sql("SELECT COUNT(*) FROM user_ledger WHERE reference = '" + game + "'"), 3);
  }
  EXPECT_EQ(sql("SELECT COUNT(*) FROM card_games"), kTables);
  EXPECT_EQ(host.log().find("keyed task threw"), std::string::npos) << host.log();
  EXPECT_EQ(host.log().find(" threw: "), std::string::npos) << host.log();
}

// Each room runs on the keyed lane of its id: thirty players quick-matching, confirming and
// getting ready at once, each from a thread of its own, end up seated once each, never more
// than three to a room, every member of a room seeing the same members; each full room
// starts one game for its three players, and no player of a room that is not full is dealt.
TEST(GameLanes, ThirtyPlayersQuickMatchAtOnceIntoRoomsOfThreeAtMost) {
  TempDir dir;
  HostProcess host(game_config("sqlite:" + dir.str() + "/game.db", "keyed_lanes = 4\n"));
  constexpr int kPlayers = 30;
  std::vector<std::unique_ptr<Player>> all;
  for (int i = 0; i < kPlayers; ++i)
    all.push_back(std::make_unique<Player>(host.tcp_port(), "qm" + std::to_string(i)));

  std::vector<rpb::RoomState> rooms(kPlayers);
  std::vector<std::uint64_t> dealt(kPlayers, 0);
  std::vector<std::string> failed(kPlayers);
  std::atomic<int> confirmed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kPlayers; ++i) {
    threads.emplace_back([&, i] {
      Player& p = *all[i];
      try {
        rpb::QuickMatch q;
        q.set_game_type("doudizhu");
        p.send(id::kQuickMatch, q);
        const auto found = p.wait(id::kMatchFound, true);
        if (found.msg_id != id::kMatchFound) throw std::runtime_error("QuickMatch refused");
        rpb::ConfirmSeat c;
        c.set_room_id(found.as<rpb::MatchFound>().room_id());
        p.send(id::kConfirmSeat, c);
        if (p.wait(id::kRoomState, true).msg_id != id::kRoomState)
          throw std::runtime_error("ConfirmSeat refused");
        // Everyone ready once everyone sits: a room fills before its members get ready.
        ++confirmed;
        while (confirmed.load() < kPlayers) std::this_thread::sleep_for(5ms);
        rpb::SetReady r;
        r.set_ready(true);
        p.send(id::kSetReady, r);
        std::this_thread::sleep_for(1s);  // the full rooms' games start meanwhile
        p.send(id::kGetRoom, rpb::GetRoom{});
        rooms[i] = p.wait(id::kRoomState).as<rpb::RoomState>();
        if (rooms[i].members_size() == 3)
          dealt[i] = p.pushed(id::kGameView).as<pb::GameView>().game_id();
      } catch (const std::exception& e) {
        failed[i] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::map<std::uint64_t, std::set<std::uint64_t>> members;  // room -> user ids, as each saw
  std::map<std::uint64_t, std::set<std::uint64_t>> games;    // room -> game ids dealt
  int seated = 0;
  for (int i = 0; i < kPlayers; ++i) {
    ASSERT_TRUE(failed[i].empty()) << "player " << i << ": " << failed[i];
    const auto& room = rooms[i];
    std::set<std::uint64_t> users;
    for (const auto& m : room.members()) users.insert(m.user_id());
    EXPECT_TRUE(users.contains(all[i]->user_id)) << "player " << i;
    EXPECT_LE(users.size(), 3u) << "room " << room.room_id();
    const auto [it, first] = members.emplace(room.room_id(), users);
    if (first) seated += static_cast<int>(users.size());
    EXPECT_EQ(it->second, users) << "members of room " << room.room_id() << " disagree";
    EXPECT_EQ(room.phase() == rpb::PHASE_PLAYING, users.size() == 3) << "room " << room.room_id();
    if (users.size() == 3) {
      EXPECT_NE(dealt[i], 0u);
      games[room.room_id()].insert(dealt[i]);
    }
  }
  EXPECT_EQ(seated, kPlayers);  // each player in exactly one room
  for (const auto& [room, ids] : games) EXPECT_EQ(ids.size(), 1u) << "room " << room;
  EXPECT_EQ(host.log().find("keyed task threw"), std::string::npos) << host.log();
  EXPECT_EQ(host.log().find(" threw: "), std::string::npos) << host.log();
}

}  // namespace
}  // namespace gamehost::testing
