// The room plugin against the SDK's fake host: what players see when they create, find,
// join, leave, get ready, match, chat, drop and come back, and what game plugins hear.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include "errors.hpp"
#include "protocol.hpp"
#include "room_events.hpp"

GAMEHOST_DECLARE_PLUGIN(room);

namespace {

namespace pb = gamehost::room;
using gamehost::testing::FakeHost;
using namespace gh_room;

class Room : public ::testing::Test {
 protected:
  void SetUp() override {
    host.set_setting_for("room", "games", std::string("doudizhu:3, race:2-4"));
    host.set_setting_for("room", "reconnect_grace_ms", std::int64_t{10'000});
    host.set_setting_for("room", "reserve_ms", std::int64_t{3'000});
  }
  void load() { host.load(gamehost_plugin_room()); }

  // Delivers m and runs what it caused. A refusal made on the room's lane (most are: each
  // room runs on the keyed lane of its id) reaches the client as an Error frame, not as
  // deliver's outcome: the outcome says it either way.
  template <class Msg>
  gamehost::testing::Outcome request(gh_session_id s, const Msg& m) {
    const auto errors_before = host.errors(s).size();
    auto out = host.deliver(s, m);
    const auto& errors = host.errors(s);
    if (out.ok() && errors.size() > errors_before) {
      EXPECT_EQ(errors.size(), errors_before + 1);
      EXPECT_EQ(errors.back().request_id, gamehost::message_id_v<Msg>);
      out.status = GH_ERR_FAILED;
      out.error_code = errors.back().code;
      out.error_text = errors.back().text;
    }
    return out;
  }

  // A connected session logged in as `user`.
  gh_session_id player(gh_user_id user) {
    const auto s = host.connect();
    host.authenticate(s, user);
    return s;
  }
  pb::RoomState create(gh_session_id s, const std::string& type = "doudizhu",
                       const std::string& password = "") {
    pb::CreateRoom m;
    m.set_game_type(type);
    m.set_name("table");
    m.set_password(password);
    const auto out = request(s, m);
    EXPECT_TRUE(out.ok()) << out.error_text;
    return host.last_sent<pb::RoomState>(s);
  }
  // The code CreateRoom is refused with (0: created).
  std::uint32_t create_outcome(gh_session_id s) {
    pb::CreateRoom m;
    m.set_game_type("doudizhu");
    return request(s, m).error_code;
  }
  gamehost::testing::Outcome join(gh_session_id s, std::uint64_t room, const std::string& pw = "") {
    pb::JoinRoom m;
    m.set_room_id(room);
    m.set_password(pw);
    return request(s, m);
  }
  gamehost::testing::Outcome ready(gh_session_id s, bool r = true) {
    pb::SetReady m;
    m.set_ready(r);
    return request(s, m);
  }
  pb::MatchFound quick(gh_session_id s, const std::string& type = "doudizhu") {
    pb::QuickMatch m;
    m.set_game_type(type);
    const auto out = request(s, m);
    EXPECT_TRUE(out.ok()) << out.error_text;
    return host.last_sent<pb::MatchFound>(s);
  }
  void confirm(gh_session_id s, std::uint64_t room) {
    pb::ConfirmSeat m;
    m.set_room_id(room);
    ASSERT_TRUE(request(s, m).ok());
  }
  std::vector<pb::GameStart> starts() const {
    std::vector<pb::GameStart> out;
    for (const auto& p : host.published()) {
      if (p.topic != kGameStartTopic) continue;
      pb::GameStart g;
      EXPECT_TRUE(g.ParseFromString(p.bytes));
      out.push_back(g);
    }
    return out;
  }
  void game_over(std::uint64_t room, std::uint64_t game) {
    pb::GameOver over;
    over.set_room_id(room);
    over.set_game_id(game);
    over.set_game_type("doudizhu");
    host.publish_to_plugin(kGameOverTopic, over.SerializeAsString(), "card");
  }
  // A full doudizhu room of alice (1, owner), bob (2), carol (3); returns its id.
  std::uint64_t full_room() {
    alice = player(1);
    bob = player(2);
    carol = player(3);
    const auto id = create(alice).room_id();
    EXPECT_TRUE(join(bob, id).ok());
    EXPECT_TRUE(join(carol, id).ok());
    return id;
  }

  FakeHost host;
  gh_session_id alice = 0, bob = 0, carol = 0;
};

TEST_F(Room, TheCreatorGetsTheWholeRoomAndOwnsIt) {
  load();
  alice = player(1);
  const auto state = create(alice);
  EXPECT_NE(state.room_id(), 0u);
  EXPECT_EQ(state.name(), "table");
  EXPECT_EQ(state.seats(), 3u);  // the game type's count
  EXPECT_EQ(state.owner_user_id(), 1u);
  EXPECT_EQ(state.phase(), pb::PHASE_WAITING);
  ASSERT_EQ(state.members_size(), 1);
  EXPECT_EQ(state.members(0).user_id(), 1u);
  EXPECT_TRUE(state.members(0).connected());
  // The room is a drain key, and alice's messages belong to it.
  EXPECT_TRUE(host.open_keys("room").contains(state.room_id()));
  EXPECT_EQ(host.key_of(alice, "room"), state.room_id());
}

TEST_F(Room, AJoinerGetsTheWholeRoomAndTheOthersADelta) {
  load();
  alice = player(1);
  bob = player(2);
  const auto id = create(alice).room_id();
  host.clear_sent();
  ASSERT_TRUE(join(bob, id).ok());
  const auto state = host.last_sent<pb::RoomState>(bob);
  ASSERT_EQ(state.members_size(), 2);
  EXPECT_EQ(state.members(1).user_id(), 2u);
  EXPECT_EQ(state.members(1).seat(), 1u);
  ASSERT_EQ(host.sent(alice).size(), 1u);
  const auto delta = host.last_sent<pb::RoomUpdate>(alice);
  EXPECT_EQ(delta.member_joined().user_id(), 2u);
  EXPECT_EQ(delta.version(), state.version());
}

TEST_F(Room, RefusedJoinsSayWhyAndChangeNothing) {
  load();
  alice = player(1);
  bob = player(2);
  const auto locked = create(alice, "doudizhu", "sesame").room_id();
  EXPECT_EQ(join(bob, locked, "open").error_code, kErrWrongPassword);
  EXPECT_EQ(join(bob, 12345).error_code, kErrNoSuchRoom);
  EXPECT_TRUE(join(bob, locked, "sesame").ok());
  const auto carol_s = player(3);
  const auto dave = player(4);
  ASSERT_TRUE(join(carol_s, locked, "sesame").ok());
  EXPECT_EQ(join(dave, locked, "sesame").error_code, kErrRoomFull);
  // Already in a room: creating or joining another is refused.
  pb::CreateRoom other;
  other.set_game_type("doudizhu");
  EXPECT_EQ(request(bob, other).error_code, kErrAlreadyInRoom);
  // Nothing changed: three members, and dave in no room.
  pb::GetRoom get;
  ASSERT_TRUE(request(alice, get).ok());
  EXPECT_EQ(host.last_sent<pb::RoomState>(alice).members_size(), 3);
  EXPECT_EQ(request(dave, get).error_code, kErrNotInRoom);
}

TEST_F(Room, BadRoomSpecificationsAreRefused) {
  load();
  alice = player(1);
  pb::CreateRoom m;
  m.set_game_type("chess");
  EXPECT_EQ(request(alice, m).error_code, kErrUnknownGameType);
  m.set_game_type("race");
  m.set_seats(9);
  EXPECT_EQ(request(alice, m).error_code, kErrBadSeats);
  m.set_seats(4);
  m.set_name(std::string(33, 'x'));
  EXPECT_EQ(request(alice, m).error_code, kErrBadText);
  m.set_name("bad\x01name");
  EXPECT_EQ(request(alice, m).error_code, kErrBadText);
  m.set_name("");
  ASSERT_TRUE(request(alice, m).ok());
  const auto state = host.last_sent<pb::RoomState>(alice);
  EXPECT_EQ(state.name(), "race");  // no name: the game type's
  EXPECT_EQ(state.seats(), 4u);
}

TEST_F(Room, AnAnonymousSessionIsRefused) {
  load();
  const auto anon = host.connect();
  pb::CreateRoom m;
  m.set_game_type("doudizhu");
  EXPECT_EQ(request(anon, m).error_code, static_cast<std::uint32_t>(GH_CODE_NOT_AUTHENTICATED));
}

TEST_F(Room, ListFiltersByTypeAndOpenSeatsAndPages) {
  load();
  std::vector<std::uint64_t> open_ids;
  for (gh_user_id u = 1; u <= 5; ++u) open_ids.push_back(create(player(u)).room_id());
  create(player(6), "race");
  create(player(7), "doudizhu", "pw");
  pb::ListRooms list;
  list.set_game_type("doudizhu");
  list.set_open_only(true);
  list.set_page_size(2);
  const auto s = player(8);
  std::vector<std::uint64_t> seen;
  for (int page = 0; page < 5; ++page) {
    ASSERT_TRUE(request(s, list).ok());
    const auto out = host.last_sent<pb::RoomList>(s);
    for (const auto& r : out.rooms()) {
      EXPECT_EQ(r.game_type(), "doudizhu");
      EXPECT_FALSE(r.has_password());
      EXPECT_EQ(r.taken(), 1u);
      seen.push_back(r.room_id());
    }
    if (out.next_after_room_id() == 0) break;
    list.set_after_room_id(out.next_after_room_id());
  }
  EXPECT_EQ(seen, open_ids);
  pb::ListRooms all;
  ASSERT_TRUE(request(s, all).ok());
  EXPECT_EQ(host.last_sent<pb::RoomList>(s).rooms_size(), 7);
}

TEST_F(Room, TheOwnerPassesToTheNextMemberAndAnEmptyRoomCloses) {
  load();
  const auto id = full_room();
  host.clear_sent();
  ASSERT_TRUE(request(alice, pb::LeaveRoom{}).ok());
  EXPECT_EQ(host.last_sent<pb::RoomLeft>(alice).reason(), pb::LEFT);
  EXPECT_EQ(host.key_of(alice, "room"), 0u);
  const auto owner = host.last_sent<pb::RoomUpdate>(carol);
  EXPECT_EQ(owner.owner_changed(), 2u);  // bob joined before carol
  ASSERT_TRUE(request(bob, pb::LeaveRoom{}).ok());
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(carol).owner_changed(), 3u);
  ASSERT_TRUE(request(carol, pb::LeaveRoom{}).ok());
  EXPECT_FALSE(host.open_keys("room").contains(id));
  EXPECT_EQ(join(alice, id).error_code, kErrNoSuchRoom);
}

TEST_F(Room, OnlyTheOwnerKicks) {
  load();
  full_room();
  pb::KickMember kick;
  kick.set_user_id(3);
  EXPECT_EQ(request(bob, kick).error_code, kErrNotOwner);
  ASSERT_TRUE(request(alice, kick).ok());
  EXPECT_EQ(host.last_sent<pb::RoomLeft>(carol).reason(), pb::KICKED);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(bob).member_left().user_id(), 3u);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).member_left().reason(), pb::KICKED);
  EXPECT_EQ(request(alice, kick).error_code, kErrNotAMember);
}

TEST_F(Room, QuickMatchFillsTheFullestOpenRoomThenOpensANewOne) {
  load();
  alice = player(1);
  bob = player(2);
  const auto half = create(alice).room_id();
  ASSERT_TRUE(join(bob, half).ok());
  create(player(9));  // an emptier room
  const auto carol_s = player(3);
  const auto found = quick(carol_s);
  EXPECT_EQ(found.room_id(), half);
  EXPECT_EQ(found.seat(), 2u);
  EXPECT_EQ(found.confirm_within_ms(), 3000u);
  EXPECT_TRUE(host.last_sent<pb::RoomUpdate>(alice).member_joined().reserved());
  // The reserved seat counts as taken.
  EXPECT_EQ(join(player(4), half).error_code, kErrRoomFull);
  // A reserved member confirms before anything else.
  EXPECT_EQ(ready(carol_s).error_code, kErrReservedSeat);
  confirm(carol_s, half);
  EXPECT_FALSE(host.last_sent<pb::RoomState>(carol_s).members(2).reserved());
  EXPECT_FALSE(host.last_sent<pb::RoomUpdate>(bob).member_changed().reserved());
  // No open room of the type: a new one, owned by the matcher.
  const auto eve = player(5);
  const auto fresh = quick(eve, "race");
  EXPECT_NE(fresh.room_id(), half);
  EXPECT_EQ(fresh.seat(), 0u);
}

TEST_F(Room, AnUnconfirmedSeatIsGivenAwayWhenTheReservationEnds) {
  load();
  alice = player(1);
  const auto id = create(alice).room_id();
  bob = player(2);
  quick(bob);
  host.advance(2'999);
  EXPECT_EQ(host.count_sent<pb::RoomLeft>(bob), 0u);
  host.advance(300);  // the sweep after the deadline
  EXPECT_EQ(host.last_sent<pb::RoomLeft>(bob).reason(), pb::RESERVATION_EXPIRED);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).member_left().user_id(), 2u);
  pb::ConfirmSeat late;
  late.set_room_id(id);
  EXPECT_EQ(request(bob, late).error_code, kErrNoReservation);
}

TEST_F(Room, EveryoneReadyStartsTheGameAndGameOverReturnsTheRoomToWaiting) {
  load();
  const auto id = full_room();
  ASSERT_TRUE(ready(alice).ok());
  ASSERT_TRUE(ready(bob).ok());
  EXPECT_TRUE(starts().empty());
  ASSERT_TRUE(ready(carol).ok());
  const auto games = starts();
  ASSERT_EQ(games.size(), 1u);
  const auto& start = games[0];
  EXPECT_EQ(start.room_id(), id);
  EXPECT_EQ(start.game_type(), "doudizhu");
  ASSERT_EQ(start.players_size(), 3);
  EXPECT_EQ(start.players(0).user_id(), 1u);
  EXPECT_EQ(start.players(2).user_id(), 3u);
  EXPECT_EQ(start.players(2).session_id(), carol);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(bob).game_started(), start.game_id());
  // While it plays: no joining, leaving, readying or kicking.
  EXPECT_EQ(join(player(4), id).error_code, kErrGameRunning);
  EXPECT_EQ(request(bob, pb::LeaveRoom{}).error_code, kErrGameRunning);
  EXPECT_EQ(ready(bob).error_code, kErrGameRunning);
  // A game over for another game id is ignored; the right one ends the game.
  game_over(id, start.game_id() + 1);
  pb::GetRoom get;
  ASSERT_TRUE(request(alice, get).ok());
  EXPECT_EQ(host.last_sent<pb::RoomState>(alice).phase(), pb::PHASE_PLAYING);
  game_over(id, start.game_id());
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(carol).game_over(), start.game_id());
  ASSERT_TRUE(request(alice, get).ok());
  const auto state = host.last_sent<pb::RoomState>(alice);
  EXPECT_EQ(state.phase(), pb::PHASE_WAITING);
  for (const auto& m : state.members()) EXPECT_FALSE(m.ready());
}

TEST_F(Room, ADroppedMemberKeepsTheSeatAndIsBackAfterLoggingInAgain) {
  load();
  const auto id = full_room();
  host.disconnect(bob);
  auto dropped = host.last_sent<pb::RoomUpdate>(alice).member_changed();
  EXPECT_EQ(dropped.user_id(), 2u);
  EXPECT_FALSE(dropped.connected());
  host.advance(9'000);
  const auto again = player(2);  // a new connection, token login
  const auto state = host.last_sent<pb::RoomState>(again);
  EXPECT_EQ(state.room_id(), id);
  EXPECT_EQ(state.members(1).user_id(), 2u);
  EXPECT_TRUE(state.members(1).connected());
  EXPECT_TRUE(host.last_sent<pb::RoomUpdate>(alice).member_changed().connected());
  EXPECT_EQ(host.key_of(again, "room"), id);
  host.advance(20'000);  // the old deadline passed, but bob is back
  ASSERT_TRUE(request(again, pb::GetRoom{}).ok());
  EXPECT_EQ(host.last_sent<pb::RoomState>(again).members_size(), 3);
}

TEST_F(Room, AMemberWhoDoesNotComeBackInTimeLosesTheSeat) {
  load();
  full_room();
  host.disconnect(bob);
  host.advance(10'250);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).member_left().reason(), pb::GRACE_EXPIRED);
  const auto again = player(2);
  EXPECT_EQ(host.count_sent<pb::RoomState>(again), 0u);
  EXPECT_EQ(request(again, pb::GetRoom{}).error_code, kErrNotInRoom);
}

TEST_F(Room, AMemberDroppedDuringAGameStaysUntilItEnds) {
  load();
  const auto id = full_room();
  for (auto s : {alice, bob, carol}) ASSERT_TRUE(ready(s).ok());
  const auto game = starts().at(0).game_id();
  host.disconnect(carol);
  host.advance(60'000);  // far past the grace period: the game still holds the seat
  ASSERT_TRUE(request(alice, pb::GetRoom{}).ok());
  EXPECT_EQ(host.last_sent<pb::RoomState>(alice).members_size(), 3);
  game_over(id, game);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).member_left().user_id(), 3u);
}

TEST_F(Room, ASecondLoginTakesTheSeatFromTheOlderSession) {
  load();
  full_room();
  const auto bob2 = player(2);  // bob logs in elsewhere while the first session is open
  EXPECT_EQ(host.last_sent<pb::RoomState>(bob2).members_size(), 3);
  host.disconnect(bob);  // the older session closing later does not drop bob
  ASSERT_TRUE(request(alice, pb::GetRoom{}).ok());
  EXPECT_TRUE(host.last_sent<pb::RoomState>(alice).members(1).connected());
}

TEST_F(Room, ALogoutOnAMembersConnectionIsADroppedMemberNotAGhost) {
  load();
  const auto id = full_room();
  host.authenticate(bob, 0);  // bob logs out; the connection stays open
  auto changed = host.last_sent<pb::RoomUpdate>(alice).member_changed();
  EXPECT_EQ(changed.user_id(), 2u);
  EXPECT_FALSE(changed.connected());
  EXPECT_EQ(host.key_of(bob, "room"), 0u);
  EXPECT_EQ(host.group_size("room:" + std::to_string(id)), 2u);
  host.clear_sent();
  pb::SendChat line;
  line.set_text("bob cannot read this");
  ASSERT_TRUE(request(alice, line).ok());
  EXPECT_TRUE(host.sent(bob).empty());
  // Someone else logging in on that connection does not take bob's seat either.
  host.authenticate(bob, 77);
  EXPECT_EQ(host.count_sent<pb::RoomState>(bob), 0u);
  host.advance(10'250);  // bob's grace period ends
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).member_left().user_id(), 2u);
}

TEST_F(Room, TheGameStartsWhenTheLastReadyMemberComesBack) {
  load();
  full_room();
  ASSERT_TRUE(ready(alice).ok());
  ASSERT_TRUE(ready(carol).ok());
  host.disconnect(carol);        // ready, then dropped
  ASSERT_TRUE(ready(bob).ok());  // everyone ready, but carol is away: no game yet
  EXPECT_TRUE(starts().empty());
  player(3);  // carol is back: her "ready" still stands, so the game starts
  EXPECT_EQ(starts().size(), 1u);
}

TEST_F(Room, ChatIsLengthAndRateLimited) {
  host.set_setting_for("room", "chat_burst", std::int64_t{2});
  host.set_setting_for("room", "chat_per_minute", std::int64_t{60});
  load();
  full_room();
  pb::SendChat line;
  line.set_text("gl hf");
  ASSERT_TRUE(request(alice, line).ok());
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(bob).chat().text(), "gl hf");
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(carol).chat().user_id(), 1u);
  ASSERT_TRUE(request(alice, line).ok());
  EXPECT_EQ(request(alice, line).error_code, kErrChatTooFast);
  host.advance(1'000);  // one line a second comes back
  EXPECT_TRUE(request(alice, line).ok());
  line.set_text(std::string(201, 'a'));
  EXPECT_EQ(request(bob, line).error_code, kErrBadText);
  line.set_text("");
  EXPECT_EQ(request(bob, line).error_code, kErrBadText);
}

TEST_F(Room, EachRoomRunsOnTheLaneOfItsId) {
  load();
  const auto first = full_room();
  const auto dave = player(4);
  const auto second = create(dave, "race").room_id();
  const auto eve = player(5);
  ASSERT_TRUE(join(eve, second).ok());
  for (auto s : {alice, bob, carol}) ASSERT_TRUE(ready(s).ok());
  pb::SendChat line;
  line.set_text("hi");
  ASSERT_TRUE(request(dave, line).ok());
  // Every state, delta and reply a member got came from the lane of the member's room.
  for (const auto& [sessions, room] : {std::pair{std::vector{alice, bob, carol}, first},
                                       std::pair{std::vector{dave, eve}, second}}) {
    for (const auto s : sessions) {
      ASSERT_FALSE(host.sent(s).empty());
      for (const auto& sent : host.sent(s)) {
        ASSERT_TRUE(sent.lane.has_value()) << "message " << sent.msg_id << " sent from the queue";
        EXPECT_EQ(*sent.lane, room) << "message " << sent.msg_id;
      }
    }
  }
  ASSERT_EQ(starts().size(), 1u);
  for (const auto& p : host.published()) {
    if (p.topic != kGameStartTopic) continue;
    ASSERT_TRUE(p.lane.has_value());
    EXPECT_EQ(*p.lane, first);
  }
  // A listing reads the rooms' published summaries from the queue, the latest of each.
  pb::ListRooms all;
  ASSERT_TRUE(request(eve, all).ok());
  const auto list = host.last_sent<pb::RoomList>(eve);
  ASSERT_EQ(list.rooms_size(), 2);
  EXPECT_EQ(list.rooms(0).phase(), pb::PHASE_PLAYING);
  EXPECT_EQ(list.rooms(1).taken(), 2u);
}

TEST_F(Room, PipelinedRequestsFollowTheRoomTheSessionIsJoining) {
  load();
  alice = player(1);
  const auto id = create(alice).room_id();
  bob = player(2);
  host.hold_keyed_tasks();
  // bob sends join, ready and chat at once: the last two reach the room's lane after the
  // join, so they find bob seated.
  EXPECT_TRUE(join(bob, id).ok());
  EXPECT_TRUE(ready(bob).ok());
  pb::SendChat line;
  line.set_text("ready!");
  EXPECT_TRUE(request(bob, line).ok());
  EXPECT_EQ(host.count_sent<pb::RoomState>(bob), 0u);  // nothing ran yet
  host.run_keyed_tasks();
  EXPECT_TRUE(host.errors(bob).empty()) << host.errors(bob).front().text;
  EXPECT_EQ(host.count_sent<pb::RoomState>(bob), 1u);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).chat().text(), "ready!");
  // A create pipelined after the join is refused on the queue: bob belongs to the room.
  host.hold_keyed_tasks(false);
  EXPECT_EQ(create_outcome(bob), kErrAlreadyInRoom);
}

TEST_F(Room, QuickMatchesInABurstFillOneRoomBeforeOpeningTheNext) {
  load();
  host.hold_keyed_tasks();
  // Four players match before any room's lane has run: the seats the queue has handed out
  // count as taken, so the first three share a room and the fourth opens the next one.
  std::vector<gh_session_id> players;
  pb::QuickMatch m;
  m.set_game_type("doudizhu");
  for (gh_user_id u = 1; u <= 4; ++u) {
    players.push_back(player(u));
    ASSERT_TRUE(request(players.back(), m).ok());
  }
  host.run_keyed_tasks();
  host.hold_keyed_tasks(false);
  std::vector<std::uint64_t> rooms;
  for (const auto s : players) rooms.push_back(host.last_sent<pb::MatchFound>(s).room_id());
  EXPECT_EQ(rooms[0], rooms[1]);
  EXPECT_EQ(rooms[0], rooms[2]);
  EXPECT_NE(rooms[3], rooms[0]);
  EXPECT_EQ(host.last_sent<pb::MatchFound>(players[2]).seat(), 2u);
  for (const auto s : players) EXPECT_TRUE(host.errors(s).empty());
}

TEST_F(Room, AQuickMatchWhoseRoomFilledMeanwhileTakesTheNextRoom) {
  load();
  alice = player(1);
  bob = player(2);
  const auto half = create(alice).room_id();
  ASSERT_TRUE(join(bob, half).ok());
  const auto dave = player(4);
  const auto carol_s = player(3);
  host.hold_keyed_tasks();
  // dave's join is on its way to the room: its seat counts as taken, so carol's quick
  // match, right after, opens a room instead of queueing for a seat that is gone.
  ASSERT_TRUE(join(dave, half).ok());
  pb::QuickMatch quick_match;
  quick_match.set_game_type("doudizhu");
  ASSERT_TRUE(request(carol_s, quick_match).ok());
  host.run_keyed_tasks();
  host.hold_keyed_tasks(false);
  const auto found = host.last_sent<pb::MatchFound>(carol_s);
  EXPECT_NE(found.room_id(), half);
  EXPECT_NE(found.room_id(), 0u);
  EXPECT_EQ(found.seat(), 0u);  // a new room, carol's
  ASSERT_TRUE(request(carol_s, pb::GetRoom{}).ok());
  EXPECT_EQ(host.last_sent<pb::RoomState>(carol_s).room_id(), found.room_id());
  ASSERT_TRUE(request(alice, pb::GetRoom{}).ok());
  const auto full = host.last_sent<pb::RoomState>(alice);
  ASSERT_EQ(full.members_size(), 3);
  EXPECT_EQ(full.members(2).user_id(), 4u);
}

TEST_F(Room, AQuickMatchWhoseRoomClosedBeforeItGotThereTakesTheNextRoom) {
  load();
  alice = player(1);
  const auto lone = create(alice).room_id();
  bob = player(2);
  const auto other = create(bob, "doudizhu", "sesame").room_id();  // not open to matching
  carol = player(3);
  host.hold_keyed_tasks();
  // alice leaves, and carol's quick match is sent to alice's room before the leave ran: the
  // room has closed when carol's turn comes there, so the match goes on to a new room.
  ASSERT_TRUE(request(alice, pb::LeaveRoom{}).ok());
  pb::QuickMatch quick_match;
  quick_match.set_game_type("doudizhu");
  ASSERT_TRUE(request(carol, quick_match).ok());
  host.run_keyed_tasks();
  host.hold_keyed_tasks(false);
  EXPECT_TRUE(host.errors(carol).empty());
  const auto found = host.last_sent<pb::MatchFound>(carol);
  EXPECT_NE(found.room_id(), lone);
  EXPECT_NE(found.room_id(), other);
  EXPECT_EQ(found.seat(), 0u);
  ASSERT_TRUE(request(carol, pb::GetRoom{}).ok());
  const auto state = host.last_sent<pb::RoomState>(carol);
  EXPECT_EQ(state.room_id(), found.room_id());
  EXPECT_EQ(state.owner_user_id(), 3u);
  EXPECT_FALSE(host.open_keys("room").contains(lone));
}

TEST_F(Room, AMemberWhoseConnectionClosedBeforeTheLaneSeatedThemIsADroppedMember) {
  load();
  alice = player(1);
  const auto id = create(alice).room_id();
  bob = player(2);
  host.hold_keyed_tasks();
  ASSERT_TRUE(join(bob, id).ok());
  host.disconnect(bob);
  host.run_keyed_tasks();
  host.hold_keyed_tasks(false);
  ASSERT_TRUE(request(alice, pb::GetRoom{}).ok());
  const auto state = host.last_sent<pb::RoomState>(alice);
  ASSERT_EQ(state.members_size(), 2);
  EXPECT_FALSE(state.members(1).connected());  // the seat is kept for the grace period
  EXPECT_EQ(host.group_size("room:" + std::to_string(id)), 1u);
  host.advance(10'250);
  EXPECT_EQ(host.last_sent<pb::RoomUpdate>(alice).member_left().reason(), pb::GRACE_EXPIRED);
}

TEST_F(Room, AHandoverReloadKeepsEveryRoom) {
  load();
  const auto id = full_room();
  ASSERT_TRUE(ready(alice).ok());
  host.disconnect(carol);
  host.reload(gamehost_plugin_room());
  EXPECT_TRUE(host.open_keys("room").contains(id));
  ASSERT_TRUE(request(bob, pb::GetRoom{}).ok());
  const auto state = host.last_sent<pb::RoomState>(bob);
  EXPECT_EQ(state.room_id(), id);
  EXPECT_EQ(state.owner_user_id(), 1u);
  ASSERT_EQ(state.members_size(), 3);
  EXPECT_TRUE(state.members(0).ready());
  EXPECT_FALSE(state.members(2).connected());
  // The grace deadline survived too; and the new build keeps numbering versions.
  host.advance(10'250);
  const auto left = host.last_sent<pb::RoomUpdate>(bob);
  EXPECT_EQ(left.member_left().user_id(), 3u);
  EXPECT_GT(left.version(), state.version());
}

TEST_F(Room, AGamesSettingWithATypoRefusesThePlugin) {
  for (const char* bad : {"doudizhu", "doudizhu:0", "doudizhu:3-2", "Dou Dizhu:3", "a:3,a:4"}) {
    FakeHost h;
    h.set_setting_for("room", "games", std::string(bad));
    EXPECT_THROW(h.load(gamehost_plugin_room()), std::runtime_error) << bad;
  }
  FakeHost h;
  h.set_setting_for("room", "reserve_ms", std::string("5s"));
  try {
    h.load(gamehost_plugin_room());
    FAIL() << "a string reserve_ms was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("reserve_ms"), std::string::npos) << e.what();
  }
}

}  // namespace
