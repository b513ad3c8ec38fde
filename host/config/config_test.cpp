#include "config/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gamehost::config {
namespace {

std::string error_of(const std::string& toml) {
  try {
    load_text(toml, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Config, TheShippedDefaultConfigLoads) {
  // Its relative paths (web_root) are relative to where the host starts: the repo root.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(GAMEHOST_SOURCE_DIR);
  const auto c = load_file("config/gamehost.toml");
  std::filesystem::current_path(cwd);
  EXPECT_EQ(c.listen.tcp, "0.0.0.0:7000");
  EXPECT_EQ(c.listen.web_root, "clients/web");
  std::vector<std::string> names;
  for (const auto& p : c.plugins.load) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"auth", "user", "room", "card", "battlemap",
                                             "racemap", "echo"}));
  EXPECT_EQ(c.plugins.load[0].name, "auth");
  EXPECT_EQ(c.plugins.load[0].file, "build/lib/gamehost/plugins/auth.so");
  EXPECT_EQ(c.plugins.load[0].capabilities, std::vector<std::string>{"bind_user"});
  EXPECT_EQ(c.server.mode, "development");
  EXPECT_EQ(c.server.io_thread_scheduling, "batch");
  EXPECT_EQ(c.storage.url, "");  // SQLite under data_dir
}

TEST(Config, StorageAndServerKeysAreChecked) {
  EXPECT_EQ(
      error_of("[storage]\nurl = \"postgres://x\"\n"),
      "test.toml:2:7: [storage] url: must be sqlite:<file> or mysql://user:password@host:port/db");
  EXPECT_EQ(error_of("[storage]\npool_size = 0\n"),
            "test.toml:2:13: [storage] pool_size: must be between 1 and 1024, got 0");
  EXPECT_EQ(error_of("[server]\nmode = \"prod\"\n"),
            "test.toml:2:8: [server] mode: 'prod' is not one of: development, production");
  EXPECT_EQ(error_of("[server]\nio_thread_scheduling = \"fifo\"\n"),
            "test.toml:2:24: [server] io_thread_scheduling: 'fifo' is not one of: batch, normal");
  EXPECT_EQ(error_of("[server]\nnode_id = 1024\n"),
            "test.toml:2:11: [server] node_id: must be between 0 and 1023, got 1024");
  EXPECT_EQ(error_of("[storage]\npoolsize = 4\n"),
            "test.toml:2:1: [storage] poolsize: unknown key");
}

TEST(Config, EmptyFileMeansDefaults) {
  const auto c = load_text("", "test.toml");
  EXPECT_EQ(c.limits.max_frame_bytes, 65536u);
  EXPECT_TRUE(c.plugins.required);
}

TEST(Config, UnknownKeyIsRefusedWithFileLineAndKey) {
  EXPECT_EQ(error_of("[limits]\nmax_frame_bytes = 1024\nmax_frmae_bytes = 2048\n"),
            "test.toml:3:1: [limits] max_frmae_bytes: unknown key");
}

TEST(Config, UnknownTableIsRefused) {
  EXPECT_EQ(error_of("[limit]\nmax_frame_bytes = 1024\n"), "test.toml:1:2: limit: unknown key");
}

TEST(Config, OutOfRangeValueSaysTheRange) {
  EXPECT_EQ(error_of("[limits]\nmax_frame_bytes = 0\n"),
            "test.toml:2:19: [limits] max_frame_bytes: must be between 16 and 16777216, got 0");
}

TEST(Config, WrongTypeIsRefused) {
  EXPECT_EQ(error_of("[log]\nconsole = \"yes\"\n"),
            "test.toml:2:11: [log] console: must be true or false");
}

TEST(Config, BadLogLevelListsTheChoices) {
  EXPECT_NE(error_of("[log]\nlevel = \"verbose\"\n")
                .find("'verbose' is not one of: debug, error, info, off, trace, warn"),
            std::string::npos);
}

TEST(Config, BadListenAddressIsRefused) {
  EXPECT_EQ(error_of("[listen]\ntcp = \"localhost\"\n"),
            "test.toml:2:7: [listen] tcp: 'localhost' is not host:port");
}

TEST(Config, SettingsForAPluginNotLoadedAreATypo) {
  EXPECT_EQ(error_of("[plugins]\nload = [\"echo\"]\n[plugins.ehco]\nlog_level = \"info\"\n"),
            "test.toml:3:10: [plugins] ehco: settings for a plugin that is not in plugins.load");
}

TEST(Config, UnknownKeyInAPluginTable) {
  EXPECT_EQ(error_of("[plugins]\nload = [\"echo\"]\n[plugins.echo]\nloglevel = \"info\"\n"),
            "test.toml:4:1: [plugins.echo] loglevel: unknown key");
}

TEST(Config, UnknownCapabilityIsRefused) {
  EXPECT_NE(error_of("[plugins]\nload = [\"auth\"]\n[plugins.auth]\ncapabilities = [\"root\"]\n")
                .find("unknown capability"),
            std::string::npos);
}

TEST(Config, PluginSettingsAreKeptForThePlugin) {
  const auto c = load_text(
      "[plugins]\ndir = \"/opt/p\"\nload = [\"echo\"]\n[plugins.echo.settings]\nmax_group_name = "
      "8\n",
      "test.toml");
  ASSERT_EQ(c.plugins.load.size(), 1u);
  EXPECT_EQ(c.plugins.load[0].file, "/opt/p/echo.so");
  EXPECT_EQ(c.plugins.load[0].settings["max_group_name"].value<int>(), 8);
}

// The plugin reports a setting's problem with its place in the file: kept per key, since a
// copied toml table forgets where its values were written.
TEST(Config, PluginSettingsRememberWhereEachValueWasWritten) {
  const auto c = load_text(
      "[plugins]\nload = [\"echo\"]\n[plugins.echo.settings]\nmax_group_name = 8\n"
      "[plugins.echo.settings.limits]\n  burst = \"x\"\n",
      "test.toml");
  const auto& origins = c.plugins.load.at(0).setting_origins;
  EXPECT_EQ(origins.at("max_group_name"), "test.toml:4:18");
  EXPECT_EQ(origins.at("limits.burst"), "test.toml:6:11");
  EXPECT_EQ(origins.size(), 2u);
}

TEST(Config, SyntaxErrorNamesTheLine) {
  EXPECT_EQ(error_of("[limits]\nmax_frame_bytes = = 3\n").rfind("test.toml:2:", 0), 0u);
}

TEST(Config, MisspelledPluginsKeyIsAnUnknownKey) {
  EXPECT_EQ(error_of("[plugins]\nrequird = true\n"),
            "test.toml:2:1: [plugins] requird: unknown key");
}

TEST(Config, EmptyLogLevelIsRefused) {
  EXPECT_NE(error_of("[log]\nlevel = \"\"\n").find("[log] level: must not be empty"),
            std::string::npos);
}

TEST(Config, MissingFileIsNamed) {
  try {
    load_file("/nonexistent/gamehost.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/gamehost.toml: no such file");
  }
}

TEST(Config, DuplicatePluginIsRefused) {
  EXPECT_EQ(error_of("[plugins]\nload = [\"echo\", \"echo\"]\n"),
            "test.toml:2:17: [plugins] load: plugin 'echo' is listed twice");
}

TEST(Config, LoginTimeoutDefaultsToThirtySecondsAndZeroTurnsItOff) {
  EXPECT_EQ(load_text("", "test.toml").limits.login_timeout_ms, 30000u);
  EXPECT_EQ(load_text("[limits]\nlogin_timeout_ms = 0\n", "test.toml").limits.login_timeout_ms, 0u);
  EXPECT_EQ(error_of("[limits]\nlogin_timeout_ms = -1\n"),
            "test.toml:2:20: [limits] login_timeout_ms: must be between 0 and 3600000, got -1");
}

TEST(Config, HeartbeatMustBeShorterThanIdleTimeout) {
  EXPECT_NE(error_of("[limits]\nidle_timeout_ms = 5000\nheartbeat_interval_ms = 5000\n")
                .find("shorter than idle_timeout_ms"),
            std::string::npos);
}

TEST(Endpoint, Parses) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:0").port, 0);
  EXPECT_EQ(parse_endpoint("[::1]:7000").host, "::1");
  EXPECT_THROW(parse_endpoint("127.0.0.1:70000"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint(":7000"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("localhost:7000"), std::invalid_argument);
}

}  // namespace
}  // namespace gamehost::config
