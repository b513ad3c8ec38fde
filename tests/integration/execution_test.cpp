// The execution model as a client sees it: keyed work in order within a key and in
// parallel across keys, and a bounded queue that answers "busy" instead of growing.
#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

std::string sharder_plugins(const std::string& extra = "") {
  return "[plugins]\nkeyed_lanes = 8\nload = [\"sharder\"]\n[plugins.sharder]\nfile = \"" +
         test_plugin_path("sharder") + "\"\n" + extra;
}

TEST(Execution, KeyedWorkStaysInOrderWithinEachKey) {
  // The client sends everything before it reads: room for all the replies in its queue.
  HostProcess host(sharder_plugins(),
                   "[limits]\nsend_queue_frames = 10000\nrate_limit_per_second = 1000000\n"
                   "rate_limit_burst = 1000000\n");
  TcpClient c(host.tcp_port());
  constexpr int kKeys = 6;
  constexpr int kPerKey = 300;
  for (int i = 0; i < kPerKey; ++i) {
    for (int k = 0; k < kKeys; ++k) c.send(100500, u64le(k) + u64le(i));
  }
  std::vector<std::uint64_t> next(kKeys, 0);
  for (int n = 0; n < kKeys * kPerKey; ++n) {
    const auto f = c.expect(100501);
    std::uint64_t key = 0;
    std::uint64_t seq = 0;
    for (int i = 7; i >= 0; --i) key = key << 8 | static_cast<std::uint8_t>(f.payload[i]);
    for (int i = 7; i >= 0; --i) seq = seq << 8 | static_cast<std::uint8_t>(f.payload[8 + i]);
    ASSERT_LT(key, static_cast<std::uint64_t>(kKeys));
    ASSERT_EQ(seq, next[key]) << "key " << key << " out of order";
    ++next[key];
  }
}

TEST(Execution, DifferentKeysRunInParallel) {
  HostProcess host(sharder_plugins());
  TcpClient c(host.tcp_port());
  c.send(100502, u64le(1));  // blocks lane of key 1 until key 2's lane has run
  c.send(100503, u64le(2));
  const auto f = c.expect(100503, 10s);
  EXPECT_EQ(f.payload, "\x01") << "key 2 could not run while key 1 was busy";
}

TEST(Execution, AFullPluginQueueAnswersBusyAndLosesNothingSilently) {
  HostProcess host(sharder_plugins("queue_capacity = 2\n"));
  TcpClient c(host.tcp_port());
  constexpr int kSent = 20;
  for (int i = 0; i < kSent; ++i) c.send(100504, "");
  int done = 0;
  int busy = 0;
  for (int i = 0; i < kSent; ++i) {
    const auto f = c.recv(10s);
    ASSERT_TRUE(f) << "a message was neither answered nor refused";
    if (f->msg_id == 100505) ++done;
    if (f->msg_id == 2) {
      EXPECT_EQ(f->as<wire::Error>().code(), static_cast<std::uint32_t>(GH_CODE_BUSY));
      ++busy;
    }
  }
  EXPECT_EQ(done + busy, kSent);
  EXPECT_GE(busy, 1);
  EXPECT_GE(done, 1);  // how many fit depends on timing; that none vanish does not
  // A slow plugin delays only itself: the host still answers its own messages at once.
  c.send(1, wire::Heartbeat{});
  c.expect(1, 1s);
}

// Calls from other plugins are bounded like client messages: a call to a plugin whose queue
// is full is answered busy at once instead of waiting in an unbounded queue.
TEST(Execution, ACallToAPluginWhoseQueueIsFullIsAnsweredBusy) {
  HostProcess host("[plugins]\nload = [\"sharder\", \"peer_c\"]\n[plugins.sharder]\nfile = \"" +
                   test_plugin_path("sharder") + "\"\nqueue_capacity = 2\n[plugins.peer_c]\nfile = \"" +
                   test_plugin_path("peer_c") + "\"\n");
  TcpClient slow(host.tcp_port());
  // One slow message runs (50 ms); the next ones wait behind it until the queue is full
  // (capacity counts the waiting, not the running: let the first start before they come).
  slow.send(100504, "");
  std::this_thread::sleep_for(20ms);
  for (int i = 0; i < 3; ++i) slow.send(100504, "");
  slow.send(1, wire::Heartbeat{});  // answered by the host once it has read the others
  int answered = 0;
  for (bool heard = false; !heard;) {
    const auto f = slow.recv(5s);
    ASSERT_TRUE(f);
    heard = f->msg_id == 1;
    answered += heard ? 0 : 1;
  }
  TcpClient caller(host.tcp_port());
  caller.send(100723, "hello");
  EXPECT_EQ(caller.expect(100724, 5s).payload, std::to_string(GH_ERR_BUSY) + "|");
  for (; answered < 4; ++answered) ASSERT_TRUE(slow.recv(5s));
  caller.send(100723, "again");  // room again: answered
  EXPECT_EQ(caller.expect(100724, 5s).payload, "0|pong:again");
}

// The queue is bounded in bytes too: a few large messages fill it long before the item
// limit, and what does not fit is refused before the host copies it.
TEST(Execution, AQueueFullOfBytesAnswersBusyLongBeforeItsItemLimit) {
  HostProcess host(sharder_plugins("queue_capacity = 10000\nqueue_bytes = 65536\n"));
  TcpClient c(host.tcp_port());
  const std::string big(30000, 'x');
  constexpr int kSent = 12;
  for (int i = 0; i < kSent; ++i) c.send(100504, big);
  int done = 0;
  int busy = 0;
  for (int i = 0; i < kSent; ++i) {
    const auto f = c.recv(10s);
    ASSERT_TRUE(f) << "a message was neither answered nor refused";
    if (f->msg_id == 100505) ++done;
    if (f->msg_id == 2) {
      EXPECT_EQ(f->as<wire::Error>().code(), static_cast<std::uint32_t>(GH_CODE_BUSY));
      ++busy;
    }
  }
  EXPECT_EQ(done + busy, kSent);
  EXPECT_GE(busy, kSent - 4);  // at most two wait beside the one running: 64 KiB of 30 KB
  EXPECT_GE(done, 1);
  const auto metrics = http_get(host.admin_port(), "/metrics");
  EXPECT_NE(metrics.find("gamehost_plugin_queue_bytes{plugin=\"sharder\"} 0"), std::string::npos)
      << "the byte count goes back to 0 when the queue is empty";
}

}  // namespace
}  // namespace gamehost::testing
