// The plugin loader against one tiny broken plugin per failure it must refuse, and the
// load / unload / load-again cycle of a plugin with protobuf.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gamehost/host.pb.h"
#include "loader/plugin_file.hpp"
#include "probe.pb.h"
#include "support/in_process_host.hpp"

// This host's ABI as text, e.g. "1.2", for expected refusal messages.
#define GAMEHOST_TEST_ABI_STR2(x) #x
#define GAMEHOST_TEST_ABI_STR(x) GAMEHOST_TEST_ABI_STR2(x)
#define GAMEHOST_TEST_ABI \
  GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MAJOR) "." GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MINOR)

namespace gamehost {
namespace {

using testing::InProcessHost;
using testing::TempDir;

std::string test_plugin(const std::string& name) {
  return std::string(GAMEHOST_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    markers_ = std::make_unique<TempDir>();
    ::setenv("GAMEHOST_TEST_MARKER_DIR", markers_->str().c_str(), 1);
  }
  void TearDown() override { ::unsetenv("GAMEHOST_TEST_MARKER_DIR"); }

  // Loads the named test plugins as [plugins] load would; returns the refusals.
  std::vector<plugins::Refusal> load(const std::vector<std::string>& names) {
    for (const auto& n : names)
      host_.config().plugins.load.push_back(InProcessHost::plugin(n, test_plugin(n)));
    return host_.plugins().load_configured();
  }
  static std::string reason_for(const std::vector<plugins::Refusal>& refused,
                                const std::string& name) {
    for (const auto& r : refused) {
      if (r.name == name) return r.reason;
    }
    return "(not refused)";
  }
  bool code_ran(const std::string& tag) const {
    return std::filesystem::exists(markers_->path() / (tag + ".loaded"));
  }
  bool loaded(const std::string& name) { return host_.plugins().find(name) != nullptr; }

  TempDir data_;
  std::unique_ptr<TempDir> markers_;
  InProcessHost host_{data_.str()};
};

TEST_F(LoaderTest, RefusesAnotherAbiMajorWithoutRunningItsCode) {
  const auto refused = load({"abi_major"});
  EXPECT_EQ(reason_for(refused, "abi_major"),
            "built for ABI 2.0, this host speaks ABI " GAMEHOST_TEST_ABI
            " (the major version must match; rebuild "
            "the plugin against this SDK)");
  EXPECT_FALSE(code_ran("abi_major"));
  EXPECT_FALSE(loaded("abi_major"));
}

TEST_F(LoaderTest, RefusesANewerAbiMinorWithoutRunningItsCode) {
  const auto refused = load({"abi_minor"});
  EXPECT_NE(reason_for(refused, "abi_minor")
                .find("built for ABI 1.99, newer than this host's ABI " GAMEHOST_TEST_ABI),
            std::string::npos);
  EXPECT_FALSE(code_ran("abi_minor"));
  EXPECT_FALSE(loaded("abi_minor"));
}

TEST_F(LoaderTest, RefusesAMissingEntrySymbolWithoutRunningItsCode) {
  const auto refused = load({"no_entry"});
  EXPECT_EQ(reason_for(refused, "no_entry"), "entry symbol gamehost_plugin_v1 is not exported");
  EXPECT_FALSE(code_ran("no_entry"));
}

TEST_F(LoaderTest, RefusesALibraryThatIsNotAPlugin) {
  const auto refused = load({"no_manifest"});
  EXPECT_NE(reason_for(refused, "no_manifest").find("not a gamehost plugin"), std::string::npos);
  EXPECT_FALSE(code_ran("no_manifest"));
}

TEST_F(LoaderTest, RefusesAMissingOrCorruptFile) {
  host_.config().plugins.load.push_back(InProcessHost::plugin("ghost", data_.str() + "/ghost.so"));
  const auto garbage = data_.str() + "/garbage.so";
  std::ofstream(garbage) << "this is not an ELF file at all";
  host_.config().plugins.load.push_back(InProcessHost::plugin("garbage", garbage));
  const auto refused = host_.plugins().load_configured();
  EXPECT_EQ(reason_for(refused, "ghost"), "file not found");
  EXPECT_NE(reason_for(refused, "garbage").find("not a loadable shared library"),
            std::string::npos);
}

TEST_F(LoaderTest, RefusesOverlappingIdsNamingBothPlugins) {
  const auto refused = load({"overlap_a", "overlap_b"});
  EXPECT_TRUE(loaded("overlap_a"));
  EXPECT_FALSE(loaded("overlap_b"));
  EXPECT_EQ(reason_for(refused, "overlap_b"),
            "ids 100405-100419 overlap 100400-100409 owned by plugin overlap_a 1.0.0");
}

TEST_F(LoaderTest, RefusesAMissingDependency) {
  const auto refused = load({"needs_ghost"});
  EXPECT_EQ(reason_for(refused, "needs_ghost"),
            "needs_ghost 1.0.0 needs ghost >=1.0.0, which is not loaded");
}

TEST_F(LoaderTest, RefusesADependencyOutOfRangeNamingBothVersions) {
  const auto refused = load({"base", "needs_base2"});
  EXPECT_TRUE(loaded("base"));
  EXPECT_EQ(reason_for(refused, "needs_base2"),
            "needs_base2 1.0.0 needs base >=2.0.0 <3.0.0, loaded: base 1.4.0");
}

TEST_F(LoaderTest, LoadsDependenciesFirstWhateverTheConfigOrder) {
  const auto refused = load({"needs_base1", "base"});
  EXPECT_TRUE(refused.empty());
  const auto list = host_.plugins().list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]->name(), "base");
  EXPECT_EQ(list[1]->name(), "needs_base1");
}

TEST_F(LoaderTest, RefusesADependencyCycleNamingIt) {
  const auto refused = load({"cycle_a", "cycle_b"});
  EXPECT_EQ(reason_for(refused, "cycle_a"), "dependency cycle: cycle_a -> cycle_b -> cycle_a");
  EXPECT_EQ(reason_for(refused, "cycle_b"), "dependency cycle: cycle_a -> cycle_b -> cycle_a");
  EXPECT_TRUE(host_.plugins().list().empty());
}

TEST_F(LoaderTest, RefusesAPluginWhoseCreateFails) {
  const auto refused = load({"create_fails", "base"});
  EXPECT_EQ(reason_for(refused, "create_fails"), "create failed: database not configured");
  EXPECT_TRUE(loaded("base"));
}

TEST_F(LoaderTest, RefusesToUnloadAPluginOthersDependOn) {
  ASSERT_TRUE(load({"base", "needs_base1"}).empty());
  try {
    host_.plugins().unload("base");
    FAIL() << "unload of a dependency succeeded";
  } catch (const plugins::PluginRefused& e) {
    EXPECT_STREQ(e.what(), "plugin needs_base1 depends on base; unload it first");
  }
  host_.plugins().unload("needs_base1");
  host_.plugins().unload("base");
  EXPECT_TRUE(host_.plugins().list().empty());
}

TEST_F(LoaderTest, AThrowingHandlerAnswersTheClientAndTheHostKeepsServing) {
  ASSERT_TRUE(load({"thrower"}).empty());
  auto plugin = host_.plugins().find("thrower");
  auto alice = host_.connect();

  plugin->post_message(alice->id(), 0, 100100, "");
  auto frame = alice->next();
  ASSERT_TRUE(frame);
  ASSERT_EQ(frame->msg_id, 2u);
  wire::Error error;
  ASSERT_TRUE(error.ParseFromString(frame->payload));
  EXPECT_EQ(error.code(), static_cast<std::uint32_t>(GH_CODE_PLUGIN_FAILURE));
  EXPECT_EQ(error.request_id(), 100100u);
  EXPECT_EQ(error.text(), "internal error in plugin thrower");  // no internals leak to players

  plugin->post_message(alice->id(), 0, 100101, "");
  frame = alice->next();
  ASSERT_TRUE(frame && error.ParseFromString(frame->payload));
  EXPECT_EQ(error.code(), 100150u);
  EXPECT_EQ(error.text(), "you may not do that");

  plugin->post_message(alice->id(), 0, 100102, "still here");
  frame = alice->next();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->msg_id, 100103u);
  EXPECT_EQ(frame->payload, "still here");
  EXPECT_EQ(plugin->stats().handler_failures(), 1u);
}

bool mapped(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find(path) != std::string::npos) return true;
  }
  return false;
}

// The unmapping happens when the last reference goes, which may be a moment after unload.
bool unmapped_soon(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    if (!mapped(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_F(LoaderTest, LoadsUnloadsAndReloadsAProtobufPluginAHundredTimes) {
  auto alice = host_.connect();
  for (int i = 0; i < 100; ++i) {
    const std::string build = i % 2 == 0 ? "v1" : "v2";
    SCOPED_TRACE("iteration " + std::to_string(i) + " with build " + build);
    host_.plugins().load(InProcessHost::plugin("probe", test_plugin("probe_" + build)));
    auto plugin = host_.plugins().find("probe");
    ASSERT_TRUE(plugin);
    const auto copy = plugin->private_copy();
    ASSERT_TRUE(mapped(copy));

    test::probe::Ping ping;
    ping.set_text("ping " + std::to_string(i));
    ASSERT_EQ(plugin->post_message(alice->id(), 0, 100300, ping.SerializeAsString()),
              plugins::PluginInstance::Post::queued);
    const auto frame = alice->next();
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->msg_id, 100301u);
    test::probe::Pong pong;
    ASSERT_TRUE(pong.ParseFromString(frame->payload));
    EXPECT_EQ(pong.build(), build);  // the build just loaded answers, not a stale mapping
    EXPECT_EQ(pong.text(), ping.text());

    host_.plugins().unload("probe");
    plugin.reset();  // the test's own reference would keep the library mapped
    ASSERT_TRUE(unmapped_soon(copy)) << copy << " is still mapped after unload";
    EXPECT_FALSE(std::filesystem::exists(copy)) << "the private copy was not removed";
  }
}

}  // namespace
}  // namespace gamehost
