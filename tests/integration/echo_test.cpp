// The echo example through the real binary, over TCP and WebSocket.
#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

namespace echo = gamehost::echo;

using EchoOverTheWire = HostSuite;

TEST_F(EchoOverTheWire, HelloListsTheHostAndItsPlugins) {
  TcpClient c(host().tcp_port());
  EXPECT_FALSE(c.hello.host_version().empty());
  EXPECT_NE(c.hello.session_id(), 0u);
  EXPECT_EQ(c.hello.max_frame_bytes(), 65536u);
  ASSERT_EQ(c.hello.plugins_size(), 3);
  EXPECT_EQ(c.hello.plugins(0).name(), "echo");
  EXPECT_EQ(c.hello.plugins(0).version(), "1.0.0");
}

TEST_F(EchoOverTheWire, TcpEchoCarriesBackExactlyTheBytes) {
  TcpClient c(host().tcp_port());
  const std::string data("\0\x01\xff binary \r\n", 13);
  c.send(90000, echo_request(data));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), data);
}

TEST_F(EchoOverTheWire, WebSocketEchoCarriesBackExactlyTheBytes) {
  WsClient c(host().ws_port());
  ASSERT_EQ(c.hello.plugins_size(), 3);
  const std::string data(1000, '\x7f');
  c.send(90000, echo_request(data));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), data);
}

TEST_F(EchoOverTheWire, RepliesComeInTheOrderRequestsWereSent) {
  TcpClient c(host().tcp_port());
  for (int i = 0; i < 500; ++i) c.send(90000, echo_request(std::to_string(i)));
  for (int i = 0; i < 500; ++i)
    ASSERT_EQ(c.expect(90001).as<echo::EchoReply>().data(), std::to_string(i));
}

// Over WebSocket the replies of a batch are gathered into one socket write: each must still
// arrive as its own message, whole and in order, small ones and ones larger than the
// gathering bound alike.
TEST_F(EchoOverTheWire, WebSocketRepliesComeWholeAndInOrder) {
  WsClient c(host().ws_port());
  const auto data = [](int i) {
    return std::to_string(i) + std::string(i % 7 == 0 ? 60000 : i, 'w');
  };
  for (int i = 0; i < 500; ++i) c.send(90000, echo_request(data(i)));
  for (int i = 0; i < 500; ++i)
    ASSERT_EQ(c.expect(90001, 10s).as<echo::EchoReply>().data(), data(i)) << "reply " << i;
  // The largest message a frame may carry: its WebSocket length takes the 64-bit form.
  const std::string largest(65000, 'L');
  c.send(90000, echo_request(largest));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), largest);
}

// A client that closes cleanly gets the host's close frame back (Beast writes it; it goes
// out through the connection's send queue, after the replies before it).
TEST_F(EchoOverTheWire, WebSocketCloseHandshakeIsAnswered) {
  WsClient c(host().ws_port());
  c.send(90000, echo_request("last words"));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "last words");
  EXPECT_EQ(c.close_handshake(), "");
}

// The same while the host still has megabytes of replies to write: its close frame goes
// after them, and the connection is shut only once they (and it) are out.
TEST_F(EchoOverTheWire, WebSocketCloseHandshakeIsAnsweredBehindPendingReplies) {
  WsClient c(host().ws_port());
  for (int i = 0; i < 400; ++i) c.send(90000, echo_request(std::string(60000, 'p')));
  EXPECT_EQ(c.close_handshake(), "");  // Beast's close() skips the replies, then waits
}

// Beast answers a ping itself; its pong joins the replies' queue and leaves between them,
// whole (the echo after it still decodes).
TEST_F(EchoOverTheWire, WebSocketPingIsAnsweredBetweenReplies) {
  WsClient c(host().ws_port());
  c.send(90000, echo_request("before"));
  c.ping("are you there");
  c.send(90000, echo_request("after"));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "before");
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "after");
  EXPECT_EQ(c.last_pong(), "are you there");
}

// More reply bytes than the socket takes at once (a client that reads late): the part a
// worker's write leaves is finished by the network thread, whole and in order.
TEST_F(EchoOverTheWire, RepliesBeyondTheSocketBufferArriveWholeAndInOrder) {
  TcpClient c(host().tcp_port());
  // 18 MB of replies: more than the host's send buffer and this client's receive buffer hold.
  for (int i = 0; i < 300; ++i)
    c.send(90000, echo_request(std::to_string(i) + std::string(60000, 'x')));
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(c.expect(90001, 10s).as<echo::EchoReply>().data(),
              std::to_string(i) + std::string(60000, 'x'));
  }
  // The path ran (logged at debug; logs are flushed every second).
  bool handed_over = false;
  for (int i = 0; i < 40 && !handed_over; ++i) {
    handed_over = host().log().find("bytes left to the network thread") != std::string::npos;
    if (!handed_over) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(handed_over);
}

TEST_F(EchoOverTheWire, ShoutReachesEveryMemberAcrossTransports) {
  TcpClient alice(host().tcp_port());
  WsClient bob(host().ws_port());
  TcpClient carol(host().tcp_port());  // never joins
  echo::JoinGroup join;
  join.set_group("lobby-" + std::to_string(alice.hello.session_id()));
  alice.send(90002, join);
  EXPECT_EQ(alice.expect(90003).as<echo::GroupJoined>().members(), 1u);
  bob.send(90002, join);
  EXPECT_EQ(bob.expect(90003).as<echo::GroupJoined>().members(), 2u);

  echo::Shout shout;
  shout.set_group(join.group());
  shout.set_data("gg");
  bob.send(90004, shout);
  for (Client* c : {static_cast<Client*>(&alice), static_cast<Client*>(&bob)}) {
    const auto heard = c->expect(90005).as<echo::ShoutHeard>();
    EXPECT_EQ(heard.data(), "gg");
    EXPECT_EQ(heard.from_session(), bob.hello.session_id());
  }
  EXPECT_FALSE(carol.recv(300ms)) << "a session outside the group heard the shout";
}

TEST_F(EchoOverTheWire, UnauthenticatedClientIsRefusedANonPublicId) {
  TcpClient c(host().tcp_port());
  c.send(90010, "");
  const auto e = c.expect_error(90010);
  EXPECT_EQ(e.code(), static_cast<std::uint32_t>(GH_CODE_NOT_AUTHENTICATED));
  EXPECT_EQ(e.text(), "message id 90010 needs a logged-in session");
  // The connection stays usable.
  c.send(90000, echo_request("still here"));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "still here");
}

TEST_F(EchoOverTheWire, AfterLoginTheNonPublicIdAnswersWithTheUser) {
  WsClient c(host().ws_port());
  c.send(100200, u64le(4242));
  c.expect(100201);
  c.send(90010, "");
  const auto you = c.expect(90011).as<echo::YouAre>();
  EXPECT_EQ(you.user_id(), 4242u);
  EXPECT_EQ(you.session_id(), c.hello.session_id());
}

TEST_F(EchoOverTheWire, PluginsSeeSessionsOpenAuthenticateAndClose) {
  TcpClient observer(host().tcp_port());
  std::uint64_t id = 0;
  auto events_of = [&](std::uint64_t session) {
    observer.send(100202, u64le(session));
    return observer.expect(100203).payload;
  };
  {
    WsClient player(host().ws_port());
    id = player.hello.session_id();
    player.send(100200, u64le(99));
    player.expect(100201);
    EXPECT_EQ(events_of(id), "opened,authenticated:99");
  }
  for (int i = 0; i < 100 && events_of(id) != "opened,authenticated:99,closed"; ++i) {
    std::this_thread::sleep_for(20ms);  // the close travels host -> plugin queue
  }
  EXPECT_EQ(events_of(id), "opened,authenticated:99,closed");
}

TEST_F(EchoOverTheWire, AThrowingHandlerGetsAnErrorReplyAndTheHostKeepsServing) {
  TcpClient c(host().tcp_port());
  c.send(100100, "");
  const auto e = c.expect_error(100100);
  EXPECT_EQ(e.code(), static_cast<std::uint32_t>(GH_CODE_PLUGIN_FAILURE));
  c.send(100101, "");
  EXPECT_EQ(c.expect_error(100101).code(), 100150u);
  c.send(100104, "");  // the same on a keyed lane
  EXPECT_EQ(c.expect_error(100104).code(), static_cast<std::uint32_t>(GH_CODE_PLUGIN_FAILURE));
  c.send(100102, "alive");
  EXPECT_EQ(c.expect(100103).payload, "alive");
  // Operators see both failures in the plugin's failure counter.
  bool counted = false;
  for (int i = 0; i < 50 && !counted; ++i) {
    counted =
        http_get(host().admin_port(), "/metrics")
            .find("gamehost_plugin_failures_total{plugin=\"thrower\"} 2") != std::string::npos;
    if (!counted) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(counted) << http_get(host().admin_port(), "/metrics");
  TcpClient other(host().tcp_port());  // and new players still get in
  other.send(90000, echo_request("x"));
  other.expect(90001);
}

TEST_F(EchoOverTheWire, HeartbeatIsAnsweredWithItsNonce) {
  TcpClient c(host().tcp_port());
  wire::Heartbeat ping;
  ping.set_nonce(77);
  c.send(1, ping);
  const auto pong = c.expect(1).as<wire::Heartbeat>();
  EXPECT_EQ(pong.nonce(), 77u);
  EXPECT_GT(pong.server_time_ms(), 1'600'000'000'000u);
}

}  // namespace
}  // namespace gamehost::testing
