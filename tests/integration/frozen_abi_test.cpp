// The ABI 1.x promise through the real binary: frozen10, a plain C plugin built against
// the frozen ABI 1.0 header alone (tests/sdk/abi_1_0), loads on this host and answers
// through the host services it looks up by their 1.0 names.
#include "integration/fixtures.hpp"

// This host's ABI as text, e.g. "1.2": the plugin reports what gh_host_api told it.
#define GAMEHOST_TEST_ABI_STR2(x) #x
#define GAMEHOST_TEST_ABI_STR(x) GAMEHOST_TEST_ABI_STR2(x)
#define GAMEHOST_TEST_ABI \
  GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MAJOR) "." GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MINOR)

namespace gamehost::testing {
namespace {

class FrozenAbi10 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // required = true: a host that refuses the plugin does not start, and the suite fails
    // with the refusal in the log.
    host_ = std::make_unique<HostProcess>(
        "[plugins]\nrequired = true\nload = [\"frozen10\"]\n[plugins.frozen10]\nfile = \"" +
        test_plugin_path("frozen10") + "\"\n");
  }
  static void TearDownTestSuite() { host_.reset(); }
  static inline std::unique_ptr<HostProcess> host_;
};

TEST_F(FrozenAbi10, HelloListsThePlugin) {
  TcpClient c(host_->tcp_port());
  ASSERT_EQ(c.hello.plugins_size(), 1) << host_->log();
  EXPECT_EQ(c.hello.plugins(0).name(), "frozen10");
  EXPECT_EQ(c.hello.plugins(0).version(), "1.0.0");
}

// create() found every 1.0 service by name (it refuses to start otherwise) and logged
// through gamehost_log_v1 what gh_host_api said.
TEST_F(FrozenAbi10, LogsThroughTheLogService) {
  const std::string line = "frozen10 (ABI 1.0) running on host ABI " GAMEHOST_TEST_ABI;
  for (int i = 0; i < 300 && host_->log().find(line) == std::string::npos; ++i)
    std::this_thread::sleep_for(10ms);  // lines below warn are flushed every second
  EXPECT_NE(host_->log().find(line), std::string::npos) << host_->log();
}

TEST_F(FrozenAbi10, RepliesThroughTheSendService) {
  TcpClient c(host_->tcp_port());
  const std::string data("from a client\0\xff", 15);
  c.send(101000, data);
  EXPECT_EQ(c.expect(101001).payload, "frozen10 abi 1.0 on host " GAMEHOST_TEST_ABI ": " + data);
}

TEST_F(FrozenAbi10, KeepsASessionPropertyAndAnswersWithItsOwnErrorCode) {
  TcpClient c(host_->tcp_port());
  c.send(101002, "");
  const auto error = c.expect_error(101002);
  EXPECT_EQ(error.code(), 101009u);
  EXPECT_EQ(error.text(), "nothing stored yet: send 101000 first");
  c.send(101000, "remember me");
  c.expect(101001);
  c.send(101002, "");
  EXPECT_EQ(c.expect(101003).payload, "remember me");

  TcpClient other(host_->tcp_port());  // another session has its own properties
  other.send(101002, "");
  EXPECT_EQ(other.expect_error(101002).code(), 101009u);
}

TEST_F(FrozenAbi10, ATimerFiresIntoTheSessionThatAskedForIt) {
  TcpClient a(host_->tcp_port());
  TcpClient b(host_->tcp_port());
  a.send(101004, "");
  b.send(101004, "");
  EXPECT_EQ(a.expect(101005).payload, "tick");
  EXPECT_EQ(b.expect(101005).payload, "tick");
  EXPECT_FALSE(a.recv(100ms).has_value()) << "one tick per timer";
}

}  // namespace
}  // namespace gamehost::testing
