// Live handover reload in process: clients keep sending while the plugin is swapped, and
// each broken build is refused with the old one serving on.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "loader/plugin_file.hpp"
#include "support/in_process_host.hpp"

// This host's ABI as text, e.g. "1.2", for expected refusal messages.
#define GAMEHOST_TEST_ABI_STR2(x) #x
#define GAMEHOST_TEST_ABI_STR(x) GAMEHOST_TEST_ABI_STR2(x)
#define GAMEHOST_TEST_ABI \
  GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MAJOR) "." GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MINOR)

namespace gamehost {
namespace {

using testing::InProcessHost;
using testing::RecordingSession;
using testing::TempDir;

std::string counter(const std::string& build) {
  return std::string(GAMEHOST_TEST_PLUGIN_DIR) + "/counter_" + build + ".so";
}

struct Bumped {
  std::uint64_t mine;
  std::uint64_t total;
  std::string build;
};

Bumped decode(const RecordingSession::Frame& f) {
  auto u64 = [&f](std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(f.payload[at + i]);
    return v;
  };
  return {u64(0), u64(8), f.payload.substr(16)};
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override { host_.plugins().load(InProcessHost::plugin("counter", counter("v1"))); }
  std::shared_ptr<plugins::PluginInstance> plugin() { return host_.plugins().find("counter"); }
  Bumped bump(RecordingSession& s) {
    EXPECT_EQ(plugin()->post_message(s.id(), 0, 100600, ""), plugins::PluginInstance::Post::queued);
    auto f = s.next();
    if (!f) throw std::runtime_error("no reply");
    return decode(*f);
  }

  TempDir data_;
  InProcessHost host_{data_.str()};
};

TEST_F(ReloadTest, AHundredReloadsUnderLoadLoseAndReorderNothing) {
  auto alice = host_.connect();
  auto bob = host_.connect();
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> sent_alice{0};
  std::atomic<std::uint64_t> sent_bob{0};
  std::thread sender([&] {
    while (!done) {
      auto p = host_.plugins().find("counter");
      ASSERT_EQ(p->post_message(alice->id(), 0, 100600, ""), plugins::PluginInstance::Post::queued);
      ++sent_alice;
      ASSERT_EQ(p->post_message(bob->id(), 0, 100600, ""), plugins::PluginInstance::Post::queued);
      ++sent_bob;
      if (sent_alice % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  for (int i = 0; i < 100; ++i) {
    const auto result = host_.plugins().reload("counter", counter(i % 2 == 0 ? "v2" : "v1"));
    EXPECT_EQ(result.to, i % 2 == 0 ? "2.0.0" : "1.0.0");
  }
  done = true;
  sender.join();
  EXPECT_GT(sent_alice.load(), 200u) << "too little traffic to say anything about the reloads";

  // Every message was answered, in order, with counts that never skip or repeat, and the
  // total carried over every swap.
  std::uint64_t last_total = 0;
  std::set<std::string> builds;
  for (auto* s : {alice.get(), bob.get()}) {
    const auto sent = s == alice.get() ? sent_alice.load() : sent_bob.load();
    for (std::uint64_t n = 1; n <= sent; ++n) {
      const auto f = s->next();
      ASSERT_TRUE(f) << "reply " << n << " of " << sent << " is missing";
      const auto b = decode(*f);
      ASSERT_EQ(b.mine, n) << "session count skipped or repeated";
      builds.insert(b.build);
      last_total = std::max(last_total, b.total);
    }
  }
  EXPECT_EQ(last_total, sent_alice + sent_bob);
  EXPECT_EQ(builds, (std::set<std::string>{"v1", "v2"}));
  EXPECT_EQ(plugin()->reloads(), 100u);
}

TEST_F(ReloadTest, OldBuildIsUnmappedAfterTheSwap) {
  const auto old_copy = plugin()->private_copy();
  host_.plugins().reload("counter", counter("v2"));
  std::ifstream maps("/proc/self/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(old_copy), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(old_copy));
  EXPECT_NE(text.find(plugin()->private_copy()), std::string::npos);
}

TEST_F(ReloadTest, EachBrokenBuildIsRefusedAndTheOldOneServesOnWithItsState) {
  auto alice = host_.connect();
  EXPECT_EQ(bump(*alice).mine, 1u);
  const auto garbage = data_.str() + "/garbage.so";
  std::ofstream(garbage) << "not a shared library";
  const std::vector<std::pair<std::string, std::string>> broken = {
      {garbage, "not a loadable shared library"},
      {counter("broken"), "create failed: this build cannot start (COUNTER_FAIL_CREATE)"},
      {counter("abi2"), "built for ABI 2.0, this host speaks ABI " GAMEHOST_TEST_ABI},
      {counter("v3_strict"), "create failed: cannot read state version 1 (this build reads 2-2)"},
      {std::string(GAMEHOST_TEST_PLUGIN_DIR) + "/probe_v1.so", "the file declares plugin 'probe'"},
      {data_.str() + "/missing.so", "file not found"},
  };
  std::uint64_t expected = 1;
  for (const auto& [file, reason] : broken) {
    SCOPED_TRACE(file);
    try {
      host_.plugins().reload("counter", file);
      ADD_FAILURE() << "reload to a broken build succeeded";
    } catch (const plugins::PluginRefused& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
    const auto b = bump(*alice);
    EXPECT_EQ(b.mine, ++expected);
    EXPECT_EQ(b.build, "v1");
  }
  EXPECT_EQ(plugin()->version(), "1.0.0");
  EXPECT_EQ(plugin()->reloads(), 0u);
}

TEST_F(ReloadTest, StateMigratesFromV1ToV2AndBack) {
  auto alice = host_.connect();
  auto bob = host_.connect();
  for (int i = 0; i < 3; ++i) bump(*alice);
  bump(*bob);
  host_.plugins().reload("counter", counter("v2"));
  auto b = bump(*alice);
  EXPECT_EQ(b.build, "v2");
  EXPECT_EQ(b.mine, 4u);
  EXPECT_EQ(b.total, 5u);
  host_.plugins().reload("counter", counter("v1"));  // v1 reads v2's format too
  b = bump(*bob);
  EXPECT_EQ(b.build, "v1");
  EXPECT_EQ(b.mine, 2u);
  EXPECT_EQ(b.total, 6u);
}

}  // namespace
}  // namespace gamehost
