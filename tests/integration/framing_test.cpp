// Bad and awkward input over real sockets: each gets its defined outcome, and the host
// goes on serving everyone else.
#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

namespace echo = gamehost::echo;

std::string tcp_frame(std::uint32_t id, const std::string& payload) {
  std::string f;
  for (auto v : {static_cast<std::uint32_t>(payload.size()), id}) {
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>(v >> (8 * i)));
  }
  return f + payload;
}

// A client's WebSocket frame made by hand (RFC 6455 5.2): masked unless told, the length in
// its shortest form.
std::string ws_frame(std::uint8_t opcode, const std::string& payload, bool fin = true,
                     bool masked = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  const std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(mask_bit | static_cast<char>(n)));
  } else {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  }
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  if (masked) f.append(key, 4);
  for (std::size_t i = 0; i < n; ++i)
    f.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
  return f;
}

std::string ws_message(std::uint32_t id, const std::string& payload) {
  std::string m;
  for (int i = 0; i < 4; ++i) m.push_back(static_cast<char>(id >> (8 * i)));
  return m + payload;
}

using Framing = HostSuite;

TEST_F(Framing, FramesSplitAcrossManyWritesAreReassembled) {
  TcpClient c(host().tcp_port());
  const auto bytes =
      tcp_frame(90000, echo_request("split")) + tcp_frame(90000, echo_request("again"));
  for (char ch : bytes) {
    c.send_raw(std::string(1, ch));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "split");
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "again");
}

TEST_F(Framing, SeveralFramesInOneWriteAreAllAnswered) {
  TcpClient c(host().tcp_port());
  std::string bytes;
  for (int i = 0; i < 20; ++i) bytes += tcp_frame(90000, echo_request("m" + std::to_string(i)));
  c.send_raw(bytes);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "m" + std::to_string(i));
}

TEST_F(Framing, ZeroLengthPayloadIsAValidMessage) {
  TcpClient c(host().tcp_port());
  c.send(90000, "");  // an EchoRequest with every field at its default
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "");
}

TEST_F(Framing, UnknownIdGetsAnErrorAndTheConnectionStays) {
  TcpClient c(host().tcp_port());
  c.send(55555, "x");
  const auto e = c.expect_error(55555);
  EXPECT_EQ(e.code(), static_cast<std::uint32_t>(GH_CODE_UNKNOWN_ID));
  EXPECT_EQ(e.text(), "no plugin owns message id 55555");
  c.send(3, "");  // a host id only the server sends
  EXPECT_EQ(c.expect_error(3).code(), static_cast<std::uint32_t>(GH_CODE_UNKNOWN_ID));
  c.send(90000, echo_request("ok"));
  c.expect(90001);
}

TEST_F(Framing, GarbagePayloadIsMalformedAndTheConnectionStays) {
  TcpClient c(host().tcp_port());
  c.send(90000, std::string("\xff\xff\xff\xff\x0f", 5));
  const auto e = c.expect_error(90000);
  EXPECT_EQ(e.code(), static_cast<std::uint32_t>(GH_CODE_MALFORMED));
  EXPECT_NE(e.text().find("gamehost.echo.EchoRequest"), std::string::npos) << e.text();
  c.send(1, std::string("\xff", 1));  // a host message too
  EXPECT_EQ(c.expect_error(1).code(), static_cast<std::uint32_t>(GH_CODE_MALFORMED));
  c.send(90000, echo_request("ok"));
  c.expect(90001);
}

TEST_F(Framing, OversizeFrameIsKickedWithTheReasonBeforeThePayloadArrives) {
  TcpClient c(host().tcp_port());
  // Only the header of a 65537-byte frame: the host must not wait for the payload.
  c.send_raw(std::string("\x01\x00\x01\x00\x90\x5f\x01\x00", 8));
  const auto kick = c.expect_kick();
  EXPECT_EQ(kick.code(), static_cast<std::uint32_t>(GH_CODE_FRAME_TOO_LARGE));
  EXPECT_EQ(kick.text(), "frame of 65537 bytes is over the limit of 65536");
}

TEST_F(Framing, TruncatedFrameThenDisconnectLeavesTheHostServing) {
  {
    TcpClient c(host().tcp_port());
    c.send_raw(tcp_frame(90000, echo_request("never finished")).substr(0, 12));
    c.shutdown_write();
    EXPECT_TRUE(c.closed_within(5s));
  }
  TcpClient next(host().tcp_port());
  next.send(90000, echo_request("fine"));
  EXPECT_EQ(next.expect(90001).as<echo::EchoReply>().data(), "fine");
}

TEST_F(Framing, WebSocketTextMessageIsKicked) {
  WsClient c(host().ws_port());
  c.send_text("hello?");
  EXPECT_EQ(c.expect_kick().code(), static_cast<std::uint32_t>(GH_CODE_BAD_FRAME));
}

TEST_F(Framing, WebSocketMessageShorterThanAnIdIsKicked) {
  WsClient c(host().ws_port());
  c.send_binary_raw("ab");
  EXPECT_EQ(c.expect_kick().code(), static_cast<std::uint32_t>(GH_CODE_BAD_FRAME));
}

TEST_F(Framing, WebSocketOversizeMessageIsClosedAsTooBig) {
  WsClient c(host().ws_port());
  c.send(90000, std::string(70000, 'x'));
  // The WebSocket layer refuses it itself, with the protocol's own close code.
  EXPECT_TRUE(c.closed_within(5s));
  EXPECT_EQ(c.close_code(), 1009);  // "message too big"
}

// The host reads WebSocket frames itself after the handshake (net/ws_frame_reader): a
// message in fragments, with a ping between them, and frames cut into 1-byte writes, come
// out as the messages they are.
TEST_F(Framing, WebSocketFragmentsAndFramesInOneByteWritesAreReassembled) {
  WsClient c(host().ws_port());
  const std::string m = ws_message(90000, echo_request("fragmented"));
  c.ping("first");  // (and pongs are recorded from here on)
  c.send_wire(ws_frame(2, m.substr(0, 3), false) + ws_frame(9, "between") +
              ws_frame(0, m.substr(3, 5), false) + ws_frame(0, m.substr(8)));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "fragmented");
  EXPECT_EQ(c.last_pong(), "between");  // answered as it came, before the message's reply
  const std::string bytes = ws_frame(2, ws_message(90000, echo_request(std::string(300, 's')))) +
                            ws_frame(2, ws_message(90000, echo_request("next")));
  for (char ch : bytes) {
    c.send_wire(std::string(1, ch));
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), std::string(300, 's'));
  EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "next");
}

// Frames RFC 6455 forbids a client to send close the connection with 1002 (protocol
// error), after the replies already due; other clients are not affected.
TEST_F(Framing, WebSocketProtocolViolationsAreClosedWith1002) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"unmasked", ws_frame(2, ws_message(90000, echo_request("x")), true, false)},
      {"reserved opcode", ws_frame(3, "abcd")},
      {"continuation with nothing to continue", ws_frame(0, "abcd")},
      {"fragmented ping", ws_frame(9, "p", false)},
      {"invalid close code", ws_frame(8, std::string("\x03\xED", 2))},
  };
  for (const auto& [what, bytes] : cases) {
    WsClient c(host().ws_port());
    c.send(90000, echo_request("before"));
    c.send_wire(bytes);
    EXPECT_EQ(c.expect(90001).as<echo::EchoReply>().data(), "before") << what;
    EXPECT_TRUE(c.closed_within(5s)) << what;
    EXPECT_EQ(c.close_code(), 1002) << what;
  }
  WsClient next(host().ws_port());
  next.send(90000, echo_request("fine"));
  EXPECT_EQ(next.expect(90001).as<echo::EchoReply>().data(), "fine");
}

TEST_F(Framing, WebSocketUnknownIdAndGarbageKeepTheConnection) {
  WsClient c(host().ws_port());
  c.send(55555, "");
  EXPECT_EQ(c.expect_error(55555).code(), static_cast<std::uint32_t>(GH_CODE_UNKNOWN_ID));
  c.send(90000, std::string("\xff\xff", 2));
  EXPECT_EQ(c.expect_error(90000).code(), static_cast<std::uint32_t>(GH_CODE_MALFORMED));
  c.send(90000, echo_request("ok"));
  c.expect(90001);
}

}  // namespace
}  // namespace gamehost::testing
