// Run by out_of_tree_test.sh: the echo plugin built outside this tree against the staged
// SDK package, loaded by the real host, answering over TCP and WebSocket.
#include <gamehost/abi.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "echo.pb.h"
#include "support/clients.hpp"
#include "support/host_process.hpp"

namespace gamehost::testing {
namespace {

std::string out_of_tree_plugin() {
  const char* path = std::getenv("GAMEHOST_OUT_OF_TREE_ECHO");
  if (path == nullptr)
    throw std::runtime_error("GAMEHOST_OUT_OF_TREE_ECHO is not set (run out_of_tree_test.sh)");
  return path;
}

TEST(OutOfTreeEcho, AnswersOverTcpAndWebSocket) {
  HostProcess host("[plugins]\nload = [\"echo\"]\n[plugins.echo]\nfile = \"" +
                   out_of_tree_plugin() + "\"\n");
  gamehost::echo::EchoRequest req;
  req.set_data("built elsewhere");

  TcpClient tcp(host.tcp_port());
  ASSERT_EQ(tcp.hello.plugins_size(), 1);
  EXPECT_EQ(tcp.hello.plugins(0).name(), "echo");
  tcp.send(90000, req);
  EXPECT_EQ(tcp.expect(90001).as<gamehost::echo::EchoReply>().data(), "built elsewhere");

  WsClient ws(host.ws_port());
  ws.send(90000, req);
  EXPECT_EQ(ws.expect(90001).as<gamehost::echo::EchoReply>().data(), "built elsewhere");

  ws.send(90010, "");  // the manifest's public ranges came along too
  EXPECT_EQ(ws.expect_error(90010).code(), static_cast<std::uint32_t>(GH_CODE_NOT_AUTHENTICATED));
}

}  // namespace
}  // namespace gamehost::testing
