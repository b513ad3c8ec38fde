// The operator's tools against the real binary: gamehostctl over the admin API, and the
// unauthenticated /healthz and /metrics.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

// gamehostctl with exactly these arguments.
Run ctl_args(const std::string& args, const std::string& env = "") {
  const auto cmd = env + " " + std::string(GAMEHOSTCTL_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// gamehostctl --config (the host's) ARGS.
Run ctl(const HostProcess& host, const std::string& args, const std::string& env = "") {
  return ctl_args("--config " + host.config_path() + " " + args, env);
}

// The version `--json list` gives for `name`, or "" when it is not listed.
std::string listed_version(const std::string& json_text, const std::string& name) {
  const auto list = nlohmann::json::parse(json_text, nullptr, false);
  if (!list.is_array()) return "";
  for (const auto& p : list) {
    if (p["name"] == name) return p["version"].get<std::string>();
  }
  return "";
}

std::uint64_t bump(Client& c) {
  c.send(100600, "");
  const auto f = c.expect(100601);
  std::uint64_t mine = 0;
  for (int i = 7; i >= 0; --i) mine = mine << 8 | static_cast<std::uint8_t>(f.payload[i]);
  return mine;
}

std::string plugins_with_counter() {
  return "[plugins]\nload = [\"counter\", \"base\", \"needs_base1\"]\n"
         "[plugins.counter]\nfile = \"" +
         test_plugin_path("counter_v1") +
         "\"\n"
         "[plugins.base]\nfile = \"" +
         test_plugin_path("base") +
         "\"\n"
         "[plugins.needs_base1]\nfile = \"" +
         test_plugin_path("needs_base1") + "\"\n";
}

TEST(Gamehostctl, ListsReloadsAndReportsRefusals) {
  HostProcess host(plugins_with_counter());
  TcpClient player(host.tcp_port());
  EXPECT_EQ(bump(player), 1u);

  auto r = ctl(host, "list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("counter"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1.0.0"), std::string::npos) << r.output;

  r = ctl(host, "reload counter --file " + test_plugin_path("counter_v2"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("reloaded counter 1.0.0 -> 2.0.0"), std::string::npos) << r.output;
  EXPECT_EQ(bump(player), 2u);  // same connection, state carried over

  r = ctl(host, "reload counter --file " + test_plugin_path("counter_broken"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("create failed: this build cannot start"), std::string::npos) << r.output;
  EXPECT_EQ(bump(player), 3u);  // the refused reload left 2.0.0 serving

  r = ctl(host, "--json list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto list = nlohmann::json::parse(r.output);
  bool found = false;
  for (const auto& p : list) {
    if (p["name"] != "counter") continue;
    found = true;
    EXPECT_EQ(p["version"], "2.0.0");
    EXPECT_EQ(p["reloads"], 1);
    EXPECT_EQ(p["last_reload"]["ok"], false);  // the broken one was the last attempt
  }
  EXPECT_TRUE(found);

  r = ctl(host, "unload base");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("plugin needs_base1 depends on base; unload it first"), std::string::npos)
      << r.output;

  r = ctl(host, "reload counter --strategy bogus");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown strategy 'bogus' (handover or drain)"), std::string::npos)
      << r.output;

  r = ctl(host, "sessions");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("1 sessions"), std::string::npos) << r.output;
}

TEST(Gamehostctl, GlobalOptionsGoBeforeOrAfterTheSubcommand) {
  HostProcess host(plugins_with_counter());
  const auto config = host.config_path();

  // Before, after, and split around the subcommand: the same JSON.
  for (const auto& args : {"--config " + config + " --json list", "list --json --config " + config,
                           "--json list -c " + config}) {
    const auto r = ctl_args(args);
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.output;
    EXPECT_EQ(listed_version(r.output, "counter"), "1.0.0") << args << "\n" << r.output;
  }

  // After a subcommand's own positional and options too.
  auto r = ctl_args("reload counter --file " + test_plugin_path("counter_v2") +
                    " --json --config " + config);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto reloaded = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(reloaded.is_object()) << r.output;
  EXPECT_EQ(reloaded["from"], "1.0.0");
  EXPECT_EQ(reloaded["to"], "2.0.0");
  r = ctl_args("list --config " + config + " --json");
  EXPECT_EQ(listed_version(r.output, "counter"), "2.0.0") << r.output;

  // A subcommand's option stays its own: not accepted before it, nor by another subcommand.
  r = ctl(host, "--strategy drain reload counter");
  EXPECT_NE(r.exit_code, 0) << r.output;
  r = ctl(host, "list --strategy drain");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(listed_version(ctl(host, "--json list").output, "counter"), "2.0.0");
}

TEST(Gamehostctl, WrongTokenIsRefused) {
  HostProcess host(plugins_with_counter());
  // The token comes from the config, or from GAMEHOST_ADMIN_TOKEN over it.
  const auto r = ctl(host, "list", "GAMEHOST_ADMIN_TOKEN=wrong");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("missing or wrong bearer token"), std::string::npos) << r.output;
}

TEST(Gamehostctl, UnreachableHostExitsTwo) {
  HostProcess host(plugins_with_counter());
  ASSERT_TRUE(host.terminate());
  const auto r = ctl(host, "list");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot reach the admin API"), std::string::npos) << r.output;
}

TEST(AdminHttp, HealthAndMetricsNeedNoTokenButTheApiDoes) {
  HostProcess host(plugins_with_counter());
  TcpClient player(host.tcp_port());
  bump(player);
  player.send(55555, "");
  player.expect_error(55555);
  EXPECT_NE(http_get(host.admin_port(), "/healthz").find("200 OK"), std::string::npos);
  // Counters are bumped as the worker finishes the handler, a moment after the reply left:
  // scrape until they show it (a second at most), as Prometheus would on its next scrape.
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = http_get(host.admin_port(), "/metrics");
    if (metrics.find("gamehost_plugin_handler_seconds_count{plugin=\"counter\"} 1") !=
        std::string::npos)
      break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(metrics.find("gamehost_plugin_info{plugin=\"counter\",version=\"1.0.0\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("gamehost_plugin_messages_total{plugin=\"counter\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("gamehost_errors_total{code=\"1\",name=\"unknown_id\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("gamehost_sessions 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gamehost_plugin_messages_out_total{plugin=\"counter\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("gamehost_plugin_handler_seconds_count{plugin=\"counter\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("gamehost_plugin_handler_seconds_bucket{plugin=\"counter\",le=\"+Inf\"} 1"),
      std::string::npos);
  EXPECT_NE(http_get(host.admin_port(), "/v1/plugins").find("401 Unauthorized"), std::string::npos);
}

// Sends `bytes` to the admin port and returns what comes back until the host closes, or ""
// when nothing came within `timeout` (a frozen admin API).
std::string admin_exchange(std::uint16_t port, const std::string& bytes,
                           std::chrono::milliseconds timeout = 3s) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    char buf[4096];
    while (true) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// Idle connections to the admin port (opened, then silent) hold nothing up: health checks
// and gamehostctl are answered while they stay open. (Before, the admin API served one
// connection at a time and waited seconds on each silent one.)
TEST(AdminHttp, SilentConnectionsDoNotFreezeTheAdminApi) {
  HostProcess host(plugins_with_counter());
  std::vector<int> silent;
  for (int i = 0; i < 10; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(host.admin_port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    silent.push_back(fd);
  }
  ::send(silent[0], "GET /heal", 9, MSG_NOSIGNAL);  // and one that stops mid-request
  const auto health = admin_exchange(host.admin_port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(health.find("200 OK"), std::string::npos) << "no answer while idle sockets are open";
  const auto listed = ctl(host, "--json list", "timeout 10");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed_version(listed.output, "counter"), "1.0.0") << listed.output;
  for (const int fd : silent) ::close(fd);
}

TEST(AdminHttp, MalformedRequestsGetA4xxAndTheApiGoesOn) {
  HostProcess host(plugins_with_counter());
  const auto port = host.admin_port();
  EXPECT_NE(admin_exchange(port, "NOT HTTP AT ALL\r\n\r\n").find("400 Bad Request"),
            std::string::npos);
  const auto huge = "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_NE(admin_exchange(port, huge).find("431"), std::string::npos);
  const auto token = "Authorization: Bearer " + std::string(HostProcess::kAdminToken) + "\r\n";
  const auto bad_escape =
      admin_exchange(port, "POST /v1/plugins/counter/reload?file=%zz HTTP/1.1\r\nHost: x\r\n" +
                               token + "Content-Length: 0\r\n\r\n");
  EXPECT_NE(bad_escape.find("400 Bad Request"), std::string::npos) << bad_escape;
  EXPECT_NE(bad_escape.find("bad percent-encoding"), std::string::npos) << bad_escape;
  const auto cut_escape =
      admin_exchange(port, "POST /v1/plugins/counter/reload?file=%4 HTTP/1.1\r\nHost: x\r\n" +
                               token + "Content-Length: 0\r\n\r\n");
  EXPECT_NE(cut_escape.find("400 Bad Request"), std::string::npos) << cut_escape;
  // A name that is not UTF-8 (found by fuzzing: the JSON answer threw) is just unknown.
  const auto not_utf8 = admin_exchange(port, "POST /v1/plugins/%FF%FE/reload HTTP/1.1\r\nHost: x\r\n" +
                                                 token + "Content-Length: 0\r\n\r\n");
  EXPECT_NE(not_utf8.find("HTTP/1.1 4"), std::string::npos) << not_utf8;
  EXPECT_NE(not_utf8.find("is not loaded"), std::string::npos) << not_utf8;
  EXPECT_NE(admin_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("200 OK"),
            std::string::npos);
}

TEST(AdminHttp, ProductionRefusesTheShippedAdminToken) {
  auto p = HostProcess::with_config(
      "[server]\nmode = \"production\"\n[admin]\nlisten = \"127.0.0.1:0\"\n"
      "token = \"dev-admin-token\"\n");
  EXPECT_EQ(p.wait_exit(10s), 2);
  EXPECT_NE(p.log().find("[admin] token: the shipped development token is refused"),
            std::string::npos)
      << p.log();
}

TEST(AdminHttp, AListenerOffLoopbackIsWarnedAbout) {
  auto p = HostProcess::with_config("[admin]\nlisten = \"0.0.0.0:0\"\ntoken = \"t0k3n\"\n");
  for (int i = 0; i < 200 && p.log().find("admin API on") == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(p.log().find("not on loopback"), std::string::npos) << p.log();
}

}  // namespace
}  // namespace gamehost::testing
