// The host services plugins use among themselves and in time, through the real binary:
// events between plugins, request/reply calls, one-shot and repeating timers.
#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

std::string peers() {
  return "[plugins]\nload = [\"peer_a\", \"peer_b\"]\n[plugins.peer_a]\nfile = \"" +
         test_plugin_path("peer_a") + "\"\n[plugins.peer_b]\nfile = \"" +
         test_plugin_path("peer_b") + "\"\n";
}

class Services : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = std::make_unique<HostProcess>(peers()); }
  static void TearDownTestSuite() { host_.reset(); }
  static inline std::unique_ptr<HostProcess> host_;
};

TEST_F(Services, AnEventReachesTheOtherPluginButNotThePublisher) {
  TcpClient c(host_->tcp_port());
  c.send(100700, "hello from a");
  for (int i = 0; i < 100; ++i) {
    c.send(100711, "");
    if (c.expect(100712).payload == "peers|peer_a|hello from a") break;
    std::this_thread::sleep_for(10ms);  // the event travels through b's queue
  }
  c.send(100711, "");
  EXPECT_EQ(c.expect(100712).payload, "peers|peer_a|hello from a");
  c.send(100701, "");
  EXPECT_EQ(c.expect(100702).payload, "") << "the publisher heard its own event";
}

TEST_F(Services, ACallIsAnsweredByTheOtherPlugin) {
  TcpClient c(host_->tcp_port());
  c.send(100703, "ping");
  EXPECT_EQ(c.expect(100704).payload, "0|pong:ping");  // 0 = GH_OK
  c.send(100713, "back");
  EXPECT_EQ(c.expect(100714).payload, "0|pong:back");
}

TEST_F(Services, TimersFireOnceOrRepeatUntilCancelled) {
  TcpClient c(host_->tcp_port());
  c.send(100705, "");
  EXPECT_EQ(c.expect(100706, 2s).payload, "fired");
  c.send(100707, "");
  EXPECT_EQ(c.expect(100708, 2s).payload, "3");
  EXPECT_FALSE(c.recv(100ms)) << "a cancelled timer fired again";
}

TEST(ServicesAlone, ACallToAPluginThatIsNotLoadedFailsAtOnce) {
  HostProcess host("[plugins]\nload = [\"peer_a\"]\n[plugins.peer_a]\nfile = \"" +
                   test_plugin_path("peer_a") + "\"\n");
  TcpClient c(host.tcp_port());
  c.send(100703, "anyone?");
  EXPECT_EQ(c.expect(100704).payload, "2|");  // 2 = GH_ERR_NOT_FOUND
}

}  // namespace
}  // namespace gamehost::testing
