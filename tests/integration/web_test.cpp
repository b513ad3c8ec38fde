// The WebSocket port also serves a browser the static files of [listen] web_root (the demo
// page): a plain GET is answered from the directory, an upgrade still becomes a session.
#include <fstream>

#include "integration/fixtures.hpp"
#include "support/temp_dir.hpp"

namespace gamehost::testing {
namespace {

const std::string kEchoOnly =
    "[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" + plugin_path("echo") + "\"\n";

// Lands in [listen] (config_text puts the limits text right after that table's keys).
std::string listen_and_limits(const std::string& web_root) {
  return "web_root = \"" + web_root +
         "\"\n[limits]\nrate_limit_per_second = 100000\nrate_limit_burst = 100000\n";
}

TEST(Web, TheWebSocketPortServesTheDemoFilesAndStillUpgrades) {
  TempDir site;
  std::ofstream(site.path() / "index.html") << "<title>gamehost demo</title>";
  std::ofstream(site.path() / "client.js") << "export {};";
  HostProcess host(kEchoOnly, listen_and_limits(site.str()));

  const auto index = http_get(host.ws_port(), "/");
  EXPECT_EQ(index.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << index;
  EXPECT_NE(index.find("<title>gamehost demo</title>"), std::string::npos);
  EXPECT_NE(http_get(host.ws_port(), "/client.js").find("text/javascript"), std::string::npos);
  EXPECT_EQ(http_get(host.ws_port(), "/../gamehost.toml").rfind("HTTP/1.1 404 ", 0), 0u);

  WsClient player(host.ws_port());  // the same port, upgraded: a session as always
  player.send(90000, echo_request("still a game port"));
  EXPECT_EQ(player.expect(90001).as<echo::EchoReply>().data(), "still a game port");
}

TEST(Web, WithoutAWebRootAPlainGetIsRefused) {
  HostProcess host(kEchoOnly);
  const auto answer = http_get(host.ws_port(), "/");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
}

TEST(Web, AWebRootThatIsNotADirectoryRefusesToStartNamingTheLine) {
  TempDir dir;
  const auto text = HostProcess::config_text(dir, kEchoOnly, listen_and_limits("/no/such/dir"));
  auto refused = HostProcess::with_config(text);
  EXPECT_EQ(refused.wait_exit(10s), 2);
  EXPECT_NE(refused.log().find("web_root: \"/no/such/dir\" is not a directory"), std::string::npos)
      << refused.log();
}

}  // namespace
}  // namespace gamehost::testing
