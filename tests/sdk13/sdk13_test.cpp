// SDK 1.3 through the fake host: several plugins in one test, talking through typed calls
// and events; a session's messages answered in order while their database work runs off
// the queue; timers on the manual clock, keyed lanes, state handed over on reload.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include "protocol.hpp"

// [declare-plugins]
GAMEHOST_DECLARE_PLUGIN(store);  // gamehost_plugin_store(), from store_objects
GAMEHOST_DECLARE_PLUGIN(asker);
GAMEHOST_DECLARE_PLUGIN(board);
// [declare-plugins]

namespace {

namespace pb = gamehost::sdk13;
using gamehost::testing::FakeHost;

pb::Put put(const std::string& key, const std::string& value) {
  pb::Put m;
  m.set_key(key);
  m.set_value(value);
  return m;
}
pb::Get get(const std::string& key) {
  pb::Get m;
  m.set_key(key);
  return m;
}

class Sdk13 : public ::testing::Test {
 protected:
  void SetUp() override { host.sql("CREATE TABLE sdk13_store (k TEXT PRIMARY KEY, v TEXT)"); }
  FakeHost host;
};

// [held-jobs-test]
TEST_F(Sdk13, RepliesKeepTheOrderOfRequestsWhileTheirQueriesRunOffTheQueue) {
  host.load(gamehost_plugin_store());
  host.hold_blocking_jobs();
  const auto alice = host.connect();
  const auto bob = host.connect();
  ASSERT_TRUE(host.deliver(alice, put("a", "1")).ok());
  ASSERT_TRUE(host.deliver(alice, get("a")).ok());
  ASSERT_TRUE(host.deliver(alice, put("a", "2")).ok());
  ASSERT_TRUE(host.deliver(alice, get("a")).ok());
  // Alice's later messages wait behind her first query; Bob's does not wait for hers.
  ASSERT_TRUE(host.deliver(bob, get("a")).ok());
  EXPECT_EQ(host.pending_blocking_jobs(), 2u);
  EXPECT_TRUE(host.sent(alice).empty());

  host.run_blocking_jobs();
  EXPECT_EQ(host.pending_blocking_jobs(), 0u);
  const auto& sent = host.sent(alice);
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].msg_id, gamehost::message_id_v<pb::PutDone>);
  EXPECT_EQ(sent[2].msg_id, gamehost::message_id_v<pb::PutDone>);
  pb::Got first;
  pb::Got second;
  ASSERT_TRUE(first.ParseFromString(sent[1].bytes));
  ASSERT_TRUE(second.ParseFromString(sent[3].bytes));
  EXPECT_EQ(first.value(), "1");
  EXPECT_EQ(first.seq(), 1u);
  EXPECT_EQ(second.value(), "2");
  EXPECT_EQ(second.seq(), 3u);
  // Bob's query was held second, right behind Alice's first put (her get queued after it).
  EXPECT_EQ(host.last_sent<pb::Got>(bob).value(), "1");
}
// [held-jobs-test]

// A job the host refuses (too much work in flight) is answered BUSY, and the session's next
// message goes straight to its handler: nothing waits behind a job that never ran.
TEST_F(Sdk13, ARefusedJobAnswersBusyAndTheSessionsNextMessageIsStillHandled) {
  host.load(gamehost_plugin_store());
  host.set_blocking_job_limit(0);
  const auto alice = host.connect();
  EXPECT_EQ(host.deliver(alice, put("a", "1")).error_code, GH_CODE_BUSY);
  host.set_blocking_job_limit(static_cast<std::size_t>(-1));
  ASSERT_TRUE(host.deliver(alice, put("a", "2")).ok());
  EXPECT_EQ(host.last_sent<pb::PutDone>(alice).seq(), 1u);
  ASSERT_TRUE(host.deliver(alice, get("a")).ok());
  EXPECT_EQ(host.last_sent<pb::Got>(alice).value(), "2");
}

TEST_F(Sdk13, OneHundredPipelinedRequestsAreAnsweredInOrder) {
  host.load(gamehost_plugin_store());
  host.hold_blocking_jobs();
  const auto alice = host.connect();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(host.deliver(alice, put("k", std::to_string(i))).ok());
    ASSERT_TRUE(host.deliver(alice, get("k")).ok());
    host.run_blocking_jobs(i % 3);  // work finishes at its own pace, messages keep coming
  }
  host.run_blocking_jobs();
  const auto& sent = host.sent(alice);
  ASSERT_EQ(sent.size(), 100u);
  for (std::size_t i = 0; i < sent.size(); i += 2) {
    pb::PutDone done;
    pb::Got got;
    ASSERT_TRUE(done.ParseFromString(sent[i].bytes));
    ASSERT_TRUE(got.ParseFromString(sent[i + 1].bytes));
    EXPECT_EQ(done.seq(), i);
    EXPECT_EQ(got.seq(), i + 1);
    EXPECT_EQ(got.value(), std::to_string(i / 2));
  }
}

// [two-plugins-test]
TEST_F(Sdk13, TwoPluginsTalkThroughATypedCall) {
  host.load(gamehost_plugin_store());
  host.load(gamehost_plugin_asker());
  const auto alice = host.connect();
  const auto bob = host.connect();
  ASSERT_TRUE(host.deliver(alice, put("gold", "42")).ok());
  pb::Ask ask;
  ask.set_key("gold");
  ASSERT_TRUE(host.deliver(bob, ask).ok());
  EXPECT_EQ(host.last_sent<pb::Answer>(bob).value(), "42");
  ask.set_key("silver");
  ASSERT_TRUE(host.deliver(bob, ask).ok());
  EXPECT_EQ(host.last_sent<pb::Answer>(bob).value(), "(none)");
}
// [two-plugins-test]

// [not-loaded-test]
TEST_F(Sdk13, ACallToAPluginThatIsNotLoadedGetsATypedError) {
  host.load(gamehost_plugin_asker());
  const auto bob = host.connect();
  pb::Ask ask;
  ask.set_key("gold");
  ASSERT_TRUE(host.deliver(bob, ask).ok());
  EXPECT_EQ(host.last_sent<pb::Answer>(bob).error(), "the plugin is not loaded");
}
// [not-loaded-test]

// [wrong-setting-test]
TEST_F(Sdk13, ASettingOfTheWrongTypeRefusesThePluginNamingTheKey) {
  host.set_setting_for("store", "prefix", std::int64_t{5});
  try {
    host.load(gamehost_plugin_store());
    FAIL() << "loaded with a wrongly typed setting";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "plugins.store.settings.prefix: expected a string, found an integer"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(host.loaded("store"));
}
// [wrong-setting-test]

TEST_F(Sdk13, AnUnknownIdIsAnsweredWithUnknownId) {
  host.load(gamehost_plugin_store());
  const auto alice = host.connect();
  const auto outcome = host.deliver(alice, 100409, std::string());
  EXPECT_EQ(outcome.error_code, static_cast<std::uint32_t>(GH_CODE_UNKNOWN_ID));
  EXPECT_EQ(host.deliver(alice, 555555, std::string()).error_code,
            static_cast<std::uint32_t>(GH_CODE_UNKNOWN_ID));
}

pb::AddPoints points(const std::string& player, std::int64_t n) {
  pb::AddPoints m;
  m.set_player(player);
  m.set_points(n);
  return m;
}
pb::Tap tap(std::uint32_t table) {
  pb::Tap m;
  m.set_table(table);
  return m;
}

// [reload-test]
TEST_F(Sdk13, TotalsSurviveALiveReload) {
  host.load(gamehost_plugin_board());
  const auto alice = host.connect();
  host.deliver(alice, points("alice", 5));
  host.reload(gamehost_plugin_board());  // export_state, destroy, create with that state
  host.deliver(alice, points("alice", 2));
  EXPECT_EQ(host.last_sent<pb::Total>(alice).points(), 7);
}
// [reload-test]

TEST_F(Sdk13, StateAPluginCannotReadRefusesTheReload) {
  host.load(gamehost_plugin_board());
  EXPECT_THROW(host.load(gamehost_plugin_board(), gamehost::versioned_state(2, "")),
               std::runtime_error);
  EXPECT_FALSE(host.loaded("board"));
}

// [event-test]
TEST_F(Sdk13, AnEventReachesTheOtherPluginsNotThePublisher) {
  host.load(gamehost_plugin_board());
  host.load(gamehost_plugin_asker());
  const auto alice = host.connect();
  host.deliver(alice, points("alice", 3));
  ASSERT_EQ(host.published().size(), 1u);
  EXPECT_EQ(host.published()[0].topic, "board.points");
  host.deliver(alice, pb::HowManyHeard{});
  const auto heard = host.last_sent<pb::Heard>(alice);
  EXPECT_EQ(heard.events(), 1u);
  EXPECT_EQ(heard.last_player(), "alice");
  EXPECT_EQ(heard.last_points(), 3);
}
// [event-test]

// [timer-test]
TEST_F(Sdk13, TheRoundTimerClearsTheTotalsAndTellsThePlayers) {
  host.set_setting_for("board", "round_ms", std::int64_t{1000});
  host.load(gamehost_plugin_board());
  const auto alice = host.connect();
  host.deliver(alice, points("alice", 5));
  host.advance(999);
  EXPECT_EQ(host.count_sent<pb::RoundOver>(alice), 0u);
  host.advance(1);  // timers fire only here, in time order
  EXPECT_EQ(host.last_sent<pb::RoundOver>(alice).round(), 1u);
  host.deliver(alice, points("alice", 2));
  EXPECT_EQ(host.last_sent<pb::Total>(alice).points(), 2);
}
// [timer-test]

TEST_F(Sdk13, TapsAreCountedPerTableOnKeyedLanes) {
  host.set_setting_for("board", "tables", std::int64_t{4});
  host.load(gamehost_plugin_board());
  const auto alice = host.connect();
  host.deliver(alice, tap(2));
  host.deliver(alice, tap(2));
  host.deliver(alice, tap(3));
  const auto& sent = host.sent(alice);
  ASSERT_EQ(sent.size(), 3u);
  pb::Tapped second;
  ASSERT_TRUE(second.ParseFromString(sent[1].bytes));
  EXPECT_EQ(second.taps(), 2u);
  EXPECT_EQ(host.last_sent<pb::Tapped>(alice).taps(), 1u);  // table 3's first
  EXPECT_EQ(host.deliver(alice, tap(4)).error_code, 100429u);
}

// A timer started on a keyed lane fires on that lane, so its callback may touch the key's
// state; the reply made on the lane says which lane it ran on.
TEST_F(Sdk13, ATimerStartedOnAKeyedLaneFiresOnThatLane) {
  host.set_setting_for("board", "tables", std::int64_t{4});
  host.load(gamehost_plugin_board());
  const auto alice = host.connect();
  host.deliver(alice, tap(1));
  pb::Tap clearing;
  clearing.set_table(1);
  clearing.set_clear_after_ms(500);
  host.deliver(alice, clearing);
  EXPECT_EQ(host.last_sent<pb::Tapped>(alice).taps(), 2u);
  EXPECT_EQ(host.last_sent<pb::Tapped>(alice).lane_key(), 1);
  host.advance(500);
  const auto cleared = host.last_sent<pb::Tapped>(alice);
  EXPECT_EQ(cleared.taps(), 0u);
  EXPECT_EQ(cleared.lane_key(), 1) << "the timer fired on the plugin's queue, not the lane";
  host.deliver(alice, tap(1));
  EXPECT_EQ(host.last_sent<pb::Tapped>(alice).taps(), 1u);
}

TEST_F(Sdk13, ANegativeTableCountRefusesThePlugin) {
  host.set_setting_for("board", "tables", std::int64_t{-1});
  EXPECT_THROW(host.load(gamehost_plugin_board()), std::runtime_error);
}

}  // namespace
