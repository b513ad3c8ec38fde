// Live reload through the real binary: the plugin's file is replaced by rename while the
// host runs, SIGHUP reloads it, and a connected player notices nothing but the new build.
#include "integration/fixtures.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>

namespace gamehost::testing {
namespace {

struct Bumped {
  std::uint64_t mine;
  std::string build;
};

Bumped bump(Client& c) {
  c.send(100600, "");
  const auto f = c.expect(100601);
  std::uint64_t mine = 0;
  for (int i = 7; i >= 0; --i) mine = mine << 8 | static_cast<std::uint8_t>(f.payload[i]);
  return {mine, f.payload.substr(16)};
}

// Replaces `target` atomically, as a package manager does (never in place).
void install(const std::string& from, const std::string& target) {
  std::filesystem::copy_file(from, target + ".new",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(target + ".new", target);
}

TEST(LiveReload, SighupSwapsAChangedPluginWhilePlayersStayConnected) {
  TempDir dir;
  const auto file = dir.str() + "/counter.so";
  install(test_plugin_path("counter_v1"), file);
  HostProcess host("[plugins]\nload = [\"counter\"]\n[plugins.counter]\nfile = \"" + file + "\"\n");
  TcpClient tcp(host.tcp_port());
  WsClient ws(host.ws_port());
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(bump(tcp).mine, static_cast<std::uint64_t>(i));
  EXPECT_EQ(bump(ws).build, "v1");

  install(test_plugin_path("counter_v2"), file);
  ::kill(host.pid(), SIGHUP);
  std::uint64_t expected = 4;
  std::string build = "v1";
  for (int i = 0; i < 200 && build == "v1"; ++i) {
    const auto b = bump(tcp);
    EXPECT_EQ(b.mine, expected++) << "a count was lost or repeated across the reload";
    build = b.build;
    if (build == "v1") std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(build, "v2") << host.log();
  EXPECT_EQ(bump(ws).mine, 2u);  // the WebSocket player's state came along too
  // The host logs the reload once the swap is done, a moment after messages flow again.
  for (int i = 0;
       i < 100 && host.log().find("plugin counter reloaded 1.0.0 -> 2.0.0") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(host.log().find("plugin counter reloaded 1.0.0 -> 2.0.0"), std::string::npos)
      << host.log();
}

// A reload that starts while a handler's blocking job is still running waits for it: the
// old build finishes the job and answers, the message sent meanwhile is answered after it,
// and the job's count is in the state the new build gets.
TEST(LiveReload, AReloadWaitsForABlockingJobInFlightAndLosesNothing) {
  TempDir dir;
  const auto file = dir.str() + "/counter.so";
  install(test_plugin_path("counter_v1"), file);
  HostProcess host("[plugins]\nload = [\"counter\"]\n[plugins.counter]\nfile = \"" + file + "\"\n");
  TcpClient tcp(host.tcp_port());
  EXPECT_EQ(bump(tcp).mine, 1u);

  tcp.send(100602, "400");  // a 400 ms job on a blocking thread
  std::this_thread::sleep_for(50ms);
  install(test_plugin_path("counter_v2"), file);
  ::kill(host.pid(), SIGHUP);
  tcp.send(100600, "");  // sent while the job runs and the reload waits for it

  const auto slow = tcp.expect(100601, 10s);
  EXPECT_EQ(slow.payload.substr(16), "v1") << "the old build finishes its own job";
  EXPECT_EQ(static_cast<std::uint8_t>(slow.payload[0]), 2u);
  const auto next = tcp.expect(100601, 10s);  // by either build: it came during the swap
  EXPECT_EQ(static_cast<std::uint8_t>(next.payload[0]), 3u);
  for (int i = 0;
       i < 200 && host.log().find("plugin counter reloaded 1.0.0 -> 2.0.0") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  const auto after = bump(tcp);
  EXPECT_EQ(after.build, "v2") << host.log();
  EXPECT_EQ(after.mine, 4u) << "the job's count was handed over";
}

TEST(LiveReload, ABrokenBuildOnSighupLeavesTheOldOneServing) {
  TempDir dir;
  const auto file = dir.str() + "/counter.so";
  install(test_plugin_path("counter_v1"), file);
  HostProcess host("[plugins]\nload = [\"counter\"]\n[plugins.counter]\nfile = \"" + file + "\"\n");
  TcpClient c(host.tcp_port());
  EXPECT_EQ(bump(c).mine, 1u);
  install(test_plugin_path("counter_broken"), file);
  ::kill(host.pid(), SIGHUP);
  for (int i = 0; i < 200 && host.log().find("reload of changed plugins") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(host.log().find("plugin counter reload from " + file +
                            " refused, 1.0.0 goes on serving: create failed"),
            std::string::npos)
      << host.log();
  const auto b = bump(c);
  EXPECT_EQ(b.mine, 2u);
  EXPECT_EQ(b.build, "v1");
}

}  // namespace
}  // namespace gamehost::testing

namespace gamehost::testing {
namespace {

// Real clients keep sending over TCP and WebSocket while the plugin is reloaded 100 times
// through the admin API: no message lost or reordered, no session dropped.
TEST(LiveReload, AHundredReloadsUnderTrafficThroughTheAdminApi) {
  HostProcess host("[plugins]\nload = [\"counter\"]\n[plugins.counter]\nfile = \"" +
                       test_plugin_path("counter_v1") + "\"\n",
                   "[limits]\nrate_limit_per_second = 1000000\nrate_limit_burst = 1000000\n");
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::mutex why_mutex;
  std::string why;
  auto fail = [&](const std::string& reason) {
    ++failures;
    std::lock_guard lock(why_mutex);
    why += reason + "\n";
  };
  auto play = [&](Client& c, const std::string& who) {
    auto* as_ws = dynamic_cast<WsClient*>(&c);
    std::uint64_t expected = 1;
    while (!done) {
      // A window of 8 in flight, so reloads happen with messages queued.
      for (int i = 0; i < 8; ++i) c.send(100600, "");
      for (int i = 0; i < 8; ++i) {
        const auto f = c.recv(10s);
        if (!f) {
          return fail(who + ": no reply (timeout or connection closed) after count " +
                      std::to_string(expected - 1) +
                      (as_ws != nullptr ? " (" + as_ws->last_error() + ")" : std::string()));
        }
        if (f->msg_id != 100601) {
          std::string detail;
          if (f->msg_id == 2) detail = f->as<wire::Error>().text();
          return fail("got id " + std::to_string(f->msg_id) + " " + detail + " after count " +
                      std::to_string(expected - 1));
        }
        std::uint64_t mine = 0;
        for (int b = 7; b >= 0; --b) mine = mine << 8 | static_cast<std::uint8_t>(f->payload[b]);
        if (mine != expected)
          return fail("count " + std::to_string(mine) + ", expected " + std::to_string(expected));
        ++expected;
      }
    }
  };
  TcpClient tcp(host.tcp_port());
  WsClient ws(host.ws_port());
  std::thread tcp_player([&] { play(tcp, "tcp"); });
  std::thread ws_player([&] { play(ws, "ws"); });
  int reloaded = 0;
  for (int i = 0; i < 100; ++i) {
    const auto file = test_plugin_path(i % 2 == 0 ? "counter_v2" : "counter_v1");
    const auto cmd = std::string(GAMEHOSTCTL_BINARY) + " --config " + host.config_path() +
                     " reload counter --file " + file + " > /dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) ++reloaded;
  }
  done = true;
  tcp_player.join();
  ws_player.join();
  EXPECT_EQ(reloaded, 100);
  EXPECT_EQ(failures.load(), 0) << why << "\nhost log (tail):\n"
                                << host.log().substr(
                                       host.log().size() > 3000 ? host.log().size() - 3000 : 0);
  EXPECT_TRUE(tcp.recv(100ms) == std::nullopt);  // nothing unexpected left over
  EXPECT_EQ(host.terminate(), 0) << "the host did not shut down cleanly after the reloads:\n"
                                 << host.log();
}

}  // namespace
}  // namespace gamehost::testing

namespace gamehost::testing {
namespace {

TEST(LiveReload, WithWatchOnReplacingTheFileIsEnough) {
  TempDir dir;
  const auto file = dir.str() + "/counter.so";
  install(test_plugin_path("counter_v1"), file);
  HostProcess host("[plugins]\nwatch = true\nload = [\"counter\"]\n[plugins.counter]\nfile = \"" +
                   file + "\"\n");
  TcpClient c(host.tcp_port());
  EXPECT_EQ(bump(c).build, "v1");
  install(test_plugin_path("counter_v2"), file);  // no signal, no command
  std::string build = "v1";
  std::uint64_t expected = 2;
  for (int i = 0; i < 300 && build == "v1"; ++i) {
    const auto b = bump(c);
    EXPECT_EQ(b.mine, expected++);
    build = b.build;
    if (build == "v1") std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(build, "v2") << host.log();
}

}  // namespace
}  // namespace gamehost::testing

namespace gamehost::testing {
namespace {

bool maps_contain(pid_t pid, const std::string& fragment) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  return text.find(fragment) != std::string::npos;
}

TEST(LiveReload, DrainKeepsTwoBuildsUntilTheOldOnesLastRoomEnds) {
  HostProcess host("[plugins]\nload = [\"rooms\"]\n[plugins.rooms]\nfile = \"" +
                   test_plugin_path("rooms_v1") + "\"\nreload_strategy = \"drain\"\n");
  TcpClient alice(host.tcp_port());
  WsClient bob(host.ws_port());
  alice.send(100800, u64le(1));
  EXPECT_EQ(alice.expect(100801).payload, "v1");
  // The private copies are named rooms-PID-N.so; the first one is v1's.
  const auto v1_copy = "rooms-" + std::to_string(host.pid()) + "-0.so";
  ASSERT_TRUE(maps_contain(host.pid(), v1_copy));

  const auto cmd = std::string(GAMEHOSTCTL_BINARY) + " --config " + host.config_path() +
                   " reload rooms --file " + test_plugin_path("rooms_v2") +
                   " > /dev/null 2>&1";  // strategy from the config: drain
  ASSERT_EQ(std::system(cmd.c_str()), 0);

  bob.send(100800, u64le(2));
  EXPECT_EQ(bob.expect(100801).payload, "v2");  // new rooms start on v2
  alice.send(100802, "");
  EXPECT_EQ(alice.expect(100803).payload, "v1:1");  // alice's room is still on v1
  EXPECT_TRUE(maps_contain(host.pid(), v1_copy)) << "v1 must stay mapped while its room lives";

  alice.send(100804, "");
  EXPECT_EQ(alice.expect(100805).payload, "v1");
  for (int i = 0; i < 300 && maps_contain(host.pid(), v1_copy); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(maps_contain(host.pid(), v1_copy)) << "v1 is still mapped after its last room ended";
  alice.send(100802, "");
  EXPECT_EQ(alice.expect(100803).payload, "v2:0");
  EXPECT_NE(host.log().find("plugin rooms 1.0.0 drained and unloaded, 2.0.0 serves alone"),
            std::string::npos)
      << host.log();
}

}  // namespace
}  // namespace gamehost::testing
