// What an operator sees when the host cannot start as configured.
#include "integration/fixtures.hpp"

#include <sched.h>

#include <filesystem>
#include <fstream>
#include <sstream>

// This host's ABI as text, e.g. "1.2", for expected refusal messages.
#define GAMEHOST_TEST_ABI_STR2(x) #x
#define GAMEHOST_TEST_ABI_STR(x) GAMEHOST_TEST_ABI_STR2(x)
#define GAMEHOST_TEST_ABI \
  GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MAJOR) "." GAMEHOST_TEST_ABI_STR(GAMEHOST_ABI_MINOR)

namespace gamehost::testing {
namespace {

TEST(Startup, ConfigTypoIsRefusedWithFileLineAndKey) {
  auto p = HostProcess::with_config("[limits]\nmax_frame_bytes = 1024\nidle_timeot_ms = 5\n");
  EXPECT_EQ(p.wait_exit(10s), 2);
  EXPECT_NE(p.log().find("gamehost.toml:3:1: [limits] idle_timeot_ms: unknown key"),
            std::string::npos)
      << p.log();
}

// A plugin's setting of the wrong type refuses that plugin at start, naming the file, the
// line and the key, as the host's own keys are reported.
TEST(Startup, APluginSettingOfTheWrongTypeIsRefusedWithFileLineAndKey) {
  TempDir dir;
  auto p = HostProcess::with_config(HostProcess::config_text(
      dir,
      "[plugins]\nrequired = true\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" +
          plugin_path("echo") + "\"\n[plugins.echo.settings]\nmax_group_name = \"long\"\n",
      ""));
  EXPECT_EQ(p.wait_exit(10s), 3);
  const auto log = p.log();
  const auto line =
      log.find("plugins.echo.settings.max_group_name: expected an integer, found a string");
  ASSERT_NE(line, std::string::npos) << log;
  const auto start = log.rfind('\n', line) + 1;
  EXPECT_NE(log.substr(start, line - start).find("gamehost.toml:"), std::string::npos) << log;
  EXPECT_NE(log.find("plugin echo ("), std::string::npos) << log;
}

// A setting no plugin code asks for is most likely a typo: the host warns, naming where.
TEST(Startup, APluginSettingNobodyReadsIsWarnedAboutAsATypo) {
  HostProcess host("[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" + plugin_path("echo") +
                   "\"\n[plugins.echo.settings]\nmax_grup_name = 12\n");
  TcpClient c(host.tcp_port());  // it still starts and serves
  c.send(90000, echo_request("hi"));
  c.expect(90001);
  EXPECT_NE(host.log().find("plugins.echo.settings.max_grup_name is not a setting echo"),
            std::string::npos)
      << host.log();
  EXPECT_NE(host.log().find("gamehost.toml:"), std::string::npos);
}

TEST(Startup, BadValueIsRefused) {
  auto p = HostProcess::with_config("[server]\nworker_threads = -1\n");
  EXPECT_EQ(p.wait_exit(10s), 2);
  EXPECT_NE(p.log().find("[server] worker_threads: must be between 0 and 256, got -1"),
            std::string::npos)
      << p.log();
}

TEST(Startup, ARequiredPluginRefusedStopsTheHostWithOneClearLine) {
  TempDir dir;
  auto p = HostProcess::with_config(HostProcess::config_text(
      dir,
      "[plugins]\nrequired = true\nload = [\"abi_major\"]\n[plugins.abi_major]\nfile = \"" +
          test_plugin_path("abi_major") + "\"\n",
      ""));
  EXPECT_EQ(p.wait_exit(10s), 3);
  EXPECT_NE(p.log().find("plugin abi_major (" + test_plugin_path("abi_major") +
                         ") refused: built for ABI 2.0, this host speaks ABI " GAMEHOST_TEST_ABI),
            std::string::npos)
      << p.log();
}

TEST(Startup, WithRequiredFalseTheHostServesTheOtherPlugins) {
  HostProcess host(
      "[plugins]\nrequired = false\nload = [\"create_fails\", \"echo\"]\n"
      "[plugins.create_fails]\nfile = \"" +
      test_plugin_path("create_fails") +
      "\"\n"
      "[plugins.echo]\nfile = \"" +
      plugin_path("echo") + "\"\n");
  TcpClient c(host.tcp_port());
  ASSERT_EQ(c.hello.plugins_size(), 1);
  EXPECT_EQ(c.hello.plugins(0).name(), "echo");
  c.send(100480, "");
  EXPECT_EQ(c.expect_error(100480).code(), static_cast<std::uint32_t>(GH_CODE_UNKNOWN_ID));
  EXPECT_NE(host.log().find("plugin create_fails (" + test_plugin_path("create_fails") +
                            ") refused: create failed: database not configured"),
            std::string::npos);
}

TEST(Startup, BindUserWithoutTheCapabilityIsDenied) {
  HostProcess host("[plugins]\nload = [\"testlogin\", \"echo\"]\n[plugins.testlogin]\nfile = \"" +
                   test_plugin_path("testlogin") + "\"\n[plugins.echo]\nfile = \"" +
                   plugin_path("echo") + "\"\n");
  TcpClient c(host.tcp_port());
  c.send(100200, u64le(7));
  EXPECT_EQ(c.expect_error(100200).code(), static_cast<std::uint32_t>(GH_CODE_PLUGIN_FAILURE));
  c.send(90010, "");  // still not logged in
  EXPECT_EQ(c.expect_error(90010).code(), static_cast<std::uint32_t>(GH_CODE_NOT_AUTHENTICATED));
  EXPECT_NE(host.log().find("bind_user refused: grant it with capabilities = [\"bind_user\"]"),
            std::string::npos);
}

TEST(Startup, CleanShutdownKicksPlayersWithAReason) {
  HostProcess host("[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" + plugin_path("echo") +
                   "\"\n");
  TcpClient c(host.tcp_port());
  ::kill(host.pid(), SIGTERM);
  EXPECT_EQ(c.expect_kick().code(), static_cast<std::uint32_t>(GH_CODE_SHUTTING_DOWN));
  EXPECT_EQ(host.wait_exit(10s), 0);
}

TEST(Startup, ThePluginFileMayBeOverwrittenWhileTheHostRuns) {
  TempDir dir;
  const auto file = dir.str() + "/echo.so";
  std::filesystem::copy_file(plugin_path("echo"), file);
  HostProcess host("[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" + file + "\"\n");
  TcpClient c(host.tcp_port());
  // An operator's cp over the file in place: the host runs its private copy, so nothing breaks.
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << std::string(4096, '\0');
  }
  c.send(90000, echo_request("unharmed"));
  EXPECT_EQ(c.expect(90001).as<gamehost::echo::EchoReply>().data(), "unharmed");
}

}  // namespace
}  // namespace gamehost::testing

namespace gamehost::testing {
namespace {

// The scheduling policy (SCHED_* number, /proc/PID/task/TID/stat field 41) of each of the
// process's threads whose name starts with `prefix`.
std::vector<int> policies_of(pid_t pid, const std::string& prefix) {
  std::vector<int> out;
  const auto tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(tasks)) {
    std::string comm;
    std::getline(std::ifstream(entry.path() / "comm"), comm);
    if (comm.rfind(prefix, 0) != 0) continue;
    std::string stat;
    std::getline(std::ifstream(entry.path() / "stat"), stat);
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // from field 3 (state) on
    std::string field;
    for (int i = 3; i <= 41 && fields >> field; ++i) {
      if (i == 41) out.push_back(std::stoi(field));
    }
  }
  return out;
}

TEST(Startup, NetworkThreadsRunUnderBatchSchedulingUnlessConfiguredNormal) {
  const std::string kEchoOnly =
      "[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" + plugin_path("echo") + "\"\n";
  {
    HostProcess host(kEchoOnly);
    EXPECT_EQ(policies_of(host.pid(), "gh-net-"), (std::vector<int>{SCHED_BATCH, SCHED_BATCH}));
    EXPECT_EQ(policies_of(host.pid(), "gh-worker-"), (std::vector<int>{SCHED_OTHER, SCHED_OTHER}));
    TcpClient c(host.tcp_port());  // and it serves
    c.send(90000, echo_request("batch"));
    EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "batch");
  }
  HostProcess host(kEchoOnly, "", "io_thread_scheduling = \"normal\"\n");
  EXPECT_EQ(policies_of(host.pid(), "gh-net-"), (std::vector<int>{SCHED_OTHER, SCHED_OTHER}));
}

TEST(Logging, PluginLinesGoToTheFileWithPerPluginLevels) {
  TempDir dir;
  const auto log_file = dir.str() + "/logs/gamehost.log";
  auto config =
      HostProcess::config_text(dir,
                               "[plugins]\nload = [\"thrower\", \"sharder\"]\n"
                               "[plugins.thrower]\nfile = \"" +
                                   test_plugin_path("thrower") +
                                   "\"\nlog_level = \"error\"\n"
                                   "[plugins.sharder]\nfile = \"" +
                                   test_plugin_path("sharder") + "\"\nlog_level = \"off\"\n",
                               "");
  config.replace(config.find("[log]\nlevel = \"debug\"\n"), 21,
                 "[log]\nlevel = \"info\"\nconsole = false\nfile = \"" + log_file + "\"\n");
  auto host = HostProcess::with_config(config);
  // with_config does not wait: connect when the port file appears.
  std::uint16_t port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {
    std::ifstream ready(host.dir().str() + "/ready");
    std::string line;
    while (std::getline(ready, line)) {
      if (line.rfind("tcp=", 0) == 0) port = static_cast<std::uint16_t>(std::stoi(line.substr(4)));
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_NE(port, 0) << host.log();
  TcpClient c(port);
  c.send(100100, "");  // the thrower logs an error
  c.expect_error(100100);
  c.send(100590, "");  // sharder: unknown handler id inside its range -> error, no log at "off"
  c.expect_error(100590);
  ASSERT_TRUE(host.terminate());
  std::ifstream in(log_file);
  std::stringstream text;
  text << in.rdbuf();
  const auto s = text.str();
  EXPECT_NE(s.find("[plugin:thrower] message handler threw: boom: a bug in the handler"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("[host] plugin thrower 1.0.0 loaded"), std::string::npos) << s;
  EXPECT_EQ(s.find("[plugin:sharder]"), std::string::npos) << "sharder logs at level off: " << s;
  EXPECT_EQ(host.log().find("loaded"), std::string::npos)
      << "console = false, yet the console got lines";
}

}  // namespace
}  // namespace gamehost::testing
