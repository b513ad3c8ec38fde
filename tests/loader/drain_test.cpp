// Drain reload in process: both builds serve at once, each room finishes on the build it
// started on, and the old build is unmapped after its last room closes.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "loader/plugin_file.hpp"
#include "support/in_process_host.hpp"

namespace gamehost {
namespace {

using testing::InProcessHost;
using testing::RecordingSession;
using testing::TempDir;

std::string rooms(const std::string& build) {
  return std::string(GAMEHOST_TEST_PLUGIN_DIR) + "/rooms_" + build + ".so";
}

std::string u64le(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

bool mapped(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  return text.find(path) != std::string::npos;
}

class DrainTest : public ::testing::Test {
 protected:
  void SetUp() override { host_.plugins().load(InProcessHost::plugin("rooms", rooms("v1"))); }
  // Sends through the route table, as the dispatcher does.
  std::string ask(RecordingSession& s, std::uint32_t id, const std::string& payload = "") {
    const auto table = host_.routes().current();
    const auto* owner = table->find(id, s.id());
    EXPECT_NE(owner, nullptr);
    EXPECT_EQ((*owner)->post_message(s.id(), 0, id, payload),
              plugins::PluginInstance::Post::queued);
    const auto f = s.next();
    if (!f) throw std::runtime_error("no reply");
    return f->payload;
  }

  TempDir data_;
  InProcessHost host_{data_.str()};
};

TEST_F(DrainTest, RoomsFinishOnTheirBuildAndTheOldBuildUnloadsAfterTheLast) {
  auto alice = host_.connect();
  auto bob = host_.connect();
  EXPECT_EQ(ask(*alice, 100800, u64le(1)), "v1");
  const auto old_copy = host_.plugins().find("rooms")->private_copy();

  const auto r = host_.plugins().reload("rooms", rooms("v2"), "drain");
  EXPECT_EQ(r.to, "2.0.0");
  EXPECT_EQ(host_.plugins().find("rooms")->version(), "2.0.0");
  ASSERT_EQ(host_.plugins().draining().size(), 1u);

  EXPECT_EQ(ask(*alice, 100802), "v1:1");        // alice's room goes on on v1
  EXPECT_EQ(ask(*bob, 100800, u64le(2)), "v2");  // a new room starts on v2
  EXPECT_EQ(ask(*bob, 100802), "v2:2");
  EXPECT_TRUE(mapped(old_copy)) << "both builds must be resident";

  EXPECT_EQ(ask(*alice, 100804), "v1");  // the last v1 room closes
  for (int i = 0; i < 500 && (mapped(old_copy) || !host_.plugins().draining().empty()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(host_.plugins().draining().empty());
  EXPECT_FALSE(mapped(old_copy)) << "the old build is still mapped after its last room";
  EXPECT_EQ(ask(*alice, 100802), "v2:0");  // alice now plays on v2
  EXPECT_EQ(ask(*bob, 100802), "v2:2");
}

TEST_F(DrainTest, ABuildWithoutOpenKeysDrainsAtOnce) {
  const auto old_copy = host_.plugins().find("rooms")->private_copy();
  host_.plugins().reload("rooms", rooms("v2"), "drain");
  for (int i = 0; i < 500 && mapped(old_copy); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(mapped(old_copy));
  EXPECT_TRUE(host_.plugins().draining().empty());
}

TEST_F(DrainTest, ASecondReloadWaitsForTheDrainToEnd) {
  auto alice = host_.connect();
  ask(*alice, 100800, u64le(7));
  host_.plugins().reload("rooms", rooms("v2"), "drain");
  try {
    host_.plugins().reload("rooms", rooms("v1"), "drain");
    ADD_FAILURE() << "a reload during a drain was accepted";
  } catch (const plugins::PluginRefused& e) {
    EXPECT_NE(std::string(e.what()).find("is still draining 1 key(s)"), std::string::npos)
        << e.what();
  }
  ask(*alice, 100804);
}

}  // namespace
}  // namespace gamehost
