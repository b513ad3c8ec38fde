// Unit tests of the echo example against the SDK's fake host: no sockets, no host binary.
#include <gtest/gtest.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include "protocol.hpp"

namespace {

using gamehost::testing::FakeHost;
namespace echo = gamehost::echo;

// [echo-fixture]
class EchoTest : public ::testing::Test {
 protected:
  void SetUp() override { host.load(gamehost_plugin_v1()); }
  FakeHost host;
};
// [echo-fixture]

// [echo-test]
TEST_F(EchoTest, ReplyCarriesBackTheExactBytes) {
  const auto alice = host.connect();
  echo::EchoRequest req;
  req.set_data(std::string{'\x00', '\x01', 'b', 'i', 'n', 'a', 'r', 'y', '\xff'});
  ASSERT_TRUE(host.deliver(alice, req).ok());
  EXPECT_EQ(host.last_sent<echo::EchoReply>(alice).data(), req.data());
}
// [echo-test]

// Clients (tools/loadgen, tests/integration) use the ids as numbers: they must not move.
TEST_F(EchoTest, WireIdsAreTheDocumentedNumbers) {
  const auto alice = host.connect();
  echo::EchoRequest req;
  req.set_data("x");
  ASSERT_TRUE(host.deliver(alice, 90000, req).ok());
  EXPECT_EQ(host.last_sent<echo::EchoReply>(alice, 90001).data(), "x");
  static_assert(gamehost::message_id_v<echo::JoinGroup> == 90002);
  static_assert(gamehost::message_id_v<echo::GroupJoined> == 90003);
  static_assert(gamehost::message_id_v<echo::Shout> == 90004);
  static_assert(gamehost::message_id_v<echo::ShoutHeard> == 90005);
  static_assert(gamehost::message_id_v<echo::LeaveGroup> == 90006);
  static_assert(gamehost::message_id_v<echo::GroupLeft> == 90007);
  static_assert(gamehost::message_id_v<echo::WhoAmI> == 90010);
  static_assert(gamehost::message_id_v<echo::YouAre> == 90011);
}

TEST_F(EchoTest, ShoutReachesEveryMemberIncludingTheSender) {
  const auto alice = host.connect();
  const auto bob = host.connect();
  const auto carol = host.connect();  // not in the group
  echo::JoinGroup join;
  join.set_group("lobby");
  host.deliver(alice, join);
  host.deliver(bob, join);
  EXPECT_EQ(host.last_sent<echo::GroupJoined>(bob).members(), 2u);

  echo::Shout shout;
  shout.set_group("lobby");
  shout.set_data("hello");
  ASSERT_TRUE(host.deliver(alice, shout).ok());
  for (const auto s : {alice, bob}) {
    const auto heard = host.last_sent<echo::ShoutHeard>(s);
    EXPECT_EQ(heard.data(), "hello");
    EXPECT_EQ(heard.from_session(), alice);
  }
  EXPECT_EQ(host.count_sent<echo::ShoutHeard>(carol), 0u);
}

TEST_F(EchoTest, ClosedSessionLeavesItsGroups) {
  const auto alice = host.connect();
  const auto bob = host.connect();
  echo::JoinGroup join;
  join.set_group("lobby");
  host.deliver(alice, join);
  host.deliver(bob, join);
  host.disconnect(bob);
  echo::Shout shout;
  shout.set_group("lobby");
  host.deliver(alice, shout);
  EXPECT_EQ(host.count_sent<echo::ShoutHeard>(alice), 1u);
  EXPECT_EQ(host.group_size("echo:lobby"), 1u);
}

TEST_F(EchoTest, GarbagePayloadIsAnsweredAsMalformed) {
  const auto alice = host.connect();
  const auto outcome = host.deliver(alice, 90000, std::string("\xff\xff\xff", 3));
  EXPECT_EQ(outcome.error_code, static_cast<std::uint32_t>(GH_CODE_MALFORMED));
  EXPECT_EQ(host.count_sent<echo::EchoReply>(alice), 0u);
}

// [echo-setting-test]
TEST_F(EchoTest, OverlongGroupNameGetsThePluginsOwnCode) {
  host.set_setting("max_group_name", std::int64_t{4});
  host.load(gamehost_plugin_v1());  // replaces the instance SetUp loaded
  const auto alice = host.connect();
  echo::JoinGroup join;
  join.set_group("toolong");
  const auto outcome = host.deliver(alice, join);
  EXPECT_EQ(outcome.error_code, echo::kErrBadGroupName);
  EXPECT_NE(outcome.error_text.find("1-4"), std::string::npos);
}
// [echo-setting-test]

TEST_F(EchoTest, AWronglyTypedSettingRefusesThePlugin) {
  host.set_setting("max_group_name", std::string("64"));
  try {
    host.load(gamehost_plugin_v1());
    FAIL() << "loaded with max_group_name as a string";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "plugins.echo.settings.max_group_name: expected an integer, found a string"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(EchoTest, LeavingAGroupNotJoinedIsAnError) {
  const auto alice = host.connect();
  echo::LeaveGroup leave;
  leave.set_group("lobby");
  EXPECT_EQ(host.deliver(alice, leave).error_code, echo::kErrNotInGroup);
  EXPECT_EQ(echo::kErrNotInGroup, 90091u);
}

TEST_F(EchoTest, WhoAmIReportsTheBoundUser) {
  const auto alice = host.connect();
  host.authenticate(alice, 42);
  host.deliver(alice, echo::WhoAmI{});
  EXPECT_EQ(host.last_sent<echo::YouAre>(alice).user_id(), 42u);
}

TEST(EchoDescriptor, ManifestFactsMatchTheDescriptor) {
  const auto* d = gamehost_plugin_v1();
  EXPECT_STREQ(d->name, "echo");
  EXPECT_STREQ(d->version, "1.0.0");
  ASSERT_EQ(d->range_count, 1u);
  EXPECT_EQ(d->ranges[0].first, 90000u);
  EXPECT_EQ(d->ranges[0].last, 90099u);
  ASSERT_EQ(d->public_range_count, 1u);
  EXPECT_EQ(d->public_ranges[0].last, 90007u);
  EXPECT_EQ(d->abi_major, static_cast<std::uint32_t>(GAMEHOST_ABI_MAJOR));
}

}  // namespace
